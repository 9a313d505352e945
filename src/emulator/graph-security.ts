import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import { startLoopbackServer, sendJson, type RunningServer, type TlsMaterial } from './http-kit.js';
import { handleAlertRoute, type RouteContext } from './graph-security-routes.js';
import { handleIncidentRoute, incidentWebUrl } from './graph-incident-routes.js';
import { presentIncident, sortedAlerts, type IncidentPatch, type IncidentRecord } from './incident-book.js';
import { TenantState, TokenBucket, type GraphFault, type RecordedRequest, type TenantCounters } from './graph-tenant-state.js';
import { readEmulatorAccessToken, type EmulatorTokenClaims } from './tokens.js';

export type { GraphFault, RecordedRequest, TenantCounters } from './graph-tenant-state.js';

/** Settings of the Graph security emulator. */
export interface GraphSecurityEmulatorOptions {
  tls: TlsMaterial;
  clock?: Clock;
  port?: number;
  /** Page size without `$top` (default 100). */
  defaultPageSize?: number;
  /** Largest page served whatever `$top` asks (default 500). */
  maxPageSize?: number;
  /** Graph's per-app-per-tenant throttle (default 150 per minute); false switches it off. */
  throttle?: { limit: number; periodMs: number } | false;
  /** Every authenticated request is answered after this much real time: a slow Graph, for benchmarks (default none). */
  responseDelayMs?: number;
  /** Called after any change to a tenant's alerts or incidents: seeded, raised, changed by PATCH or a comment, merged, removed. */
  onAlertsChanged?: (tenantId: string) => void;
}

const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000']);

/**
 * Microsoft Graph security `alerts_v2` and `incidents` on loopback HTTPS (reference §3.10, §6):
 * per-tenant stores chosen by the token's `tid`, every alert in one incident, OData list semantics,
 * role checks, evolvable enums, PATCH and comments, a per-tenant throttle shared by both APIs,
 * scripted faults, and request counters for tests and benchmarks.
 */
/** A served incident as tests read it: Graph's fields, and the ids of its alerts newest first. */
export type EmulatedIncident = Record<string, unknown> & { id: string; status: string; severity: string; lastUpdateDateTime: string; alertIds: string[] };

export class GraphSecurityEmulator {
  private readonly tenants = new Map<string, TenantState>();
  private readonly pendingDelays = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private server: RunningServer | undefined;
  private servicePrincipalOf: ((tenantId: string, appId: string) => string | undefined) | undefined;
  private closed = false;
  private inFlightCount = 0;
  private handledCount = 0;

  private constructor(private readonly options: GraphSecurityEmulatorOptions & { clock: Clock }) {}

  /** Starts the emulator on a free loopback port (or `port`). */
  static async start(options: GraphSecurityEmulatorOptions): Promise<GraphSecurityEmulator> {
    const emulator = new GraphSecurityEmulator({ ...options, clock: options.clock ?? systemClock });
    emulator.server = await startLoopbackServer((req, res) => void emulator.handle(req, res), { tls: options.tls, port: options.port });
    return emulator;
  }

  /** e.g. https://127.0.0.1:41234: what a client uses in place of https://graph.microsoft.com. */
  get baseUrl(): string {
    if (!this.server) throw new Error('GraphSecurityEmulator is not running');
    return this.server.url;
  }

  /** Requests being answered right now. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** Requests answered (or dropped) since start, across tenants. */
  get handled(): number {
    return this.handledCount;
  }

  /** Stops listening, cuts open connections and abandons delayed answers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of [...this.pendingDelays]) pending.resolve();
    await this.server?.close();
  }

  /** Creates an empty tenant (tenants also appear on first use). */
  addTenant(tenantId: string): void {
    this.tenant(tenantId);
  }

  /** Adds alerts to a tenant's store (replacing any with the same id); an incident met for the first time is made from all its alerts. */
  seedAlerts(tenantId: string, alerts: readonly Alert[]): void {
    this.tenant(tenantId).putAll(structuredClone(alerts) as Alert[]);
  }

  /** Restores incident records kept from an earlier run (before their alerts are seeded). */
  restoreIncidents(tenantId: string, records: readonly IncidentRecord[]): void {
    this.tenant(tenantId).incidents.restore(records);
  }

  /** The tenant's incident records as kept (the sandbox saves them). */
  incidentRecords(tenantId: string): IncidentRecord[] {
    return structuredClone([...this.tenant(tenantId).incidents.records.values()]);
  }

  /** The tenant's incidents as Graph serves them (every member, as with the Prefer header), newest first by creation. */
  incidents(tenantId: string): EmulatedIncident[] {
    return this.tenant(tenantId).incidents.views().map((view) => ({
      ...(presentIncident(view, tenantId, incidentWebUrl(view.record.id, tenantId)) as EmulatedIncident),
      alertIds: sortedAlerts(view.alerts).map((a) => a.id),
    }));
  }

