import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * Paths pino blanks in every log line. Secrets must never reach the log, even when a whole
 * object (a config, a request) is logged by mistake.
 */
const REDACTED_PATHS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'authorization',
  'clientSecret',
  'client_secret',
  'botPassword',
  'stateSecret',
  '*.password',
  '*.secret',
  '*.token',
  '*.accessToken',
  '*.authorization',
  '*.clientSecret',
  '*.botPassword',
  '*.stateSecret',
  'req.headers.authorization',
  'headers.authorization',
];

/**
 * Errors are logged by kind, message, code and stack only: client errors (HTTP libraries') carry
 * their request and response, headers included, and those must never reach the log.
 */
const scrub = (text: string | undefined) => text?.replace(/Bearer\s+[A-Za-z0-9._~+/=-]+/g, 'Bearer [redacted]');

function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrub(String(error)) };
  const extra = error as Error & { code?: unknown; statusCode?: unknown; status?: unknown };
  return {
    type: error.name,
    message: scrub(error.message),
    ...(typeof extra.code === 'string' || typeof extra.code === 'number' ? { code: extra.code } : {}),
    ...(typeof extra.statusCode === 'number' ? { statusCode: extra.statusCode } : {}),
    ...(typeof extra.status === 'number' ? { status: extra.status } : {}),
    stack: scrub(error.stack),
  };
}

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; defaults to stdout. Tests pass a stream to read them back. */
  destination?: NodeJS.WritableStream;
}

/** The one logger factory: structured JSON lines with secret redaction. */
export function createLogger({ level, destination }: LoggerOptions): Logger {
  const options = {
    level,
    base: { service: 'soc-bridge' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A logger that writes nothing, for code paths and tests that do not care. */
export const silentLogger: Logger = pino({ level: 'silent' });
