import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StartupError } from '../errors.js';
import type { Logger } from '../log.js';
import { stopWithin } from '../stop-within.js';
import { METRICS_LISTEN_HOST } from './metrics-config.js';

/** The path metrics are served on, on PORT (with METRICS_TOKEN) and on the METRICS_PORT listener. */
export const METRICS_PATH = '/metrics';

/** What serves a scrape: the token it requires (if any) and the exposition. */
export interface MetricsSource {
  /** When set, a scrape must carry `Authorization: Bearer <token>`. */
  readonly token: string | undefined;
  exposition(): Promise<{ contentType: string; body: string }>;
}

/** An HTTP answer to a scrape, for whichever server took it. */
export interface ScrapeAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Whether an Authorization header carries the token. Both sides are hashed first, so the
 * comparison takes the same time whatever the header holds, its length included.
 */
export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '');
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const equal = timingSafeEqual(digest(match?.[1] ?? ''), digest(token));
  return match !== null && equal;
}

/** Answers one scrape: 401 without the right token, else the exposition. */
export async function answerScrape(source: MetricsSource, authorization: string | undefined): Promise<ScrapeAnswer> {
  if (source.token !== undefined && !bearerMatches(authorization, source.token)) {
    const message = authorization ? 'The bearer token is not the one configured (METRICS_TOKEN).' : 'Metrics need a bearer token: send Authorization: Bearer <METRICS_TOKEN>.';
    const refusal = jsonAnswer(401, 'Unauthorized', message);
    return { ...refusal, headers: { ...refusal.headers, 'www-authenticate': 'Bearer realm="metrics"' } };
  }
  const { contentType, body } = await source.exposition();
  return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-store' }, body };
}

function jsonAnswer(status: number, code: string, message: string): ScrapeAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, message }) };
}

/** The separate metrics listener: `GET /metrics` on loopback, nothing else. */
export interface MetricsListener {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the loopback listener of METRICS_PORT (0 picks a free port). It answers `GET /metrics`
 * (the token is required here too when METRICS_TOKEN is set) and 404 to anything else. A port
 * that cannot be had stops start-up with a StartupError naming it.
 */
export async function startMetricsListener(port: number, source: MetricsSource, logger: Logger): Promise<MetricsListener> {
  const server: Server = createServer((req, res) => {
    // Not chained: restify, loaded in the same process, replaces writeHead with one that returns nothing.
    const send = (answer: ScrapeAnswer) => {
      res.writeHead(answer.status, answer.headers);
      res.end(req.method === 'HEAD' ? undefined : answer.body);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      send(jsonAnswer(404, 'NotFound', `Only GET ${METRICS_PATH} is served here.`));
      return;
    }
    answerScrape(source, req.headers.authorization).then(send, (error: unknown) => {
      logger.error({ event: 'metrics.scrape_failed', err: error }, 'could not collect metrics');
      send(jsonAnswer(500, 'InternalError', 'Metrics could not be collected; see the log.'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, METRICS_LISTEN_HOST, () => resolve());
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(`METRICS_PORT ${port} cannot be used on ${METRICS_LISTEN_HOST} (${code === 'EADDRINUSE' ? 'another program listens there' : (code ?? String(error))}); choose a free port.`);
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `http://${METRICS_LISTEN_HOST}:${bound}${METRICS_PATH}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (!(await stopWithin(5000, closed))) server.closeAllConnections();
      await closed;
    },
  };
}
