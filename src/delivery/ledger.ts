import type { Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import type { Logger } from '../log.js';
import { recordGroupOf, type RecordSet } from '../store/storage.js';
import { packAlert, unpackAlert } from './alert-body.js';
import { DeliveryTallies } from './delivery-tallies.js';
import { HeldAlerts, READ_CHUNK } from './held-alerts.js';
import { IncidentLedger } from './incident-ledger.js';
import { DeliveryJournal, type JournalOptions, type PollNotes } from './journal.js';
import { parseRecord, type ParsedRecord } from './ledger-records.js';
import { markBehind, type AlertSnapshot, type DeliveryRecord, type DeliveryStore, type DigestRecord, type PollCursor, type TargetHealth } from './store-schema.js';

/** The record set delivery keeps its outbox, snapshots, digests, poll cursors and target health in. */
export const DELIVERY_RECORD_SET = 'delivery';

export const alertKeyOf = (tenantId: string, alertId: string): string => `${tenantId}/${alertId}`;
/** A delivery's key: the alert and the target's key (`kind:…`, from the target registry). */
export const deliveryKeyOf = (tenantId: string, alertId: string, targetKey: string): string => `${alertKeyOf(tenantId, alertId)}|${targetKey}`;

export interface LedgerDeps {
  /** Where the records are kept. */
  readonly records: RecordSet;
  /** Where each tenant's last poll is noted. */
  readonly polls: PollNotes;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Whether a sent delivery keeps following its alert's changes (its kind's worker knows). */
  readonly followsChanges: (delivery: DeliveryRecord) => boolean;
  /** How long an alert's records stay in memory after their last change once nothing waits on them (default an hour). */
  readonly idleMs?: number;
}

/** A stored record the ledger may forget without loading it (retention). */
export interface StoredRecordRef {
  readonly section: 'deliveries' | 'alerts';
  readonly key: string;
  /** For a delivery: its kind and state, which the counts drop. */
  readonly delivery?: Pick<DeliveryRecord, 'target' | 'state'>;
}

/** The target key (`kind:…`) a delivery's key ends with. */
export function targetKeyOfDelivery(delivery: Pick<DeliveryRecord, 'key' | 'tenantId' | 'alertId'>): string {
  return delivery.key.slice(alertKeyOf(delivery.tenantId, delivery.alertId).length + 1);
}

/** Graph's ISO times compared as instants (their text may differ in precision). */
export function isNewer(version: string, than: string | undefined): boolean {
  return than === undefined || Date.parse(version) > Date.parse(than);
}

/**
 * Delivery's records: the working set in memory, everything in the store. In memory are the
 * digests, poll cursors, target health and incident threads, and of the alerts those
 * that something waits on (a pending post, a card edit, a pending digest) or that changed within
 * `idleMs`: for each, its snapshot and every delivery it became, so an alert is in memory whole or
 * not at all. `hydrate` brings alerts in before they are judged (a poll, a card action), and
 * `evictIdle` lets go of the rest. Memory is the source of truth for what it holds; every change
 * goes through a method here, which replaces the record (records are never mutated in place) and
 * marks it for the journal, which writes it to the store.
 */
export class DeliveryLedger {
  private readonly held: HeldAlerts;
  private readonly digestMap = new Map<string, DigestRecord>();
  private readonly cursorMap = new Map<string, PollCursor>();
  private readonly healthMap = new Map<string, TargetHealth>();
  /** Counts over every stored delivery, in memory or not. */
  private readonly tallies = new DeliveryTallies();
  private sequence = 0;
  private readonly idleMs: number;
  readonly journal: DeliveryJournal;
  /** Incident threads and the incidents they show (rules with `group:incident`), held whole. */
  readonly incidents: IncidentLedger;

  constructor(
    private readonly deps: LedgerDeps,
    journalOptions: JournalOptions = {},
  ) {
    this.journal = new DeliveryJournal(
      {
        records: deps.records,
        polls: deps.polls,
        logger: deps.logger,
        source: { current: (section, key) => this.current(section, key) },
      },
      journalOptions,
    );
    this.idleMs = deps.idleMs ?? 3_600_000;
    this.held = new HeldAlerts({ records: deps.records, logger: deps.logger });
    this.incidents = new IncidentLedger({ mark: (section, key) => this.journal.mark(section, key), logger: deps.logger });
  }

