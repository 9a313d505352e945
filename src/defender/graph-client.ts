import { randomUUID } from 'node:crypto';
import { z } from 'zod/v4';
import type { Clock } from '../clock.js';
import { UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { backoffDelayMs, parseRetryAfterMs } from '../rate-limit/backoff.js';
import { InProcessRateBudgets } from '../store/in-process-rate-budgets.js';
import {
  AlertCommentListResponseSchema,
  AlertListResponseSchema,
  AlertSchema,
  LEGACY_DETERMINATIONS,
  WRITABLE_CLASSIFICATIONS,
  WRITABLE_DETERMINATIONS,
  WRITABLE_STATUSES,
  currentDeterminationName,
  type Alert,
  type AlertComment,
} from './alert.js';
import { buildAlertQueryString, type AlertQuery } from './alert-query.js';
import { AlertFactsListResponseSchema, type AlertFacts } from './alert-facts.js';
import { GRAPH_TENANT_WINDOW, TenantRateGate } from './tenant-rate-gate.js';
import { malformedResponseError, readGraphError, rejectionError, unreachableError, type GraphOperation } from './graph-errors.js';

/** Where the client gets an app-only Graph token for one customer tenant. */
export interface GraphTokenSource {
  getGraphToken(tenantId: string): Promise<{ token: string }>;
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
   * Where each tenant's budget of 150 requests a minute is kept: the store's, shared by every
   * instance. Without one, this process keeps its own.
   */
  rateGate?: TenantRateGate;
  backoff?: { baseMs: number; capMs: number };
  observer?: GraphRequestObserver;
}

/** One page of alerts; `nextLink` is present while more pages remain. */
export interface AlertPage {
  alerts: Alert[];
  nextLink?: string;
  count?: number;
}

const AlertUpdateSchema = z
  .strictObject({
    status: z.enum(WRITABLE_STATUSES).optional(),
    classification: z.enum(WRITABLE_CLASSIFICATIONS).optional(),
    determination: z.enum([...WRITABLE_DETERMINATIONS, ...(Object.keys(LEGACY_DETERMINATIONS) as (keyof typeof LEGACY_DETERMINATIONS)[])]).optional(),
    assignedTo: z.string().min(1).max(320).nullable().optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), 'nothing to change');

/** The four properties an alert update may change. */
export type AlertUpdate = z.input<typeof AlertUpdateSchema>;

type Attempt =
  | { kind: 'ok'; status: number; text: string; requestId?: string }
  | { kind: 'rejected'; status: number; body: unknown; requestId: string | null }
  | { kind: 'throttled'; waitMs?: number; requestId?: string }
  | { kind: 'transient'; problem: string; waitMs?: number; requestId?: string; cause?: unknown };

const OUTCOME_OF: Readonly<Record<Attempt['kind'], GraphAttemptOutcome>> = { ok: 'ok', rejected: 'rejected', throttled: 'throttled', transient: 'failed' };

interface GraphRequest {
  method: 'GET' | 'PATCH' | 'POST';
  url: string;
  body?: unknown;
}

const ALERTS_PATH = '/v1.0/security/alerts_v2';

/**
 * Microsoft Graph security `alerts_v2` for many customer tenants. Each tenant has its own
 * 150/min budget that every attempt (retries too) passes through, so a throttled tenant waits
 * alone; 429s pause that tenant's budget for Retry-After, 5xx/timeouts back off and retry.
 */
export class GraphSecurityClient {
  private readonly baseUrl: string;
  private readonly rateGate: TenantRateGate;

  constructor(private readonly options: GraphSecurityClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.rateGate = options.rateGate ?? new TenantRateGate(new InProcessRateBudgets(options.clock), GRAPH_TENANT_WINDOW, options.clock);
  }

  /** The first page of alerts matching `query`, newest first. */
  async listAlerts(tenantId: string, query: AlertQuery = {}, { pageSize }: { pageSize?: number } = {}): Promise<AlertPage> {
    const qs = buildAlertQueryString(query, pageSize);
    return this.fetchPage(tenantId, `${this.baseUrl}${ALERTS_PATH}${qs ? `?${qs}` : ''}`);
  }

  /** The page an earlier page's `nextLink` points to (followed verbatim). */
  async nextAlertPage(tenantId: string, nextLink: string): Promise<AlertPage> {
    return this.fetchPage(tenantId, nextLink);
  }

  /** Every page in turn, following `@odata.nextLink` until it is absent or `maxPages` were read. */
  async *iterateAlertPages(
    tenantId: string,
    query: AlertQuery = {},
    { pageSize, maxPages = Infinity }: { pageSize?: number; maxPages?: number } = {},
  ): AsyncGenerator<AlertPage> {
    let page = await this.listAlerts(tenantId, query, { pageSize });
    for (let read = 1; ; read++) {
      yield page;
      if (page.nextLink === undefined || read >= maxPages) return;
      page = await this.nextAlertPage(tenantId, page.nextLink);
    }
  }

  /**
   * Like iterateAlertPages, but each alert is read as AlertFacts (what statistics count), which
   * costs a fraction of checking whole alerts.
   */
  async *iterateAlertFactPages(tenantId: string, query: AlertQuery, { pageSize, maxPages = Infinity }: { pageSize?: number; maxPages?: number } = {}): AsyncGenerator<{ alerts: AlertFacts[]; nextLink?: string }> {
    const qs = buildAlertQueryString(query, pageSize);
    let url: string | undefined = `${this.baseUrl}${ALERTS_PATH}${qs ? `?${qs}` : ''}`;
    for (let read = 0; url !== undefined && read < maxPages; read++) {
      const body: z.output<typeof AlertFactsListResponseSchema> = await this.fetchBody(tenantId, url, AlertFactsListResponseSchema);
      url = body['@odata.nextLink'] ?? undefined;
      yield { alerts: body.value, ...(url === undefined ? {} : { nextLink: url }) };
    }
  }

  /** One alert; NotFoundError when the tenant has no alert with that id. */
  async getAlert(tenantId: string, alertId: string): Promise<Alert> {
    const op: GraphOperation = { access: 'read', name: 'read the alert', alertId };
    return this.send(tenantId, op, { method: 'GET', url: this.alertUrl(alertId) }, AlertSchema);
  }

  /** Changes status, classification, determination and/or owner; returns the updated alert. */
  async updateAlert(tenantId: string, alertId: string, patch: AlertUpdate): Promise<Alert> {
    const parsed = AlertUpdateSchema.safeParse(patch);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UsageError(`Invalid alert update (${issue?.path.join('.') || 'update'}): ${issue?.message ?? 'not allowed'}.`);
    }
    const { determination, ...rest } = parsed.data;
    // Send only the current determination names; the old ones are accepted from callers for convenience.
    const body = determination === undefined ? rest : { ...rest, determination: currentDeterminationName(determination) };
    const op: GraphOperation = { access: 'write', name: 'update the alert', alertId };
    return this.send(tenantId, op, { method: 'PATCH', url: this.alertUrl(alertId), body }, AlertSchema);
  }

  /** Adds a comment; returns every comment on the alert, oldest first. */
  async addComment(tenantId: string, alertId: string, text: string): Promise<AlertComment[]> {
    if (text.trim() === '') throw new UsageError('A comment needs some text.');
    const op: GraphOperation = { access: 'write', name: 'comment on the alert', alertId };
    const body = { '@odata.type': 'microsoft.graph.security.alertComment', comment: text };
    const url = `${this.alertUrl(alertId)}/comments`;
    const result = await this.send(tenantId, op, { method: 'POST', url, body }, AlertCommentListResponseSchema);
    return result.value;
  }

  /** How many more requests the tenant's budget would admit right now. */
  rateHeadroom(tenantId: string): Promise<number> {
    return this.rateGate.headroom(tenantId);
  }

  private alertUrl(alertId: string): string {
    if (alertId.trim() === '' || alertId.length > 200) throw new UsageError('An alert id must be 1 to 200 characters long.');
    return `${this.baseUrl}${ALERTS_PATH}/${encodeURIComponent(alertId)}`;
  }

  private async fetchPage(tenantId: string, url: string): Promise<AlertPage> {
    const body = await this.fetchBody(tenantId, url, AlertListResponseSchema);
    const nextLink = body['@odata.nextLink'] ?? undefined;
    const page: AlertPage = { alerts: body.value };
    if (nextLink !== undefined) page.nextLink = nextLink;
    if (body['@odata.count'] !== undefined) page.count = body['@odata.count'];
    return page;
  }

  /** One page of the alerts list, read with `schema`; a nextLink outside the alerts API is refused. */
  private async fetchBody<T extends { '@odata.nextLink'?: string | null }>(tenantId: string, url: string, schema: z.ZodType<T>): Promise<T> {
    const op: GraphOperation = { access: 'read', name: 'list alerts' };
    // The token goes wherever the link points, so only links back to the same API are followed.
    if (!this.isAlertsUrl(url)) throw malformedResponseError(op, tenantId, 200, 'nextLink points outside the alerts API');
    const body = await this.send(tenantId, op, { method: 'GET', url }, schema);
    const nextLink = body['@odata.nextLink'] ?? undefined;
    if (nextLink !== undefined && !this.isAlertsUrl(nextLink)) throw malformedResponseError(op, tenantId, 200, 'nextLink points outside the alerts API');
    return body;
  }

  private isAlertsUrl(link: string): boolean {
    try {
      const url = new URL(link);
      return url.origin === new URL(this.baseUrl).origin && url.pathname === `${new URL(this.baseUrl).pathname.replace(/\/$/, '')}${ALERTS_PATH}`;
    } catch {
      return false;
    }
  }

  private async send<T>(tenantId: string, op: GraphOperation, request: GraphRequest, schema: z.ZodType<T>): Promise<T> {
    const { clock, logger } = this.options;
    const maxAttempts = this.options.maxAttempts ?? 4;
    const maxThrottled = this.options.maxThrottledRetries ?? 8;
    const backoff = this.options.backoff ?? { baseMs: 500, capMs: 8_000 };
    let failures = 0;
    let throttles = 0;
    for (let attempt = 1; ; attempt++) {
      await this.rateGate.acquire(tenantId);
      const outcome = await this.attempt(tenantId, request);
      const log = { tenantId, operation: op.name, alertId: op.alertId, attempt, requestId: outcome.requestId ?? undefined };
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
