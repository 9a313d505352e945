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

/**
 * At least 32 characters, visible ASCII only: the token travels in an HTTP header, where spaces
 * and control characters do not survive.
 */
export const METRICS_TOKEN_PATTERN = /^[\x21-\x7e]{32,}$/;

/** METRICS_TOKEN and METRICS_PORT (each already checked on its own) into a MetricsConfig. */
export function resolveMetrics(vars: { METRICS_TOKEN?: string | undefined; METRICS_PORT?: number | undefined; PORT: number }, problems: ConfigProblem[]): MetricsConfig {
  const token = vars.METRICS_TOKEN;
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
