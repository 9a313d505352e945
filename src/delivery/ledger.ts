import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Clock } from '../clock.js';
import { AlertSchema, type Alert } from '../defender/alert.js';
import type { Logger } from '../log.js';
import type { RecordSet } from '../store/storage.js';
import { IncidentLedger } from './incident-ledger.js';
import { DeliveryJournal, type JournalOptions, type PollNotes } from './journal.js';
import {
  AlertSnapshotSchema,
  DeliveryRecordSchema,
  DigestRecordSchema,
  IncidentSnapshotSchema,
  IncidentThreadSchema,
  PollCursorSchema,
  TargetHealthSchema,
  type AlertSnapshot,
  type DeliveryRecord,
  type DeliveryStore,
  type DigestRecord,
  type IncidentSnapshot,
  type IncidentThread,
  type PollCursor,
  type TargetHealth,
} from './store-schema.js';

/** The record set delivery keeps its outbox, snapshots, digests, poll cursors and target health in. */
export const DELIVERY_RECORD_SET = 'delivery';

const SECTION_SCHEMAS = { deliveries: DeliveryRecordSchema, alerts: AlertSnapshotSchema, digests: DigestRecordSchema, cursors: PollCursorSchema, targets: TargetHealthSchema, incidents: IncidentSnapshotSchema, threads: IncidentThreadSchema } as const;

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
 * Delivery's records in memory, mirrored to the store through the journal. Memory is the source
 * of truth while the process runs (the store is read once, by `load`); every change goes through
 * a method here, which replaces the record (records are never mutated in place) and marks it.
 */
