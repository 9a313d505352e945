import type { Logger } from '../log.js';
import type { RecordSet } from '../store/storage.js';
import { ESCALATION_SECTION, EscalationRecordSchema, type EscalationRecord } from './escalation-schema.js';

/**
 * The escalation records in memory, each change written through to the record set at once
 * (escalations are few: one per alert an escalating rule matched). Writes are made one after
 * another; a write refused because another instance took delivery over rejects.
 */
export class EscalationBook {
  private readonly records = new Map<string, EscalationRecord>();
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: { records: RecordSet; logger: Logger }) {}

  async load(): Promise<void> {
    let skipped = 0;
    for await (const { section, record } of this.deps.records.load()) {
      const parsed = section === ESCALATION_SECTION ? EscalationRecordSchema.safeParse(record) : undefined;
      if (parsed?.success) this.records.set(parsed.data.key, parsed.data);
      else skipped++;
    }
    if (skipped > 0) this.deps.logger.error({ event: 'escalation.records_unreadable', skipped }, 'some stored escalation records could not be read and were left out');
  }

  get(key: string): EscalationRecord | undefined {
    return this.records.get(key);
  }

  all(): EscalationRecord[] {
    return [...this.records.values()];
  }

  ofAlert(tenantId: string, alertId: string): EscalationRecord[] {
    return this.all().filter((r) => r.tenantId === tenantId && r.alertId === alertId);
  }

  /** Stores the record (in memory at once); resolves once it is written. */
  put(record: EscalationRecord): Promise<void> {
    this.records.set(record.key, record);
    return this.write(record.key, record);
  }

  remove(key: string): Promise<void> {
    if (!this.records.delete(key)) return Promise.resolve();
    return this.write(key, null);
  }

  /** Resolves once every write asked for so far has settled. */
  async settled(): Promise<void> {
    await this.writing.catch(() => undefined);
  }

  private write(key: string, record: EscalationRecord | null): Promise<void> {
    const write = this.writing.catch(() => undefined).then(() => this.deps.records.write([{ section: ESCALATION_SECTION, key, record }]));
    this.writing = write;
    return write;
  }
}
