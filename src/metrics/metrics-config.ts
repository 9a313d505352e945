import type { ConfigProblem } from '../errors.js';

/**
 * Where `GET /metrics` is served, if anywhere. `token`: served on the main port to requests
 * carrying it as a bearer token (and required on the loopback listener too). `port`: served on a
 * listener of its own on 127.0.0.1, for a scraper or agent on the same host or pod. Neither: off.
 */
export interface MetricsConfig {
  /** A secret: never log it. */
  readonly token: string | undefined;
  readonly port: number | undefined;
}

/** The loopback address the separate metrics listener binds: it is never reachable from the network. */
export const METRICS_LISTEN_HOST = '127.0.0.1';

const TOKEN_MIN_LENGTH = 32;
/** Visible ASCII only: the token travels in an HTTP header, where spaces and control characters do not survive. */
const TOKEN_CHARACTERS = /^[\x21-\x7e]+$/;

/** METRICS_TOKEN and METRICS_PORT (the port already checked as a number) into a MetricsConfig. */
export function resolveMetrics(vars: { METRICS_TOKEN?: string | undefined; METRICS_PORT?: number | undefined; PORT: number }, problems: ConfigProblem[]): MetricsConfig {
  const token = vars.METRICS_TOKEN;
  if (token !== undefined && (token.length < TOKEN_MIN_LENGTH || !TOKEN_CHARACTERS.test(token))) {
    problems.push({
      variable: 'METRICS_TOKEN',
      expected: `must be at least ${TOKEN_MIN_LENGTH} characters of random text without spaces (e.g. the output of "openssl rand -base64 48"): the bearer token a scraper sends for /metrics`,
    });
  }
  const port = vars.METRICS_PORT;
  if (port !== undefined && port !== 0 && port === vars.PORT) {
    problems.push({ variable: 'METRICS_PORT', expected: `must differ from PORT (${vars.PORT}): /metrics gets a loopback listener of its own; to serve it on PORT instead, set METRICS_TOKEN and unset METRICS_PORT` });
  }
  return { token, port };
}

/** Whether /metrics is served anywhere. */
export function metricsEnabled(config: MetricsConfig): boolean {
  return config.token !== undefined || config.port !== undefined;
}
