import type { Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { incidentKeyOf, threadKeyOf } from './incident-ledger.js';
import { alertKeyOf, deliveryKeyOf, isNewer, type DeliveryLedger } from './ledger.js';
import type { AlertRouter, DeliveryCompanion, DeliveryTarget, RoutedTarget } from './ports.js';
import type { PollCursor, SampleInfo } from './store-schema.js';
import type { DeliveryWork } from './worker.js';

/** What a batch of alerts meant, and the work to start once its records are on disk. */
export interface IntakeResult {
  work: DeliveryWork[];
  newAlerts: number;
  changedAlerts: number;
  duplicates: number;
  /** Seen for the first time but older than polling (or the retention window): never delivered. */
  backlog: number;
  newDeliveries: number;
}

export function emptyIntake(): IntakeResult {
  return { work: [], newAlerts: 0, changedAlerts: 0, duplicates: 0, backlog: 0, newDeliveries: 0 };
}

/**
 * Turns alerts into delivery records. An alert is identified by (id, lastUpdateDateTime): the same
 * pair again is a duplicate (polls overlap on purpose), a newer one is a change that every kind's
 * worker brings its deliveries up to date with, and an id never seen is a new alert that the router
 * sends to its targets — unless it was created before polling began, which makes it backlog, not news.
 * The alert's records must be in memory first (`DeliveryLedger.hydrate`).
 */
export class AlertIntake {
  constructor(
    private readonly deps: {
      ledger: DeliveryLedger;
      router: AlertRouter;
      /** Every kind's worker: what a change means for its deliveries. */
      planChange(alertKey: string): DeliveryWork[];
      /** A target's key across kinds (the target registry's). */
      targetKeyOf(target: DeliveryTarget): string;
      /** Whether a kind's worker delivers by incident thread (`group:incident`); the others get a message per alert. */
      threaded(kind: string): boolean;
      clock: Clock;
      /** Told of new alerts routed and of changes seen (escalations follow them). */
      watchers?: readonly Pick<DeliveryCompanion, 'alertRouted' | 'alertChanged'>[];
    },
    private readonly options: { overlapMs: number; retentionMs: number },
  ) {}

  absorb(tenant: TenantRecord, alert: Alert, cursor: PollCursor, into: IntakeResult): void {
    const key = alertKeyOf(tenant.tenantId, alert.id);
    this.deps.ledger.requireHeld(key);
    const snapshot = this.deps.ledger.snapshot(key);
    if (snapshot) {
      if (isNewer(alert.lastUpdateDateTime, snapshot.version)) this.changed(key, alert, into);
      else into.duplicates++;
      return;
    }
    if (!this.isNew(alert, cursor)) {
      into.backlog++;
      return;
    }
    this.record(tenant, alert, this.deps.router.route(tenant, alert), into);
  }

  /**
   * New means created after polling of the tenant began (less the overlap, for alerts that reach
   * the API late) and within the retention window, so an alert whose records were pruned is never
   * delivered a second time when it changes again.
   */
  isNew(alert: Alert, cursor: PollCursor): boolean {
    const created = Date.parse(alert.createdDateTime);
    const since = Date.parse(cursor.since) - this.options.overlapMs;
    return created >= since && created >= this.deps.clock.nowMs() - this.options.retentionMs;
  }

  /**
   * Records one outbox entry per target not already recorded for this alert (marked as a sample
   * when `sample` is given); returns the keys of the entries it made.
   */
  record(tenant: TenantRecord, alert: Alert, routed: readonly RoutedTarget[], into: IntakeResult, sample?: SampleInfo): string[] {
    const { ledger } = this.deps;
    ledger.requireHeld(alertKeyOf(tenant.tenantId, alert.id));
    const now = ledger.now();
    const made: string[] = [];
    for (const r of routed) {
      const key = deliveryKeyOf(tenant.tenantId, alert.id, this.deps.targetKeyOf(r.target));
      if (ledger.delivery(key)) continue;
      const threadKey = sample ? undefined : this.threadOf(tenant, alert, r);
      ledger.addDelivery({ key, tenantId: tenant.tenantId, alertId: alert.id, target: r.target, ruleId: r.ruleId, options: r.options, state: 'pending', seq: ledger.nextSeq(), attempts: 0, createdAt: now, updatedAt: now, ...(sample ? { sample } : {}), ...(threadKey ? { threadKey } : {}) });
      into.work.push({ targetKind: r.target.kind, action: 'post', ref: key });
      into.newDeliveries++;
      made.push(key);
    }
    if (!sample) for (const watcher of this.deps.watchers ?? []) watcher.alertRouted(tenant, alert, routed);
    const waiting = made.length > 0;
    const alertKey = alertKeyOf(tenant.tenantId, alert.id);
    const existing = ledger.snapshot(alertKey);
    if (existing && !isNewer(alert.lastUpdateDateTime, existing.version) && !waiting) return made;
    ledger.putSnapshot(
      {
        tenantId: tenant.tenantId,
        alertId: alert.id,
        version: alert.lastUpdateDateTime,
        createdDateTime: alert.createdDateTime,
        firstSeenAt: existing?.firstSeenAt ?? now,
        updatedAt: now,
      },
      waiting || existing?.body !== undefined ? alert : undefined,
    );
    if (!existing) into.newAlerts++;
    return made;
  }

  /**
   * The incident thread an alert goes to at this target, made on its first alert: only under
   * `group:incident`, for an alert in an incident whose tenant lets its incidents be read, and a
   * kind that threads. Anything else is delivered alert by alert.
   */
  private threadOf(tenant: TenantRecord, alert: Alert, r: RoutedTarget): string | undefined {
    const { ledger } = this.deps;
    const incidentId = alert.incidentId;
    if (r.grouping !== 'incident' || !incidentId || !this.deps.threaded(r.target.kind) || !ledger.incidents.isReadable(tenant.tenantId)) return undefined;
    const key = threadKeyOf(tenant.tenantId, incidentId, this.deps.targetKeyOf(r.target));
    const now = ledger.now();
    if (!ledger.incidents.thread(key)) {
      ledger.incidents.putThread({ key, tenantId: tenant.tenantId, incidentId, target: r.target, ruleId: r.ruleId, options: r.options, notify: r.notify ?? 'every', state: 'pending', seq: ledger.nextSeq(), attempts: 0, createdAt: now, updatedAt: now });
    }
    // The alert joined the incident (or started it): its cards must show it.
    ledger.incidents.markStale(tenant.tenantId, incidentId, now);
    return key;
  }

  /** A newer version of a known alert: every delivery it became is brought up to date. */
  changed(alertKey: string, alert: Alert, into: IntakeResult): void {
    const { ledger } = this.deps;
    ledger.requireHeld(alertKey);
    const snapshot = ledger.snapshot(alertKey);
    if (!snapshot) return;
    ledger.putSnapshot({ ...snapshot, version: alert.lastUpdateDateTime, updatedAt: ledger.now() }, alert);
    for (const watcher of this.deps.watchers ?? []) watcher.alertChanged(snapshot.tenantId, alert);
    this.staleIncidentsOf(alertKey, alert);
    into.work.push(...this.deps.planChange(alertKey));
    ledger.releaseBodyIfIdle(alertKey);
    into.changedAlerts++;
  }

  /**
   * The incident cards an alert is on must show its change: its incident, and the one it was in
   * when it was delivered (a merge moves alerts to another incident), are read again.
   */
  private staleIncidentsOf(alertKey: string, alert: Alert): void {
    const { ledger } = this.deps;
    const now = ledger.now();
    const incidentIds = new Set<string>();
    for (const d of ledger.deliveriesOf(alertKey)) {
      const thread = d.threadKey ? ledger.incidents.thread(d.threadKey) : undefined;
      if (thread) incidentIds.add(thread.incidentId);
    }
    const tenantId = alertKey.slice(0, alertKey.indexOf('/'));
    if (alert.incidentId && ledger.incidents.threadsOf(incidentKeyOf(tenantId, alert.incidentId)).length > 0) incidentIds.add(alert.incidentId);
    for (const incidentId of incidentIds) ledger.incidents.markStale(tenantId, incidentId, now);
  }
}
