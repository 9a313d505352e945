import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import type { AlertPage } from '../defender/graph-client.js';
import type { AlertQuery } from '../defender/alert-query.js';
import type { Logger } from '../log.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { IncidentReader } from './incident-reader.js';
import { emptyIntake, type AlertIntake, type IntakeResult } from './intake.js';
import { alertKeyOf, isNewer, type DeliveryLedger } from './ledger.js';
import { StopSignal, sleepUnless } from './pacing.js';
import { stopWithin } from '../stop-within.js';
import type { PollCursor } from './store-schema.js';

/** The part of the Graph client the poller uses. */
export interface PollingGraph {
  listAlerts(tenantId: string, query: AlertQuery, options: { pageSize?: number }): Promise<AlertPage>;
  nextAlertPage(tenantId: string, nextLink: string): Promise<AlertPage>;
  rateHeadroom(tenantId: string): Promise<number>;
}

/** A page chain longer than one poll reads: the next poll goes on from here. */
interface Continuation {
  readonly nextLink: string;
  /** The newest lastUpdateDateTime read so far in this chain. */
  readonly newest: string;
}

export interface PollerOptions {
  /** Each tenant is polled this often; tenants are spread over the interval. */
  readonly intervalMs: number;
  /** Each poll re-reads this much before the watermark: alerts can reach the API after their lastUpdateDateTime. */
  readonly overlapMs: number;
  readonly pageSize: number;
  /** A poll reads at most this many pages; a longer chain is continued by the next poll, and the watermark moves when the chain ends. */
  readonly maxPages: number;
  /** A poll waits for the next round when fewer Graph requests than this are left in the tenant's budget (kept for analysts). */
  readonly headroomReserve: number;
}

export type PollOutcome = 'ok' | 'deferred' | 'failed' | 'stopped';

/** Told of every poll when it ends, with how long it took (metrics). */
export interface PollObserver {
  pollDone(outcome: PollOutcome, seconds: number): void;
}

export interface PollReport {
  readonly tenantId: string;
  readonly outcome: PollOutcome;
  readonly alertsRead: number;
  /** Whether the whole page chain was read (only then does the watermark move). */
  readonly complete: boolean;
  readonly result?: IntakeResult;
}

export interface PollerCounters {
  polls: number;
  failed: number;
  deferred: number;
  pages: number;
  alertsRead: number;
  newAlerts: number;
  changedAlerts: number;
}

/** Where in the interval a tenant polls: stable across restarts, spread evenly by hash. */
export function pollOffsetMs(tenantId: string, intervalMs: number): number {
  const hash = createHash('sha256').update(tenantId).digest().readUInt32BE(0);
  return Math.floor((hash / 2 ** 32) * intervalMs);
}

/**
 * Polls every connected tenant on its own schedule for alerts changed since its watermark (less
 * an overlap), one poll per tenant at a time. A tenant's failure or throttling is its own: its
 * poll fails or waits in its own Graph limiter while the others carry on. What a poll found is on
 * disk — outbox entries and the new watermark in one write — before any of it is posted.
 */
export class AlertPoller {
  private readonly due = new Map<string, number>();
  private readonly tenantsById = new Map<string, TenantRecord>();
  private readonly inFlight = new Map<string, Promise<PollReport>>();
  private readonly continuations = new Map<string, Continuation>();
  private loop: Promise<void> | undefined;
  private readonly signal = new StopSignal();
  readonly counters: PollerCounters = { polls: 0, failed: 0, deferred: 0, pages: 0, alertsRead: 0, newAlerts: 0, changedAlerts: 0 };

  constructor(
    private readonly deps: {
      graph: PollingGraph;
      tenants: { connected(): TenantRecord[]; find(ref: string): TenantRecord | undefined; recordSuccess(tenantId: string): Promise<void> };
      /** Records a failed poll against the tenant (health shown by `tenants`). */
      failures: { failed(tenant: TenantRecord, error: unknown): Promise<string> };
      ledger: DeliveryLedger;
      intake: AlertIntake;
      /** Reads the incidents incident threads show (absent: every alert is delivered on its own). */
      incidents?: IncidentReader;
      dispatch(result: IntakeResult): void;
      /** Brings shared state (tenants, links, rules) up to date with other instances' changes. */
      refreshState?: () => Promise<void>;
      observer?: PollObserver;
      clock: Clock;
      logger: Logger;
    },
    private readonly options: PollerOptions,
  ) {}

  start(): void {
    if (this.loop || this.options.intervalMs <= 0) return;
    this.loop = this.run().catch((error: unknown) => this.deps.logger.error({ event: 'poller.crashed', err: error }, 'the alert poller stopped'));
  }

