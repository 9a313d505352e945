import { randomUUID } from 'node:crypto';
import { z } from 'zod/v4';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { backoffDelayMs, parseRetryAfterMs } from '../rate-limit/backoff.js';
import { InProcessRateBudgets } from '../store/in-process-rate-budgets.js';
import { GRAPH_TENANT_WINDOW, TenantRateGate } from './tenant-rate-gate.js';
import { malformedResponseError, readGraphError, rejectionError, unreachableError, type GraphOperation } from './graph-errors.js';

/** Where the client gets an app-only Graph token for one customer tenant. */
export interface GraphTokenSource {
  /** `roles`, when the source can read them, are the application permissions the tenant granted. */
  getGraphToken(tenantId: string): Promise<{ token: string; roles?: readonly string[] }>;
  /** Graph refused the tenant's token: the next call must not be served from a cache. */
  forgetGraphToken(tenantId: string): void;
}

/** How one HTTP attempt to Graph ended: answered, refused (4xx), throttled (429), or failed (5xx, timeout, network). */
export type GraphAttemptOutcome = 'ok' | 'rejected' | 'throttled' | 'failed';

/** Told of every HTTP attempt to Graph, retries included (metrics). */
export interface GraphRequestObserver {
  graphRequest(tenantId: string, outcome: GraphAttemptOutcome, seconds: number): void;
}

/** Construction options; only baseUrl, tokens, clock and logger are required. */
export interface GraphSecurityClientOptions {
  /** e.g. https://graph.microsoft.com (no version segment). */
  baseUrl: string;
  tokens: GraphTokenSource;
  clock: Clock;
  logger: Logger;
  random?: () => number;
  /** Per attempt, headers and body included. */
  requestTimeoutMs?: number;
  /** Attempts allowed to fail with 5xx, a timeout or a network error before giving up. */
  maxAttempts?: number;
  /** 429 answers ridden out (each waits Retry-After) before giving up. */
  maxThrottledRetries?: number;
  /**
   * Where each tenant's budget of 150 requests a minute (alerts and incidents together) is kept:
   * the store's, shared by every instance. Without one, this process keeps its own.
   */
  rateGate?: TenantRateGate;
  backoff?: { baseMs: number; capMs: number };
  observer?: GraphRequestObserver;
}

type Attempt =
  | { kind: 'ok'; status: number; text: string; requestId?: string }
  | { kind: 'rejected'; status: number; body: unknown; requestId: string | null }
  | { kind: 'throttled'; waitMs?: number; requestId?: string }
  | { kind: 'transient'; problem: string; waitMs?: number; requestId?: string; cause?: unknown };

const OUTCOME_OF: Readonly<Record<Attempt['kind'], GraphAttemptOutcome>> = { ok: 'ok', rejected: 'rejected', throttled: 'throttled', transient: 'failed' };

/** One Graph call. */
export interface GraphRequest {
  method: 'GET' | 'PATCH' | 'POST';
  url: string;
  body?: unknown;
}

/**
 * How every Graph call is made, whatever it asks for. Each tenant has its own 150/min budget that
 * every attempt (retries too) passes through, so a throttled tenant waits alone; 429s pause that
 * tenant's budget for Retry-After, 5xx/timeouts back off and retry.
 */
export class GraphTransport {
  readonly baseUrl: string;
  private readonly rateGate: TenantRateGate;

  constructor(private readonly options: GraphSecurityClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.rateGate = options.rateGate ?? new TenantRateGate(new InProcessRateBudgets(options.clock), GRAPH_TENANT_WINDOW, options.clock);
  }

  /** How many more requests the tenant's budget would admit right now. */
  rateHeadroom(tenantId: string): Promise<number> {
    return this.rateGate.headroom(tenantId);
  }

  /** The application permissions in the tenant's current token, when its source can tell. */
  async grantedRoles(tenantId: string): Promise<readonly string[] | undefined> {
    return (await this.options.tokens.getGraphToken(tenantId)).roles;
  }

  /** Whether `link` is this Graph's `path` (a nextLink must be: the token goes wherever it points). */
  isApiUrl(link: string, path: string): boolean {
    try {
      const url = new URL(link);
      const base = new URL(this.baseUrl);
      return url.origin === base.origin && url.pathname === `${base.pathname.replace(/\/$/, '')}${path}`;
    } catch {
      return false;
    }
  }

  /** Reads a list page at `url` (a first page or a nextLink), both checked to stay on `path`. */
  async listPage<T extends { '@odata.nextLink'?: string | null }>(tenantId: string, op: GraphOperation, url: string, path: string, schema: z.ZodType<T>): Promise<T> {
    const outside = () => malformedResponseError(op, tenantId, 200, `nextLink points outside ${path}`);
    if (!this.isApiUrl(url, path)) throw outside();
    const body = await this.send(tenantId, op, { method: 'GET', url }, schema);
    const nextLink = body['@odata.nextLink'];
    if (nextLink !== undefined && nextLink !== null && !this.isApiUrl(nextLink, path)) throw outside();
    return body;
  }