export class DeliveryLedger {
  private readonly deliveryMap = new Map<string, DeliveryRecord>();
  private readonly byAlert = new Map<string, Set<string>>();
  private readonly alertMap = new Map<string, AlertSnapshot>();
  /** Unpacked bodies of the snapshots that carry one. */
  private readonly bodies = new Map<string, Alert>();
  private readonly digestMap = new Map<string, DigestRecord>();
  private readonly cursorMap = new Map<string, PollCursor>();
  private readonly healthMap = new Map<string, TargetHealth>();
  /** When something last reached each target (`kind:…`), from the deliveries and digests sent; samples do not count. */
  private readonly lastSentByTarget = new Map<string, string>();
  private sequence = 0;
  readonly journal: DeliveryJournal;
  /** Incident threads and the incidents they show (rules with `group:incident`). */
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
    this.incidents = new IncidentLedger({ mark: (section, key) => this.journal.mark(section, key), logger: deps.logger });
  }

  /** Reads every stored record into memory; call once, before anything else. A record that does not validate is logged and left out. */
  async load(): Promise<void> {
    let skipped = 0;
    for await (const { section, key, record } of this.deps.records.load()) {
      const parsed = SECTION_SCHEMAS[section as keyof typeof SECTION_SCHEMAS]?.safeParse(record);
      if (parsed?.success) this.restore(section as keyof DeliveryStore, key, parsed.data);
      else skipped++;
    }
    // Digests may load before the deliveries they stand for.
    for (const digest of this.digestMap.values()) this.noteDigestSent(digest);
    if (skipped > 0) this.deps.logger.error({ event: 'delivery.records_unreadable', skipped }, 'some stored delivery records could not be read and were left out');
  }

  private restore(section: keyof DeliveryStore, key: string, record: DeliveryRecord | AlertSnapshot | DigestRecord | PollCursor | TargetHealth | IncidentSnapshot | IncidentThread): void {
    switch (section) {
      case 'incidents':
      case 'threads':
        if (section === 'threads') this.sequence = Math.max(this.sequence, (record as IncidentThread).seq + 1);
        this.incidents.restore(section, key, record as IncidentSnapshot | IncidentThread);
        return;
      case 'deliveries': {
        const delivery = record as DeliveryRecord;
        this.index(delivery);
        this.sequence = Math.max(this.sequence, delivery.seq + 1);
        return;
      }
      case 'alerts':
        this.alertMap.set(key, record as AlertSnapshot);
        return;
      case 'digests': {
        const digest = record as DigestRecord;
        this.digestMap.set(digest.id, digest);
        this.sequence = Math.max(this.sequence, digest.seq + 1);
        return;
      }
      case 'cursors':
        this.cursorMap.set((record as PollCursor).tenantId, record as PollCursor);
        return;
      case 'targets':
        this.healthMap.set((record as TargetHealth).key, record as TargetHealth);
    }
  }

  private current(section: keyof DeliveryStore, key: string): unknown {
    switch (section) {
      case 'incidents':
      case 'threads':
        return this.incidents.current(section, key);
      case 'deliveries':
        return this.deliveryMap.get(key);
      case 'alerts':
        return this.alertMap.get(key);
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
    return this.deliveryMap.get(key);
  }

  deliveries(): IterableIterator<DeliveryRecord> {
    return this.deliveryMap.values();
  }

  deliveriesOf(alertKey: string): DeliveryRecord[] {
    return [...(this.byAlert.get(alertKey) ?? [])].flatMap((key) => this.deliveryMap.get(key) ?? []);
  }

  get deliveryCount(): number {
    return this.deliveryMap.size;
  }

  addDelivery(record: DeliveryRecord): void {
    this.index(record);
    this.journal.mark('deliveries', record.key);
  }

  /** Replaces the record with `patch` applied; returns the new record (undefined if unknown). */
  updateDelivery(key: string, patch: Partial<DeliveryRecord>): DeliveryRecord | undefined {
    const existing = this.deliveryMap.get(key);
    if (!existing) return undefined;
    const next: DeliveryRecord = { ...existing, ...patch, updatedAt: this.now() };
    for (const field of Object.keys(patch) as (keyof DeliveryRecord)[]) if (patch[field] === undefined) delete next[field];
    this.deliveryMap.set(key, next);
    if (next.sentAt && !next.sample) this.noteSent(targetKeyOfDelivery(next), next.sentAt);
    this.journal.mark('deliveries', key);
    return next;
  }

  removeDelivery(key: string): void {
    const existing = this.deliveryMap.get(key);
    if (!existing) return;
    this.deliveryMap.delete(key);
    const alertKey = alertKeyOf(existing.tenantId, existing.alertId);
    const keys = this.byAlert.get(alertKey);
    keys?.delete(key);
    if (keys?.size === 0) this.byAlert.delete(alertKey);
    this.journal.mark('deliveries', key);
  }

  private index(record: DeliveryRecord): void {
    this.deliveryMap.set(record.key, record);
    if (record.sentAt && !record.sample) this.noteSent(targetKeyOfDelivery(record), record.sentAt);
    const alertKey = alertKeyOf(record.tenantId, record.alertId);
    let keys = this.byAlert.get(alertKey);
    if (!keys) {
      keys = new Set();
      this.byAlert.set(alertKey, keys);
    }
    keys.add(record.key);
  }

  /** When something last reached each target (`kind:…`), samples aside. */
  lastSentTimes(): ReadonlyMap<string, string> {
    return this.lastSentByTarget;
  }

  private noteSent(targetKey: string, at: string): void {
    const last = this.lastSentByTarget.get(targetKey);
    if (last === undefined || at > last) this.lastSentByTarget.set(targetKey, at);
  }

  /** A digest card stands for its alerts' deliveries to its conversation once it is posted. */
  private noteDigestSent(digest: DigestRecord): void {
    if (digest.state !== 'sent' && digest.state !== 'sent-no-id') return;
    const first = digest.items[0] && this.deliveryMap.get(digest.items[0].deliveryKey);
    if (first) this.noteSent(targetKeyOfDelivery(first), digest.updatedAt);
  }

  // Alert snapshots

  snapshot(alertKey: string): AlertSnapshot | undefined {
    return this.alertMap.get(alertKey);
  }

  snapshots(): IterableIterator<[string, AlertSnapshot]> {
    return this.alertMap.entries();
  }

  /** Stores the snapshot; with `alert`, the body is replaced by it (else the snapshot's own is kept). */
  putSnapshot(snapshot: AlertSnapshot, alert?: Alert): void {
    const key = alertKeyOf(snapshot.tenantId, snapshot.alertId);
    if (alert) {
      this.bodies.set(key, alert);
      this.alertMap.set(key, { ...snapshot, body: packAlert(alert) });
    } else {
      if (snapshot.body !== this.alertMap.get(key)?.body) this.bodies.delete(key);
      this.alertMap.set(key, snapshot);
    }
    this.journal.mark('alerts', key);
  }

  removeSnapshot(alertKey: string): void {
    this.bodies.delete(alertKey);
    if (this.alertMap.delete(alertKey)) this.journal.mark('alerts', alertKey);
  }

  /** The alert body a pending post or edit renders from (undefined if none, or unreadable). */
  alertBody(alertKey: string): Alert | undefined {
    const cached = this.bodies.get(alertKey);
    if (cached) return cached;
    const packed = this.alertMap.get(alertKey)?.body;
    if (packed === undefined) return undefined;
    const alert = unpackAlert(packed);
    if (alert) this.bodies.set(alertKey, alert);
    else this.deps.logger.error({ event: 'delivery.body_unreadable', alertKey }, 'a stored alert body cannot be read');
    return alert;
  }

  /**
   * Drops the stored alert body once nothing waits for it (no pending post, no card edit or update
   * event behind), so the store holds bodies only for work in progress.
   */
  releaseBodyIfIdle(alertKey: string): void {
    const snapshot = this.alertMap.get(alertKey);
    if (snapshot?.body === undefined) return;
    if (this.deliveriesOf(alertKey).some((d) => d.state === 'pending' || (d.shownVersion !== snapshot.version && this.deps.followsChanges(d)))) return;
    const { body: _body, ...rest } = snapshot;
    this.alertMap.set(alertKey, rest);
    this.bodies.delete(alertKey);
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

/** An alert as the store keeps it: JSON, deflated, base64. */
export function packAlert(alert: Alert): string {
  return deflateRawSync(JSON.stringify(alert)).toString('base64');
}

/** The alert a packed body holds, validated as Graph's answers are; undefined if unreadable. */
export function unpackAlert(packed: string): Alert | undefined {
  try {
    const parsed = AlertSchema.safeParse(JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
