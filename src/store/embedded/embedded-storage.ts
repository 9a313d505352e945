import { constants } from 'node:fs';
import { access, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../clock.js';
import { StoreError } from '../../errors.js';
import { lockDataDir, type ReleaseDataDirLock } from '../data-dir-lock.js';
import { InProcessLeaseStore } from '../in-process-leases.js';
import type { LeaseStore } from '../leases.js';
import { InProcessMailbox } from '../in-process-mailbox.js';
import { InProcessRateBudgets } from '../in-process-rate-budgets.js';
import type { Mailbox } from '../mailbox.js';
import type { RateBudgetStore } from '../rate-budgets.js';
import { collectionOver, Draft, Replica } from '../replica.js';
import type { AppendLog, Collection, CollectionSpec, Drafts, LeaseHolder, LogSpec, RecordSet, Storage } from '../storage.js';
import { AppendLogFile } from './append-log-file.js';
import { COLLECTIONS_FILE_VERSION, CollectionsFile, parseDocumentJson } from './collections-file.js';
import { RecordSetFile } from './record-set-file.js';
import { convertVersion1 } from './version-1.js';

export const STORE_FILE_NAME = 'soc-bridge.json';
/** Where a store file of the previous format is kept when it is converted. */
export const VERSION_1_BACKUP_NAME = 'soc-bridge.v1-backup.json';

/**
 * The embedded store: files in the data folder, for one process. Collections live together in
 * `soc-bridge.json`; each log is `<name>.jsonl` and each record set `<name>.records.jsonl`, so a
 * change to one never rewrites the others.
 */
export class EmbeddedStorage implements Storage {
  readonly kind = 'embedded' as const;
  private readonly replicas = new Map<string, Replica<unknown>>();
  private readonly collections = new Map<string, Collection<unknown>>();
  private readonly logs = new Map<string, AppendLogFile<unknown>>();
  private readonly sets = new Map<string, RecordSetFile>();
  /** Sections of the file no collection has claimed yet: kept as they are. */
  private readonly unclaimed = new Map<string, unknown[]>();
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;
  private lockLost: Error | undefined;
  /** Opened with `openReadOnly`: a snapshot that refuses every write. */
  private readOnly = false;
  readonly leases: LeaseStore;
  readonly rates: RateBudgetStore;
  private readonly mailboxes = new Map<string, Mailbox>();

  private constructor(
    private readonly dataDir: string,
    private readonly file: CollectionsFile,
    private readonly releaseLock: ReleaseDataDirLock,
    private readonly clock: Clock,
  ) {
    this.leases = new InProcessLeaseStore(clock);
    this.rates = new InProcessRateBudgets(clock);
  }

  mailbox(name: string): Mailbox {
    let mailbox = this.mailboxes.get(name);
    if (!mailbox) {
      mailbox = new InProcessMailbox(this.clock);
      this.mailboxes.set(name, mailbox);
    }
    return mailbox;
  }

  get location(): string {
    return this.dataDir;
  }

  /** The collections file's path, for messages. */
  get path(): string {
    return this.file.path;
  }

  /**
   * Opens (or creates) the store in `dataDir` and locks the folder for this process. A file written
   * by the previous format is converted once (its audit trail and delivery records move to files
   * of their own). Throws StoreError when another process holds the folder, the folder cannot be
   * written, or the file is unreadable, invalid or from a newer SOC Bridge.
   */
  static async open(dataDir: string, options: { clock?: Clock } = {}): Promise<EmbeddedStorage> {
    try {
      await mkdir(dataDir, { recursive: true });
      await access(dataDir, constants.W_OK);
    } catch (error) {
      throw new StoreError('store.unreadable', `The data folder ${dataDir} cannot be created or written: ${(error as Error).message}`, error);
    }
    let storage: EmbeddedStorage | undefined;
    const releaseLock = await lockDataDir(dataDir, (error) => {
      if (storage) storage.lockLost = error;
    });
    try {
      storage = new EmbeddedStorage(dataDir, new CollectionsFile(join(dataDir, STORE_FILE_NAME)), releaseLock, options.clock ?? systemClock);
      await storage.load();
      return storage;
    } catch (error) {
      await releaseLock();
      throw error;
    }
  }

  /**
   * Reads the store in `dataDir` without locking it, while SOC Bridge may be running on it: the
   * file is always replaced whole (temp file and rename), so what is read is one consistent
   * snapshot. Every write is refused. Throws StoreError when there is no store there, or it is of
   * the previous format (which only a SOC Bridge that may write converts).
   */
  static async openReadOnly(dataDir: string, options: { clock?: Clock } = {}): Promise<EmbeddedStorage> {
    const storage = new EmbeddedStorage(dataDir, new CollectionsFile(join(dataDir, STORE_FILE_NAME)), async () => undefined, options.clock ?? systemClock);
    storage.readOnly = true;
    await storage.load();
    return storage;
  }

  private async load(): Promise<void> {
    const text = await this.file.readText();
    if (text === null && this.readOnly) throw new StoreError('store.unreadable', `There is no SOC Bridge store in ${this.dataDir} (no ${STORE_FILE_NAME}): check DATA_DIR.`);
    if (text === null) {
      await this.persist();
      return;
    }
    const json = parseDocumentJson(text, this.file.path);
    if (json.schemaVersion === COLLECTIONS_FILE_VERSION) {
      const collections = json.collections;
      if (collections === null || typeof collections !== 'object' || Array.isArray(collections)) throw corrupt(this.file.path, 'collections', 'expected an object');
      for (const [name, records] of Object.entries(collections)) {
        if (!Array.isArray(records)) throw corrupt(this.file.path, `collections.${name}`, 'expected a list');
        this.unclaimed.set(name, records);
      }
      return;
    }
    if (this.readOnly) throw new StoreError('store.unreadable', `The store file ${this.file.path} has the format of an earlier SOC Bridge: start SOC Bridge once to convert it, then read it again.`);
    const converted = convertVersion1(json, this.file.path);
    // The previous format is kept beside the new files, so a downgrade or a bad conversion loses nothing.
    await copyFile(this.file.path, join(this.dataDir, VERSION_1_BACKUP_NAME));
    for (const [name, entries] of Object.entries(converted.logs)) await AppendLogFile.replace(this.logPath(name), entries);
    for (const [name, records] of Object.entries(converted.recordSets)) await RecordSetFile.replace(this.recordSetPath(name), records);
    for (const [name, records] of Object.entries(converted.collections)) this.unclaimed.set(name, records);
    await this.persist();
  }

  collection<T>(spec: CollectionSpec<T>): Collection<T> {
    const existing = this.collections.get(spec.name);
    if (existing) return existing as Collection<T>;
    const replica = new Replica(spec);
    const stored = this.unclaimed.get(spec.name) ?? [];
    replica.reset(
      stored.map((raw, i) => {
        const parsed = spec.schema.safeParse(raw);
        if (!parsed.success) throw corrupt(this.file.path, `collections.${spec.name}.${i}.${parsed.error.issues[0]?.path.join('.') ?? ''}`, parsed.error.issues[0]?.message ?? 'invalid');
        return parsed.data;
      }),
      0,
    );
    this.unclaimed.delete(spec.name);
    this.replicas.set(spec.name, replica as Replica<unknown>);
    const collection = collectionOver(replica, (change) => this.writeAll([spec] as const, change));
    this.collections.set(spec.name, collection as Collection<unknown>);
    return collection;
  }

  writeAll<S extends readonly CollectionSpec<unknown>[], R>(specs: S, change: (...drafts: Drafts<S>) => R): Promise<R> {
    const run = this.writes.then(async () => {
      if (this.closed) throw new StoreError('store.unreadable', 'The store is closed; the change was not made.');
      if (this.readOnly) throw new StoreError('store.locked', `The store in ${this.dataDir} was opened read only; the change was not made.`);
      if (this.lockLost) {
        throw new StoreError('store.locked', `This process lost its lock on the data folder (${this.lockLost.message}), so another may be using it; the change was not made. Restart SOC Bridge.`);
      }
      const replicas = specs.map((spec) => {
        this.collection(spec);
        return this.replicas.get(spec.name) as Replica<unknown>;
      });
      const drafts = replicas.map((replica) => new Draft(replica));
      // One draft per spec, in order: what Drafts<S> describes.
      const result = change(...(drafts as unknown as Drafts<S>));
      if (result instanceof Promise) throw new TypeError('A store change runs synchronously: it must not return a promise.');
      if (drafts.every((d) => d.changes.size === 0)) return result;
      await this.persist(new Map(drafts.map((d, i) => [specs[i]?.name ?? '', d])));
      drafts.forEach((d, i) => replicas[i]?.apply(d.changes, (replicas[i]?.version ?? 0) + 1));
      return result;
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  log<T>(spec: LogSpec<T>): AppendLog<T> {
    let log = this.logs.get(spec.name);
    if (!log) {
      log = new AppendLogFile(this.logPath(spec.name), spec as LogSpec<unknown>);
      this.logs.set(spec.name, log);
    }
    return log as AppendLog<T>;
  }

  recordSet(name: string, writer?: LeaseHolder): RecordSet {
    let set = this.sets.get(name);
    if (!set) {
      set = new RecordSetFile(this.recordSetPath(name));
      this.sets.set(name, set);
    }
    if (!writer) return set;
    const file = set;
    return {
      load: () => file.load(),
      loadGroups: (groups) => file.loadGroups(groups),
      write: async (batch) => {
        if ((await this.leases.current(writer.lease))?.holder !== writer.holder) throw new StoreError('store.fenced', `Not written: this process no longer holds the ${writer.lease} lease.`);
        await file.write(batch);
      },
    };
  }

  /** One process owns the files: nothing else changes them, so there is nothing to reload. */
  async refresh(): Promise<void> {}

  async healthy(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    await this.writes;
    this.closed = true;
    await this.releaseLock();
  }

  private logPath(name: string): string {
    return join(this.dataDir, `${name}.jsonl`);
  }

  private recordSetPath(name: string): string {
    return join(this.dataDir, `${name}.records.jsonl`);
  }

  /** Writes every collection, with `pending` drafts' changes in place of their replicas. */
  private persist(pending: ReadonlyMap<string, Draft<unknown>> = new Map()): Promise<void> {
    const collections: Record<string, unknown[]> = Object.fromEntries(this.unclaimed);
    for (const [name, replica] of this.replicas) collections[name] = [...(pending.get(name) ?? replica).all()];
    return this.file.write({ schemaVersion: COLLECTIONS_FILE_VERSION, collections });
  }
}

function corrupt(path: string, where: string, problem: string): StoreError {
  return new StoreError(
    'store.corrupt',
    `The store file ${path} does not hold valid SOC Bridge data: at ${where}, ${problem}. It was left untouched: restore it from a backup, or move it away to start empty.`,
  );
}