  /** Sends one call with retries, throttling and typed errors; returns the body as `schema` reads it. */
  async send<T>(tenantId: string, op: GraphOperation, request: GraphRequest, schema: z.ZodType<T>): Promise<T> {
    const { clock, logger } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 4;
    const maxThrottled = this.options.maxThrottledRetries ?? 8;
    const backoff = this.options.backoff ?? { baseMs: 500, capMs: 8_000 };
    let failures = 0;
    let throttles = 0;
    for (let attempt = 1; ; attempt++) {
      await this.rateGate.acquire(tenantId);
      const outcome = await this.attempt(tenantId, request);
      const log = { tenantId, operation: op.name, alertId: op.alertId, incidentId: op.incidentId, attempt, requestId: outcome.requestId ?? undefined };
      if (outcome.kind === 'ok') {
        logger.debug({ ...log, status: outcome.status }, 'graph request succeeded');
        return this.parse(outcome, schema, op, tenantId);
      }
      if (outcome.kind === 'rejected') {
        const error = rejectionError(outcome.status, op, tenantId, readGraphError(outcome.body, outcome.requestId));
        logger.warn({ ...log, status: outcome.status, code: error.code }, 'graph request rejected');
        // A revoked consent or a removed permission shows here first; a cached token would keep
        // failing until it expires (up to an hour), even after the customer consents again.
        if (outcome.status === 401 || outcome.status === 403) this.options.tokens.forgetGraphToken(tenantId);
        throw error;
      }
      if (outcome.kind === 'throttled') {
        throttles++;
        if (throttles > maxThrottled) throw unreachableError(op, tenantId, attempt, 'throttled');
        const waitMs = outcome.waitMs ?? backoffDelayMs(throttles - 1, backoff, this.options.random);
        // The whole tenant is throttled, not just this request: hold every call for it.
        await this.rateGate.pause(tenantId, waitMs);
        logger.warn({ ...log, status: 429, delayMs: waitMs }, 'graph throttled the tenant; pausing it');
        continue;
      }
      failures++;
      if (failures >= maxAttempts) throw unreachableError(op, tenantId, attempt, outcome.problem, outcome.cause);
      const waitMs = outcome.waitMs ?? backoffDelayMs(failures - 1, backoff, this.options.random);
      logger.warn({ ...log, problem: outcome.problem, delayMs: waitMs }, 'graph request failed; retrying');
      await clock.sleep(waitMs);
    }
  }

  private async attempt(tenantId: string, request: GraphRequest): Promise<Attempt> {
    const { token } = await this.options.tokens.getGraphToken(tenantId);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      accept: 'application/json',
      prefer: 'include-unknown-enum-members',
      'client-request-id': randomUUID(),
    };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const timeoutMs = this.options.requestTimeoutMs ?? 15_000;
    const started = performance.now();
    let outcome: Attempt;
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      outcome = await this.classify(response);
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      outcome = { kind: 'transient', problem: timedOut ? `no answer within ${timeoutMs} ms` : 'network error', cause: error };
    }
    this.options.observer?.graphRequest(tenantId, OUTCOME_OF[outcome.kind], (performance.now() - started) / 1000);
    return outcome;
  }

  private async classify(response: Response): Promise<Attempt> {
    const requestId = response.headers.get('request-id');
    const text = await response.text();
    if (response.ok) return { kind: 'ok', status: response.status, text, requestId: requestId ?? undefined };
    const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), this.options.clock.nowMs());
    if (response.status === 429) return { kind: 'throttled', waitMs: retryAfterMs, requestId: requestId ?? undefined };
    if (response.status >= 500 || response.status === 408) {
      return { kind: 'transient', problem: `HTTP ${response.status}`, waitMs: retryAfterMs, requestId: requestId ?? undefined };
    }
    return { kind: 'rejected', status: response.status, body: parseJsonOrUndefined(text), requestId };
  }

  private parse<T>(outcome: { status: number; text: string; requestId?: string }, schema: z.ZodType<T>, op: GraphOperation, tenantId: string): T {
    const json = parseJsonOrUndefined(outcome.text);
    if (json === undefined) throw malformedResponseError(op, tenantId, outcome.status, 'body is not JSON', outcome.requestId);
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const problem = z.prettifyError(result.error).slice(0, 2000);
    throw malformedResponseError(op, tenantId, outcome.status, problem, outcome.requestId);
  }
}

function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