  /** Stops scheduling; waits (up to `timeoutMs`) for polls in flight, whose results are then kept. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.signal.stop();
    await this.loop;
    await stopWithin(timeoutMs, Promise.all([...this.inFlight.values()]));
  }

  private async run(): Promise<void> {
    const { clock } = this.deps;
    const interval = this.options.intervalMs;
    let nextRefresh = 0;
    while (!this.signal.isStopped) {
      const now = clock.nowMs();
      if (now >= nextRefresh) {
        await this.refreshShared();
        this.refresh(now);
        nextRefresh = now + Math.min(interval, 5000);
      }
      let wakeAt = nextRefresh;
      for (const [tenantId, dueAt] of this.due) {
        let next = dueAt;
        if (dueAt <= now) {
          const tenant = this.tenantsById.get(tenantId);
          if (tenant && !this.inFlight.has(tenantId)) void this.pollTenant(tenant);
          next = dueAt + interval;
          // Fell behind (a long pause, a slow machine): skip the missed rounds rather than bunching them.
          if (next <= now) next = now + interval;
          this.due.set(tenantId, next);
        }
        wakeAt = Math.min(wakeAt, next);
      }
      await sleepUnless(clock, Math.max(1, wakeAt - clock.nowMs()), this.signal);
    }
  }

  /** Follows the connected tenants: new ones join at their offset in the interval, others leave. */
  private refresh(now: number): void {
    const interval = this.options.intervalMs;
    const connected = this.deps.tenants.connected();
    const ids = new Set(connected.map((t) => t.tenantId));
    for (const id of [...this.due.keys()]) {
      if (!ids.has(id)) {
        this.due.delete(id);
        this.tenantsById.delete(id);
      }
    }
    for (const tenant of connected) {
      this.tenantsById.set(tenant.tenantId, tenant);
      if (this.due.has(tenant.tenantId)) continue;
      const phase = pollOffsetMs(tenant.tenantId, interval);
      const cycleStart = now - (now % interval);
      this.due.set(tenant.tenantId, cycleStart + phase >= now ? cycleStart + phase : cycleStart + phase + interval);
    }
  }

  /** Polls one tenant now (or joins the poll already running for it). */
  pollTenant(tenant: TenantRecord): Promise<PollReport> {
    const running = this.inFlight.get(tenant.tenantId);
    if (running) return running;
    const started = performance.now();
    const poll = this.pollOnce(tenant)
      .then((report) => {
        this.deps.observer?.pollDone(report.outcome, (performance.now() - started) / 1000);
        return report;
      })
      .finally(() => this.inFlight.delete(tenant.tenantId));
    this.inFlight.set(tenant.tenantId, poll);
    return poll;
  }

  private async refreshShared(): Promise<void> {
    await this.deps.refreshState?.().catch((error: unknown) => this.deps.logger.warn({ event: 'poller.refresh_failed', err: error }, 'could not read shared state; polling with what is known'));
  }

  /** The tenant's Graph budget left now; 0 (poll later) when the store that keeps it does not answer. */
  private async headroom(tenant: TenantRecord): Promise<number> {
    try {
      return await this.deps.graph.rateHeadroom(tenant.tenantId);
    } catch (error) {
      this.deps.logger.warn({ event: 'poller.budget_unreadable', tenant: tenant.handle, err: error }, 'could not read the Graph budget; polling this tenant next round');
      return 0;
    }
  }