  /**
   * Reads the store once, before anything else: digests, cursors and target health are kept, the
   * deliveries are counted, and the alerts with work waiting or recent changes are loaded whole.
   * A record that does not validate is logged and left out.
   */
  async load(): Promise<void> {
    const recent = this.deps.clock.nowMs() - this.idleMs;
    const wanted = new Set<string>();
    let skipped = 0;
    for await (const { section, key, record } of this.deps.records.load()) {
      const parsed = parseRecord(section, record);
      if (!parsed) {
        skipped++;
        continue;
      }
      switch (parsed.section) {
        case 'deliveries': {
          const d = parsed.record;
          this.tallies.count(d, 1);
          this.sequence = Math.max(this.sequence, d.seq + 1);
          if (d.sentAt && !d.sample) this.tallies.noteSent(targetKeyOfDelivery(d), d.sentAt);
          if (d.state === 'pending' || Date.parse(d.updatedAt) >= recent) wanted.add(alertKeyOf(d.tenantId, d.alertId));
          break;
        }
        case 'alerts':
          if (parsed.record.body !== undefined || Date.parse(parsed.record.updatedAt) >= recent) wanted.add(key);
          break;
        case 'digests': {
          const digest = parsed.record;
          this.digestMap.set(digest.id, digest);
          this.sequence = Math.max(this.sequence, digest.seq + 1);
          this.noteDigestSent(digest);
          if (digest.state === 'pending') for (const item of digest.items) wanted.add(alertKeyOf(item.tenantId, item.alertId));
          break;
        }
        case 'cursors':
          this.cursorMap.set(parsed.record.tenantId, parsed.record);
          break;
        case 'targets':
          this.healthMap.set(parsed.record.key, parsed.record);
          break;
        case 'threads':
          this.sequence = Math.max(this.sequence, parsed.record.seq + 1);
          this.incidents.restore('threads', key, parsed.record);
          break;
        case 'incidents':
          this.incidents.restore('incidents', key, parsed.record);
      }
    }
    if (skipped > 0) this.deps.logger.error({ event: 'delivery.records_unreadable', skipped }, 'some stored delivery records could not be read and were left out');
    await this.hydrate(wanted);
  }

  /** Brings these alerts' records (snapshot and deliveries) into memory from the store, unless held already. */
  hydrate(alertKeys: Iterable<string>): Promise<void> {
    return this.held.read(alertKeys);
  }

  /** Whether the alert's records are in memory (see `hydrate`). */
  holds(alertKey: string): boolean {
    return this.held.holds(alertKey);
  }

  /** Fails loudly when the alert's records are not in memory: judging it then would post it twice. */
  requireHeld(alertKey: string): void {
    if (!this.held.holds(alertKey)) throw new Error(`the delivery records of ${alertKey} are not in memory: hydrate them first`);
  }

  /**
   * Lets go of the alerts nothing waits on (no pending post, digest or edit, nothing unwritten)
   * and that did not change for `idleMs`; they stay in the store. Returns how many it let go.
   */
  evictIdle(): number {
    const cutoff = this.deps.clock.nowMs() - this.idleMs;
    const waitingDigests = new Set([...this.digestMap.values()].filter((d) => d.state === 'pending').map((d) => d.id));
    let evicted = 0;
    for (const alertKey of this.held.alertKeys()) {
      if (!this.isIdle(alertKey, cutoff, waitingDigests)) continue;
      this.held.drop(alertKey);
      evicted++;
    }
    return evicted;
  }

  private isIdle(alertKey: string, cutoff: number, waitingDigests: ReadonlySet<string>): boolean {
    const snapshot = this.held.snapshots.get(alertKey);
    if (snapshot && (snapshot.body !== undefined || Date.parse(snapshot.updatedAt) >= cutoff || this.journal.isMarked('alerts', alertKey))) return false;
    return this.deliveriesOf(alertKey).every(
      (d) => d.state !== 'pending' && Date.parse(d.updatedAt) < cutoff && !(d.digestId && waitingDigests.has(d.digestId)) && !this.journal.isMarked('deliveries', d.key),
    );
  }

