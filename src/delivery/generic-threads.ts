import { createHash } from 'node:crypto';
import type { Alert } from '../defender/alert.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { incidentKeyOf } from './incident-ledger.js';
import { incidentOfAlert } from './incident-reader.js';
import { isNewer, type DeliveryLedger } from './ledger.js';
import type { DeliveryRecord, IncidentThread } from './store-schema.js';
import type { IncidentNotification } from './targets/target-kind.js';

/** What a pending delivery of an incident thread comes to, for a kind without cards. */
export type ThreadStep =
  /** The incident's first message here (`incident.created`, with this alert). */
  | { readonly kind: 'open'; readonly notification: IncidentNotification; readonly incidentVersion?: string }
  /** A later alert, sent in the thread (`incident.alert-added`, with the incident as last read). */
  | { readonly kind: 'add'; readonly notification: IncidentNotification; readonly incidentVersion?: string }
  /** `notify:first`: the thread's first message said all this rule sends. */
  | { readonly kind: 'listed' }
  /** Another delivery is sending the thread's first message: this one waits for it. */
  | { readonly kind: 'wait'; readonly threadKey: string }
  /** The thread cannot take it (its first message was given up): the alert goes on its own. */
  | { readonly kind: 'alone' };

/** The same for every attempt of one event of one delivery or thread (`ref`), so a receiver can drop a repeat. */
export function eventIdOf(ref: string, event: string, version: string): string {
  return createHash('sha256').update(`${ref}\n${event}\n${version}`).digest('hex').slice(0, 32);
}

/**
 * Incident threads for kinds without cards (email, webhooks), as the generic worker sends them:
 * the first alert of an incident opens the thread with an `incident.created` message, later ones
 * follow as `incident.alert-added` (or, under `notify:first`, only count as said), and a kind that
 * follows incidents sends `incident.updated` when the incident changes. This decides and records;
 * the worker sends, retries and gives up.
 */
export class GenericThreads {
  constructor(private readonly deps: { ledger: DeliveryLedger }) {}

  /** What a pending delivery with a thread comes to now. `opening`: threads whose first message is on its way. */
  step(d: DeliveryRecord, tenant: TenantRecord, alert: Alert, opening: ReadonlySet<string>): ThreadStep {
    const { ledger } = this.deps;
    const thread = d.threadKey ? ledger.incidents.thread(d.threadKey) : undefined;
    if (!thread) return { kind: 'alone' };
    if (thread.state === 'pending') {
      if (opening.has(thread.key)) return { kind: 'wait', threadKey: thread.key };
      const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
      const read = ledger.incidents.incidentBody(incidentKey);
      const version = ledger.incidents.incident(incidentKey)?.version;
      const notification = this.notification(thread, tenant, 'incident.created', d.key, alert.lastUpdateDateTime, read ?? incidentOfAlert(thread.incidentId, alert), alert);
      return { kind: 'open', notification, ...(read && version ? { incidentVersion: version } : {}) };
    }
    if (thread.state !== 'sent') return { kind: 'alone' };
    if (thread.notify === 'first') return { kind: 'listed' };
    const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
    const read = ledger.incidents.incidentBody(incidentKey);
    const version = ledger.incidents.incident(incidentKey)?.version;
    const notification = this.notification(thread, tenant, 'incident.alert-added', d.key, alert.lastUpdateDateTime, read ?? incidentOfAlert(thread.incidentId, alert), alert);
    return { kind: 'add', notification, ...(read && version ? { incidentVersion: version } : {}) };
  }

  /** The thread's first message went out: the thread is open, and the delivery is its first alert. */
  opened(d: DeliveryRecord, alert: Alert, incidentVersion: string | undefined): void {
    const { ledger } = this.deps;
    const thread = d.threadKey ? ledger.incidents.thread(d.threadKey) : undefined;
    const now = ledger.now();
    if (thread) {
      const { error: _error, ...rest } = thread;
      // A message made from the alert alone shows no version: the incident, once read, follows as an update.
      ledger.incidents.putThread({ ...rest, state: 'sent', sentAt: now, updatedAt: now, attempts: thread.attempts + 1, ...(incidentVersion ? { shownVersion: incidentVersion } : {}) });
    }
    this.delivered(d, alert, 'card');
  }

  /**
   * The alert went in its thread (`reply`, carrying the incident at `incidentVersion`, which the
   * thread then shows), or the thread's first message stands for it (`card`).
   */
  delivered(d: DeliveryRecord, alert: Alert, role: 'card' | 'reply', incidentVersion?: string): void {
    const { ledger } = this.deps;
    ledger.updateDelivery(d.key, { state: 'sent', threadRole: role, sentAt: ledger.now(), shownVersion: alert.lastUpdateDateTime, attempts: d.attempts + 1, error: undefined });
    const thread = d.threadKey ? ledger.incidents.thread(d.threadKey) : undefined;
    if (thread && incidentVersion && isNewer(incidentVersion, thread.shownVersion)) this.shown(thread.key, incidentVersion);
  }

  /** The thread's first message was given up: its later alerts go on their own. */
  openGivenUp(d: DeliveryRecord, reason: string): void {
    const { ledger } = this.deps;
    const thread = d.threadKey ? ledger.incidents.thread(d.threadKey) : undefined;
    if (thread?.state === 'pending') ledger.incidents.putThread({ ...thread, state: 'failed', error: reason, updatedAt: ledger.now() });
  }

  /** The `incident.updated` a started thread is behind by, if any. */
  updateOf(threadKey: string, tenants: { find(ref: string): TenantRecord | undefined }): { thread: IncidentThread; version: string; notification: IncidentNotification } | undefined {
    const { ledger } = this.deps;
    const thread = ledger.incidents.thread(threadKey);
    if (!thread || thread.state !== 'sent') return undefined;
    const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
    const version = ledger.incidents.incident(incidentKey)?.version;
    const incident = ledger.incidents.incidentBody(incidentKey);
    const tenant = tenants.find(thread.tenantId);
    if (!version || !incident || !tenant || version === thread.shownVersion) return undefined;
    return { thread, version, notification: this.notification(thread, tenant, 'incident.updated', threadKey, version, incident) };
  }

  /** The thread shows `version` now (sent, or given up at it: the next change tries again). */
  shown(threadKey: string, version: string, error?: string): void {
    const { ledger } = this.deps;
    const thread = ledger.incidents.thread(threadKey);
    if (!thread) return;
    const { error: _error, ...rest } = thread;
    ledger.incidents.putThread({ ...rest, shownVersion: version, updatedAt: ledger.now(), ...(error ? { error } : {}) });
  }

  private notification(thread: IncidentThread, tenant: TenantRecord, event: IncidentNotification['event'], ref: string, version: string, incident: IncidentNotification['incident'], alert?: Alert): IncidentNotification {
    return { event, eventId: eventIdOf(ref, event, version), tenant, incident, ...(alert ? { alert } : {}), options: thread.options, ruleId: thread.ruleId, notify: thread.notify, threadKey: thread.key };
  }
}
