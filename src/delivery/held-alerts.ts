import type { Alert } from '../defender/alert.js';
import type { Logger } from '../log.js';
import { recordGroupOf, type RecordSet } from '../store/storage.js';
import { parseRecord } from './ledger-records.js';
import type { AlertSnapshot, DeliveryRecord } from './store-schema.js';

/** Alerts whose records one store read fetches. */
export const READ_CHUNK = 500;

/**
 * The alerts the delivery ledger holds in memory, each whole: its snapshot (with the unpacked body
 * while one is kept) and every delivery it became, or nothing for an alert the store does not know.
 * `read` brings alerts in from the store, `drop` lets one go. Plain storage: the ledger decides
 * what to hold and marks every change for its journal.
 */
export class HeldAlerts {
  readonly deliveries = new Map<string, DeliveryRecord>();
  readonly snapshots = new Map<string, AlertSnapshot>();
  /** Unpacked bodies of the snapshots that carry one. */
  readonly bodies = new Map<string, Alert>();
  private readonly byAlert = new Map<string, Set<string>>();
  private readonly held = new Set<string>();
  /** Alerts being read from the store, and the read. */
  private readonly reading = new Map<string, Promise<void>>();

  constructor(private readonly deps: { readonly records: Pick<RecordSet, 'loadGroups'>; readonly logger: Logger }) {}

  /** Whether the alert is in memory whole. */
  holds(alertKey: string): boolean {
    return this.held.has(alertKey);
  }

  /** Whether the alert is held or on its way in. */
  holdsOrReads(alertKey: string): boolean {
    return this.held.has(alertKey) || this.reading.has(alertKey);
  }

  alertKeys(): string[] {
    return [...this.held];
  }

  /** Reads these alerts' records from the store, unless held or being read already. */
  async read(alertKeys: Iterable<string>): Promise<void> {
    const waits: Promise<void>[] = [];
    const missing: string[] = [];
    for (const key of new Set(alertKeys)) {
      if (this.held.has(key)) continue;
      const reading = this.reading.get(key);
      if (reading) waits.push(reading);
      else missing.push(key);
    }
    for (let i = 0; i < missing.length; i += READ_CHUNK) {
      const chunk = missing.slice(i, i + READ_CHUNK);
      const read = this.readChunk(chunk);
      for (const key of chunk) this.reading.set(key, read);
      waits.push(read);
    }
    await Promise.all(waits);
  }

  private async readChunk(alertKeys: readonly string[]): Promise<void> {
    try {
      let skipped = 0;
      for (const { section, key, record } of await this.deps.records.loadGroups(alertKeys)) {
        const parsed = parseRecord(section, record);
        if (!parsed) skipped++;
        else if (parsed.section === 'deliveries') this.put(parsed.record);
        else if (parsed.section === 'alerts') this.snapshots.set(key, parsed.record);
      }
      for (const key of alertKeys) this.held.add(key);
      if (skipped > 0) this.deps.logger.error({ event: 'delivery.records_unreadable', skipped }, 'some stored delivery records could not be read and were left out');
    } finally {
      for (const key of alertKeys) this.reading.delete(key);
    }
  }

  deliveriesOf(alertKey: string): DeliveryRecord[] {
    return [...(this.byAlert.get(alertKey) ?? [])].flatMap((key) => this.deliveries.get(key) ?? []);
  }

  /** Adds or replaces a delivery of a held alert. */
  put(record: DeliveryRecord): void {
    this.deliveries.set(record.key, record);
    // A delivery's key starts with its alert's, up to the `|`: the record group it is read in.
    const alertKey = recordGroupOf(record.key);
    let keys = this.byAlert.get(alertKey);
    if (!keys) this.byAlert.set(alertKey, (keys = new Set()));
    keys.add(record.key);
  }

  /** Removes a delivery; returns it (undefined if not held). */
  remove(key: string): DeliveryRecord | undefined {
    const existing = this.deliveries.get(key);
    if (!existing) return undefined;
    this.deliveries.delete(key);
    const alertKey = recordGroupOf(existing.key);
    const keys = this.byAlert.get(alertKey);
    keys?.delete(key);
    if (keys?.size === 0) this.byAlert.delete(alertKey);
    return existing;
  }

  /** Lets the alert go from memory (its records stay in the store). */
  drop(alertKey: string): void {
    for (const key of this.byAlert.get(alertKey) ?? []) this.deliveries.delete(key);
    this.byAlert.delete(alertKey);
    this.snapshots.delete(alertKey);
    this.bodies.delete(alertKey);
    this.held.delete(alertKey);
  }
}