  /** Every stored record, validated, streamed from the store (after the changes not yet written). */
  async *stored(): AsyncGenerator<ParsedRecord & { readonly key: string }> {
    await this.journal.flush();
    for await (const { section, key, record } of this.deps.records.load()) {
      const parsed = parseRecord(section, record);
      if (parsed) yield { ...parsed, key };
    }
  }

  /**
   * Deletes records from the store without loading them (retention), leaving out those of alerts
   * loaded since they were chosen: those are forgotten, if at all, through memory. Returns the
   * records it deleted.
   */
  async forgetStored(records: readonly StoredRecordRef[]): Promise<StoredRecordRef[]> {
    const forgotten = records.filter((ref) => !this.held.holdsOrReads(recordGroupOf(ref.key)));
    for (let i = 0; i < forgotten.length; i += READ_CHUNK) {
      const chunk = forgotten.slice(i, i + READ_CHUNK);
      await this.deps.records.write(chunk.map((ref) => ({ section: ref.section, key: ref.key, record: null })));
      for (const ref of chunk) if (ref.delivery) this.tallies.count(ref.delivery, -1);
    }
    return forgotten;
  }

  private current(section: keyof DeliveryStore, key: string): unknown {
    switch (section) {
      case 'incidents':
      case 'threads':
        return this.incidents.current(section, key);
      case 'deliveries':
        return this.held.deliveries.get(key);
      case 'alerts':
        return this.held.snapshots.get(key);
      case 'digests':
        return this.digestMap.get(key);
      case 'cursors':
        return this.cursorMap.get(key);
      case 'targets':
        return this.healthMap.get(key);
    }
  }

  now(): string {
    return this.deps.clock.now().toISOString();
  }

  nextSeq(): number {
    return this.sequence++;
  }

  // Deliveries

  delivery(key: string): DeliveryRecord | undefined {
    return this.held.deliveries.get(key);
  }

  /** The deliveries in memory: every pending one, and those of the alerts held (see the class). */
  deliveries(): IterableIterator<DeliveryRecord> {
    return this.held.deliveries.values();
  }

  deliveriesOf(alertKey: string): DeliveryRecord[] {
    return this.held.deliveriesOf(alertKey);
  }

  /** How many deliveries are stored, by target kind and state (held in memory or not). */
  deliveryCounts(): { kind: string; state: DeliveryRecord['state']; count: number }[] {
    return this.tallies.counts();
  }

  addDelivery(record: DeliveryRecord): void {
    this.requireHeld(alertKeyOf(record.tenantId, record.alertId));
    this.tallies.count(record, 1);
    this.held.put(record);
    if (record.sentAt && !record.sample) this.tallies.noteSent(targetKeyOfDelivery(record), record.sentAt);
    this.journal.mark('deliveries', record.key);
  }

  /** Replaces the record with `patch` applied; returns the new record (undefined if unknown). */
  updateDelivery(key: string, patch: Partial<DeliveryRecord>): DeliveryRecord | undefined {
    const existing = this.held.deliveries.get(key);
    if (!existing) return undefined;
    const next: DeliveryRecord = { ...existing, ...patch, updatedAt: this.now() };
    for (const field of Object.keys(patch) as (keyof DeliveryRecord)[]) if (patch[field] === undefined) delete next[field];
    this.tallies.count(existing, -1);
    this.tallies.count(next, 1);
    this.held.put(next);
    if (next.sentAt && !next.sample) this.tallies.noteSent(targetKeyOfDelivery(next), next.sentAt);
    this.journal.mark('deliveries', key);
    return next;
  }

  removeDelivery(key: string): void {
    const existing = this.held.remove(key);
    if (!existing) return;
    this.tallies.count(existing, -1);
    this.journal.mark('deliveries', key);
  }

  /** When something last reached each target (`kind:…`), samples aside. */
  lastSentTimes(): ReadonlyMap<string, string> {
    return this.tallies.lastSent;
  }

