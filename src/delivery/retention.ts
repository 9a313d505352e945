import { recordGroupOf } from '../store/storage.js';
import type { DeliveryLedger, StoredRecordRef } from './ledger.js';

export interface PruneReport {
  deliveries: number;
  digests: number;
  alerts: number;
}

/**
 * Forgets delivery records, digests and alert snapshots untouched for longer than the retention
 * period, so the store stays small. Work in progress (pending posts and digests) is never pruned,
 * and an alert is forgotten only once no delivery of it is left. A pruned alert is not news again
 * when it changes later: the intake only treats alerts created within the retention period as new.
 * What the ledger holds is forgotten through it; the rest is found in one pass over the store and
 * deleted there without being loaded.
 */
export async function pruneDeliveries(ledger: DeliveryLedger, nowMs: number, retentionMs: number): Promise<PruneReport> {
  const cutoff = nowMs - retentionMs;
  const old = (iso: string) => Date.parse(iso) < cutoff;
  const report: PruneReport = { deliveries: 0, digests: 0, alerts: 0 };
  for (const d of [...ledger.deliveries()]) {
    if (d.state === 'pending' || !old(d.updatedAt)) continue;
    ledger.removeDelivery(d.key);
    report.deliveries++;
  }
  for (const digest of [...ledger.digests()]) {
    if (digest.state === 'pending' || !old(digest.updatedAt)) continue;
    ledger.removeDigest(digest.id);
    report.digests++;
  }
  for (const [key, snapshot] of [...ledger.snapshots()]) {
    if (!old(snapshot.updatedAt) || ledger.deliveriesOf(key).length > 0) continue;
    ledger.removeSnapshot(key);
    report.alerts++;
  }

  /** Threads some delivery kept (in memory or in the store) still belongs to. */
  const threaded = new Set<string>();
  for (const d of ledger.deliveries()) if (d.threadKey) threaded.add(d.threadKey);
  const forgotten: StoredRecordRef[] = [];
  const oldSnapshots: string[] = [];
  /** Alerts with a delivery left in the store: their snapshots stay. */
  const stillDelivered = new Set<string>();
  for await (const stored of ledger.stored()) {
    if (stored.section === 'deliveries') {
      const d = stored.record;
      const alertKey = recordGroupOf(stored.key);
      if (ledger.holds(alertKey)) continue;
      if (d.state !== 'pending' && old(d.updatedAt)) forgotten.push({ section: 'deliveries', key: stored.key, delivery: d });
      else {
        stillDelivered.add(alertKey);
        if (d.threadKey) threaded.add(d.threadKey);
      }
    } else if (stored.section === 'alerts' && !ledger.holds(stored.key) && old(stored.record.updatedAt)) {
      oldSnapshots.push(stored.key);
    }
  }
  for (const key of oldSnapshots) if (!stillDelivered.has(key)) forgotten.push({ section: 'alerts', key });
  for (const ref of await ledger.forgetStored(forgotten)) report[ref.section]++;

  // Incident threads (and the incidents they show) go with the last of their alerts' records.
  for (const thread of [...ledger.incidents.threads()]) {
    if (thread.state === 'pending' || !old(thread.updatedAt) || threaded.has(thread.key)) continue;
    ledger.incidents.removeThread(thread.key);
  }
  for (const [key, incident] of [...ledger.incidents.incidents()]) {
    if (old(incident.updatedAt) && ledger.incidents.threadsOf(key).length === 0) ledger.incidents.removeIncident(key);
  }
  return report;
}
