import type { Logger } from '../log.js';
import type { RecordChange, RecordSet } from '../store/storage.js';
import type { DeliveryStore } from './store-schema.js';

type Section = keyof DeliveryStore;
const SECTIONS: readonly Section[] = ['deliveries', 'alerts', 'digests', 'cursors', 'targets', 'incidents', 'threads'];

/** Where the journal reads the current version of a record (undefined = deleted). */
export interface RecordSource {
  current(section: Section, key: string): unknown;
}

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

/** Where the journal records each tenant's last poll (the tenant registry). */
export interface PollNotes {
  notePolls(polls: ReadonlyMap<string, { pollAt: string; success: boolean }>): Promise<void>;
}

export interface JournalOptions {
  /** Delay before a change nobody waits for is written, so bursts of changes share one write. */
  readonly batchDelayMs?: number;
  /** How long a tenant's poll time may wait to ride along with another write. */
  readonly lazyDelayMs?: number;
}

/**
 * Group commit for delivery's records. Delivery keeps its records in memory and marks the changed
 * keys here; a flush writes the current version of every marked key to the record set in one
 * batch, so a burst of changes costs one write. `flush()` resolves once everything marked before
 * it is stored. A failed write keeps the keys marked and is retried.
 */
export class DeliveryJournal {
  private dirty = new Map<Section, Set<string>>(SECTIONS.map((s) => [s, new Set<string>()]));
  /** The keys of the write under way (put back into `dirty` if it fails). */
  private writing = new Map<Section, Set<string>>();
  private tenantPolls = new Map<string, { pollAt: string; success: boolean }>();
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerDueAt = Infinity;
  private running = false;
  private closed = false;
  private failures = 0;
  private readonly batchDelayMs: number;
  private readonly lazyDelayMs: number;
  /** Updates written (for tests and benchmarks). */
  writes = 0;

  constructor(
    private readonly deps: { records: RecordSet; polls: PollNotes; source: RecordSource; logger: Logger },
    options: JournalOptions = {},
  ) {
    this.batchDelayMs = options.batchDelayMs ?? 100;
    this.lazyDelayMs = options.lazyDelayMs ?? 5000;
  }

  /** Notes that a record changed (or was deleted); it is written with the next flush. */
  mark(section: Section, key: string): void {
    this.dirty.get(section)?.add(key);
    this.schedule(this.batchDelayMs);
  }

  /** Whether a change of the record is not stored yet (marked, or in the write under way). */
  isMarked(section: Section, key: string): boolean {
    return (this.dirty.get(section)?.has(key) ?? false) || (this.writing.get(section)?.has(key) ?? false);
  }

  /** Notes a tenant's poll (lastPollAt, and lastSuccessAt when it succeeded); written lazily. */
  notePoll(tenantId: string, at: string, success: boolean): void {
    this.tenantPolls.set(tenantId, { pollAt: at, success });
    this.schedule(this.lazyDelayMs);
  }

  /** Resolves when every change marked so far is on disk; rejects if that write failed. */
  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the delivery journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule(0);
    });
  }

  /** Writes what is left and refuses further flushes. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch((error: unknown) => this.deps.logger.error({ event: 'delivery.journal_close_failed', err: error }, 'could not write the last delivery changes'));
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private hasDirty(): boolean {
    return this.tenantPolls.size > 0 || SECTIONS.some((s) => (this.dirty.get(s)?.size ?? 0) > 0);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    if (this.running) return; // run() looks again when it finishes
    const dueAt = Date.now() + delayMs;
    if (this.timer && this.timerDueAt <= dueAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueAt = dueAt;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDueAt = Infinity;
      void this.run();
    }, delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    this.running = true;
    const waiters = this.waiters;
    this.waiters = [];
    const batch = this.dirty;
    const polls = this.tenantPolls;
    this.writing = batch;
    this.dirty = new Map(SECTIONS.map((s) => [s, new Set<string>()]));
    this.tenantPolls = new Map();
    try {
      const changes = this.changesOf(batch);
      if (changes.length > 0) {
        await this.deps.records.write(changes);
        this.writes++;
      }
      if (polls.size > 0) await this.deps.polls.notePolls(polls);
      this.failures = 0;
      for (const w of waiters) w.resolve();
    } catch (error) {
      this.failures++;
      for (const [section, keys] of batch) for (const key of keys) this.dirty.get(section)?.add(key);
      for (const [tenantId, poll] of polls) if (!this.tenantPolls.has(tenantId)) this.tenantPolls.set(tenantId, poll);
      this.deps.logger.error({ event: 'delivery.journal_write_failed', failures: this.failures, err: error }, 'could not write delivery records; will retry');
      for (const w of waiters) w.reject(error);
    } finally {
      this.writing = new Map();
      this.running = false;
    }
    if (this.waiters.length > 0) this.schedule(0);
    else if (this.hasDirty()) this.schedule(this.failures > 0 ? Math.min(30_000, 500 * 2 ** this.failures) : this.batchDelayMs);
  }

  private changesOf(batch: Map<Section, Set<string>>): RecordChange[] {
    const changes: RecordChange[] = [];
    for (const section of SECTIONS) {
      for (const key of batch.get(section) ?? []) changes.push({ section, key, record: this.deps.source.current(section, key) ?? null });
    }
    return changes;
  }
}
