import type { Collection, CollectionDraft, CollectionReader, CollectionSpec } from './storage.js';

/**
 * A collection's records held in memory: what every read of the collection answers from. Both
 * backends keep one per collection; `version` is the backend's count of writes it reflects.
 */
export class Replica<T> implements CollectionReader<T> {
  private records = new Map<string, T>();
  version = 0;

  constructor(readonly spec: CollectionSpec<T>) {}

  get(key: string): T | undefined {
    return this.records.get(key);
  }

  all(): readonly T[] {
    return [...this.records.values()];
  }

  /** Replaces every record (a reload). */
  reset(records: Iterable<T>, version: number): void {
    this.records = new Map([...records].map((r) => [this.spec.keyOf(r), r]));
    this.version = version;
  }

  /** Applies a committed draft's changes. */
  apply(changes: ReadonlyMap<string, T | null>, version: number): void {
    for (const [key, record] of changes) {
      if (record === null) this.records.delete(key);
      else this.records.set(key, record);
    }
    this.version = version;
  }
}

/**
 * A write in progress over a replica: changes are kept aside (and validated) until the backend has
 * stored them, so a write that throws or fails to store leaves the replica as it was.
 */
export class Draft<T> implements CollectionDraft<T> {
  readonly changes = new Map<string, T | null>();

  constructor(private readonly replica: Replica<T>) {}

  get version(): number {
    return this.replica.version;
  }

  get(key: string): T | undefined {
    const changed = this.changes.get(key);
    return changed === undefined ? this.replica.get(key) : (changed ?? undefined);
  }

  all(): readonly T[] {
    const out: T[] = [];
    for (const record of this.replica.all()) {
      const changed = this.changes.get(this.replica.spec.keyOf(record));
      if (changed === undefined) out.push(record);
      else if (changed !== null) out.push(changed);
    }
    for (const [key, record] of this.changes) if (record !== null && this.replica.get(key) === undefined) out.push(record);
    return out;
  }

  put(record: T): void {
    const parsed = this.replica.spec.schema.parse(record);
    this.changes.set(this.replica.spec.keyOf(parsed), parsed);
  }

  delete(key: string): boolean {
    const existed = this.get(key) !== undefined;
    this.changes.set(key, null);
    return existed;
  }
}

/** A collection whose reads answer from `replica` and whose writes go through the backend's `write`. */
export function collectionOver<T>(replica: Replica<T>, write: Collection<T>['write']): Collection<T> {
  return {
    spec: replica.spec,
    get version() {
      return replica.version;
    },
    get: (key) => replica.get(key),
    all: () => replica.all(),
    write,
  };
}