  private async pollOnce(tenant: TenantRecord): Promise<PollReport> {
    const { clock, ledger, logger } = this.deps;
    const tenantId = tenant.tenantId;
    if ((await this.headroom(tenant)) < this.options.headroomReserve) {
      this.counters.deferred++;
      logger.debug({ event: 'poller.deferred', tenant: tenant.handle }, 'Graph budget low; polling this tenant next round');
      return { tenantId, outcome: 'deferred', alertsRead: 0, complete: false };
    }
    const startedIso = clock.now().toISOString();
    const cursor: PollCursor = ledger.cursor(tenantId) ?? { tenantId, since: startedIso, watermark: startedIso, updatedAt: startedIso };
    const alerts: Alert[] = [];
    let complete = false;
    let nextLink: string | undefined;
    const continuing = this.continuations.get(tenantId);
    try {
      const { graph } = this.deps;
      const updatedSince = new Date(Date.parse(cursor.watermark) - this.options.overlapMs);
      let page = continuing ? await graph.nextAlertPage(tenantId, continuing.nextLink) : await graph.listAlerts(tenantId, { updatedSince }, { pageSize: this.options.pageSize });
      for (let read = 1; ; read++) {
        this.counters.pages++;
        alerts.push(...page.alerts);
        if (page.nextLink === undefined) {
          complete = true;
          break;
        }
        if (read >= this.options.maxPages || this.signal.isStopped) {
          nextLink = page.nextLink;
          break;
        }
        page = await graph.nextAlertPage(tenantId, page.nextLink);
      }
    } catch (error) {
      // A failed continuation starts over from the watermark next time.
      this.continuations.delete(tenantId);
      this.counters.failed++;
      if (!this.signal.isStopped) await this.deps.failures.failed(tenant, error).catch(() => undefined);
      return { tenantId, outcome: 'failed', alertsRead: alerts.length, complete: false };
    }
    if (this.signal.isStopped) return { tenantId, outcome: 'stopped', alertsRead: alerts.length, complete };
    this.counters.polls++;
    this.counters.alertsRead += alerts.length;
    // Routing must see every rule and link made before these alerts existed, on any instance.
    if (alerts.length > 0) await this.refreshShared();
    try {
      // Each alert is judged against its stored records (seen before? changed?), so they come first.
      await ledger.hydrate(alerts.map((alert) => alertKeyOf(tenantId, alert.id)));
    } catch (error) {
      // Nothing moved: the next poll reads these alerts again.
      logger.error({ event: 'poller.records_unreadable', tenant: tenant.handle, err: error }, 'could not read the delivery records of the alerts found; polling again next round');
      return { tenantId, outcome: 'failed', alertsRead: alerts.length, complete: false };
    }
    const result = emptyIntake();
    const current = this.deps.tenants.find(tenantId) ?? tenant;
    if (alerts.length > 0) await this.deps.incidents?.checkAccess(current);
    for (const alert of alerts) this.deps.intake.absorb(current, alert, cursor, result);
    // Incidents changed in the portal, and those whose alerts joined or changed, are read before anything is recorded or posted.
    const threadEdits = [...((await this.deps.incidents?.readRecent(current).catch(() => [])) ?? []), ...((await this.deps.incidents?.refresh(current).catch(() => [])) ?? [])];
    result.work.push(...threadEdits);
    let newest = continuing?.newest ?? cursor.watermark;
    for (const alert of alerts) if (isNewer(alert.lastUpdateDateTime, newest)) newest = alert.lastUpdateDateTime;
    if (nextLink !== undefined) {
      this.continuations.set(tenantId, { nextLink, newest });
      logger.warn({ event: 'poller.continues', tenant: tenant.handle, pages: this.options.maxPages }, 'more changed alerts than one poll reads; the next poll goes on where this one stopped');
    } else {
      this.continuations.delete(tenantId);
    }
    // The watermark moves only when a whole page chain has been read.
    const watermark = complete ? newest : cursor.watermark;
    const moved = watermark !== cursor.watermark || ledger.cursor(tenantId) === undefined;
    if (moved) ledger.putCursor({ ...cursor, watermark, updatedAt: clock.now().toISOString() });
    this.counters.newAlerts += result.newAlerts;
    this.counters.changedAlerts += result.changedAlerts;
    await this.noteSuccess(current);
    // The outbox entries and the watermark reach the disk in the same write, before anything is
    // posted. A poll that found nothing new writes nothing now (its poll time rides along later).
    if (moved || result.newAlerts > 0 || result.changedAlerts > 0 || threadEdits.length > 0) {
      await ledger.journal.flush().catch((error: unknown) => logger.error({ event: 'poller.unrecorded', tenant: tenant.handle, err: error }, 'poll results not on disk; delivering them anyway'));
    }
    this.deps.dispatch(result);
    if (result.newAlerts > 0 || result.changedAlerts > 0) {
      logger.info({ event: 'poller.found', tenant: tenant.handle, newAlerts: result.newAlerts, changed: result.changedAlerts, deliveries: result.newDeliveries }, 'new or changed alerts');
    }
    return { tenantId, outcome: 'ok', alertsRead: alerts.length, complete, result };
  }

  /** A healthy tenant's poll time rides along with the next write; a tenant recovering from trouble is cleared at once. */
  private async noteSuccess(tenant: TenantRecord): Promise<void> {
    if (tenant.lastError || tenant.status === 'needs-attention') {
      await this.deps.tenants.recordSuccess(tenant.tenantId).catch(() => undefined);
      return;
    }
    this.deps.ledger.journal.notePoll(tenant.tenantId, this.deps.clock.now().toISOString(), true);
  }
}