  /** A digest card stands for its alerts' deliveries to its conversation once it is posted. */
  private noteDigestSent(digest: DigestRecord): void {
    if (digest.state !== 'sent' && digest.state !== 'sent-no-id') return;
    const first = digest.items[0];
    if (first) this.tallies.noteSent(targetKeyOfDelivery({ key: first.deliveryKey, tenantId: first.tenantId, alertId: first.alertId }), digest.updatedAt);
  }

  // Alert snapshots

  snapshot(alertKey: string): AlertSnapshot | undefined {
    return this.held.snapshots.get(alertKey);
  }

  /** The snapshots in memory (see the class). */
  snapshots(): IterableIterator<[string, AlertSnapshot]> {
    return this.held.snapshots.entries();
  }

  /** Stores the snapshot; with `alert`, the body is replaced by it (else the snapshot's own is kept). */
  putSnapshot(snapshot: AlertSnapshot, alert?: Alert): void {
    const key = alertKeyOf(snapshot.tenantId, snapshot.alertId);
    this.requireHeld(key);
    if (alert) {
      this.held.bodies.set(key, alert);
      this.held.snapshots.set(key, { ...snapshot, body: packAlert(alert) });
    } else {
      if (snapshot.body !== this.held.snapshots.get(key)?.body) this.held.bodies.delete(key);
      this.held.snapshots.set(key, snapshot);
    }
    this.journal.mark('alerts', key);
  }

  removeSnapshot(alertKey: string): void {
    this.held.bodies.delete(alertKey);
    if (this.held.snapshots.delete(alertKey)) this.journal.mark('alerts', alertKey);
  }

  /** The alert body a pending post or edit renders from (undefined if none, or unreadable). */
  alertBody(alertKey: string): Alert | undefined {
    const cached = this.held.bodies.get(alertKey);
    if (cached) return cached;
    const packed = this.held.snapshots.get(alertKey)?.body;
    if (packed === undefined) return undefined;
    const alert = unpackAlert(packed);
    if (alert) this.held.bodies.set(alertKey, alert);
    else this.deps.logger.error({ event: 'delivery.body_unreadable', alertKey }, 'a stored alert body cannot be read');
    return alert;
  }

  /**
   * Drops the stored alert body once nothing waits for it (no pending post, no card edit or update
   * event behind), so the store holds bodies only for work in progress.
   */
  releaseBodyIfIdle(alertKey: string): void {
    const snapshot = this.held.snapshots.get(alertKey);
    if (snapshot?.body === undefined) return;
    if (this.deliveriesOf(alertKey).some((d) => d.state === 'pending' || ((d.shownVersion !== snapshot.version || markBehind(d)) && this.deps.followsChanges(d)))) return;
    const { body: _body, ...rest } = snapshot;
    this.held.snapshots.set(alertKey, rest);
    this.held.bodies.delete(alertKey);
    this.journal.mark('alerts', alertKey);
  }

  // Digests

  digest(id: string): DigestRecord | undefined {
    return this.digestMap.get(id);
  }

  digests(): IterableIterator<DigestRecord> {
    return this.digestMap.values();
  }

  putDigest(digest: DigestRecord): void {
    this.digestMap.set(digest.id, digest);
    this.noteDigestSent(digest);
    this.journal.mark('digests', digest.id);
  }

  removeDigest(id: string): void {
    if (this.digestMap.delete(id)) this.journal.mark('digests', id);
  }

  // Poll cursors

  cursor(tenantId: string): PollCursor | undefined {
    return this.cursorMap.get(tenantId);
  }

  putCursor(cursor: PollCursor): void {
    this.cursorMap.set(cursor.tenantId, cursor);
    this.journal.mark('cursors', cursor.tenantId);
  }

  /** Tenants polled at least once (they have a cursor). */
  get cursorCount(): number {
    return this.cursorMap.size;
  }

  // Target health

  targetHealth(targetKey: string): TargetHealth | undefined {
    return this.healthMap.get(targetKey);
  }

  targetHealths(): IterableIterator<TargetHealth> {
    return this.healthMap.values();
  }

  putTargetHealth(health: TargetHealth): void {
    this.healthMap.set(health.key, health);
    this.journal.mark('targets', health.key);
  }
}