  /** Changes an incident as an analyst in the Defender portal would (owner and resolution reach its alerts). */
  mutateIncident(tenantId: string, incidentId: string, patch: IncidentPatch): void {
    const state = this.tenant(tenantId);
    if (!state.incidents.records.has(incidentId)) throw new Error(`no incident ${incidentId} in emulated tenant ${tenantId}`);
    state.incidents.update(incidentId, patch, this.options.clock.now().toISOString());
    state.changed();
  }

  /** Defender's correlation merges one incident into another: `from` becomes `redirected` to `into`, which takes its alerts. */
  mergeIncidents(tenantId: string, fromId: string, intoId: string): void {
    const state = this.tenant(tenantId);
    state.incidents.merge(fromId, intoId, this.options.clock.now().toISOString(), (id) => incidentWebUrl(id, tenantId));
    state.changed();
  }

  /** Removes alerts from a tenant's store, as if Defender no longer had them; returns how many went. */
  removeAlerts(tenantId: string, alertIds: readonly string[]): number {
    return this.tenant(tenantId).remove(alertIds);
  }

  /** Adds one new alert, as Defender raising it; returns what is stored. */
  raiseAlert(tenantId: string, alert: Alert): Alert {
    this.seedAlerts(tenantId, [alert]);
    return structuredClone(alert);
  }

  /** Changes an alert as an analyst in the Defender portal would; lastUpdateDateTime moves to now. */
  mutateAlert(tenantId: string, alertId: string, patch: Partial<Alert>): Alert {
    const state = this.tenant(tenantId);
    const alert = state.alerts.get(alertId);
    if (!alert) throw new Error(`no alert ${alertId} in emulated tenant ${tenantId}`);
    const now = this.options.clock.now().toISOString();
    const updated: Alert = { ...alert, ...structuredClone(patch), lastUpdateDateTime: now };
    if (patch.status === 'resolved' && alert.status !== 'resolved' && patch.resolvedDateTime === undefined) updated.resolvedDateTime = now;
    state.put(updated);
    return structuredClone(updated);
  }

  /** A copy of the tenant's alerts, newest first. */
  alerts(tenantId: string): Alert[] {
    return structuredClone(this.tenant(tenantId).sortedAlerts());
  }

  /**
   * Makes Graph refuse (401) an app token whose service principal no longer exists in its tenant,
   * as after the customer deletes the enterprise app: `servicePrincipalOf` names the current one
   * (the Entra emulator's `servicePrincipalId`). Off by default: tokens are then trusted until
   * they expire.
   */
  followServicePrincipals(servicePrincipalOf: (tenantId: string, appId: string) => string | undefined): void {
    this.servicePrincipalOf = servicePrincipalOf;
  }

  /** Queues faults the tenant's next requests meet, one per request, in order. */
  injectFaults(tenantId: string, faults: readonly GraphFault[]): void {
    this.tenant(tenantId).faults.push(...faults);
  }

  /** Requests the tenant sent, in total and per status. */
  counters(tenantId: string): TenantCounters {
    return structuredClone(this.tenant(tenantId).counters);
  }

  /** Every request the tenant sent, oldest first, with the emulator clock's time of arrival. */
  requests(tenantId: string): RecordedRequest[] {
    return structuredClone(this.tenant(tenantId).log);
  }

  /** Zeroes every tenant's counters and request log (alerts stay). */
  resetCounters(): void {
    for (const state of this.tenants.values()) {
      state.counters = { requests: 0, byStatus: {}, throttled: 0 };
      state.log.length = 0;
    }
  }

  private tenant(tenantId: string): TenantState {
    let state = this.tenants.get(tenantId);
    if (!state) {
      const throttle = this.options.throttle ?? { limit: 150, periodMs: 60_000 };
      const onChange = this.options.onAlertsChanged;
      state = new TenantState(throttle ? new TokenBucket(throttle.limit, throttle.periodMs, this.options.clock.nowMs()) : undefined, onChange ? () => onChange(tenantId) : undefined);
      this.tenants.set(tenantId, state);
    }
    return state;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlightCount++;
    const header = req.headers['client-request-id'];
    const ctx: RouteContext = {
      req,
      res,
      requestId: randomUUID(),
      clientRequestId: typeof header === 'string' ? header : randomUUID(),
      clock: this.options.clock,
      baseUrl: this.baseUrl,
      pageSizes: { defaultSize: this.options.defaultPageSize ?? 100, maxSize: this.options.maxPageSize ?? 500 },
      reply: (status, body, headers) => this.reply(ctx, status, body, headers),
      fail: (status, code, message, headers) => this.reply(ctx, status, errorBody(ctx, code, message), headers),
    };
    try {
      await this.serve(ctx);
    } catch {
      if (!res.headersSent) ctx.fail(500, 'InternalServerError', 'The emulator failed to process the request.');
    } finally {
      this.inFlightCount--;
      this.handledCount++;
    }
  }

  private async serve(ctx: RouteContext): Promise<void> {
    const claims = this.authenticate(ctx);
    if (!claims) return;
    const state = this.tenant(claims.tid);
    ctx.tenant = state;
    ctx.claims = claims;
    state.counters.requests++;
    ctx.record = { atMs: this.options.clock.nowMs(), method: ctx.req.method ?? 'GET', url: ctx.req.url ?? '/' };
    state.log.push(ctx.record);
    if (this.options.responseDelayMs) await this.delay(this.options.responseDelayMs, ctx.res);
    if (this.closed || ctx.res.destroyed) return;
    const fault = state.faults.shift();
    if (fault && (await this.applyFault(ctx, fault))) return;
    const admitted = state.bucket?.take(this.options.clock.nowMs()) ?? { ok: true };
    if (!admitted.ok) {
      state.counters.throttled++;
      ctx.fail(429, 'TooManyRequests', 'Please retry again later.', { 'retry-after': (admitted.retryAfterMs / 1000).toFixed(3) });
      return;
    }
    const path = new URL(ctx.req.url ?? '/', this.baseUrl).pathname;
    await (/^\/v1\.0\/security\/incidents(\/|$)/.test(path) ? handleIncidentRoute(ctx) : handleAlertRoute(ctx));
  }

  /** Applies a scripted fault; returns whether it answered the request. */
  private async applyFault(ctx: RouteContext, fault: GraphFault): Promise<boolean> {
    if (fault.delayMs !== undefined) await this.delay(fault.delayMs, ctx.res);
    if (this.closed || ctx.res.destroyed) return true;
    if (fault.dropConnection) {
      ctx.tenant?.count(0);
      ctx.req.socket.destroy();
      return true;
    }
    if (fault.rawBody !== undefined) {
      const status = fault.status ?? 200;
      ctx.tenant?.count(status);
      if (ctx.record) ctx.record.status = status;
      ctx.res.writeHead(status, { 'content-type': 'application/json', 'request-id': ctx.requestId });
      ctx.res.end(fault.rawBody);
      return true;
    }
    if (fault.status === undefined) return false;
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    ctx.fail(fault.status, fault.code ?? defaultCode(fault.status), fault.message ?? 'Injected fault.', headers);
    return true;
  }

  private authenticate(ctx: RouteContext): EmulatorTokenClaims | undefined {
    const header = ctx.req.headers.authorization ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    const claims = token === undefined ? undefined : readEmulatorAccessToken(token);
    let problem: string | undefined;
    if (token === undefined) problem = 'Access token is empty.';
    else if (!claims) problem = 'Access token validation failure. Invalid token.';
    else if (claims.aud !== undefined && !GRAPH_AUDIENCES.has(claims.aud)) problem = 'Access token validation failure. Invalid audience.';
    else if (claims.exp * 1000 <= this.options.clock.nowMs()) problem = 'Lifetime validation failed, the token is expired.';
    else if (this.servicePrincipalOf && (claims.oid === undefined || this.servicePrincipalOf(claims.tid, claims.appid) !== claims.oid)) {
      problem = 'Access token validation failure. The service principal the token was issued to does not exist in this tenant.';
    }
    if (problem === undefined) return claims;
    if (claims) {
      ctx.tenant = this.tenant(claims.tid);
      ctx.tenant.counters.requests++;
    }
    ctx.fail(401, 'InvalidAuthenticationToken', problem, { 'www-authenticate': 'Bearer realm=""' });
    return undefined;
  }

  /** Waits `ms` of real time, or less if the client hangs up first (as a timed-out client does). */
  private delay(ms: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(pending.timer);
        this.pendingDelays.delete(pending);
        res.off('close', finish);
        resolve();
      };
      const pending = { timer: setTimeout(finish, ms), resolve: finish };
      this.pendingDelays.add(pending);
      res.once('close', finish);
    });
  }

  private reply(ctx: RouteContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
    ctx.tenant?.count(status);
    if (ctx.record) ctx.record.status = status;
    if (ctx.res.destroyed || ctx.res.headersSent) return;
    sendJson(ctx.res, status, body, { 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId, ...headers });
  }
}

function errorBody(ctx: RouteContext, code: string, message: string) {
  return {
    error: {
      code,
      message,
      innerError: { date: ctx.clock.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), 'request-id': ctx.requestId, 'client-request-id': ctx.clientRequestId },
    },
  };
}

function defaultCode(status: number): string {
  if (status === 429) return 'TooManyRequests';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalServerError';
  if (status === 404) return 'NotFound';
  if (status === 403) return 'Forbidden';
  if (status === 401) return 'InvalidAuthenticationToken';
  return 'BadRequest';
}
