import type { z } from 'zod/v4';
import type { LeaseStore } from './leases.js';
import type { Mailbox } from './mailbox.js';
import type { RateBudgetStore } from './rate-budgets.js';

/**
 * The storage port. Each capability declares the collections and logs it owns (name, schema, key)
 * and keeps its own repository over them; this module knows no capability.
 *
 * - A **collection** is small, configuration-like data every instance keeps a replica of (tenants,
 *   roles, conversations, links, rules, onboarding, settings): reads are synchronous from the
 *   replica, writes go through the backend under that collection's write lock and bump its
 *   version. `refresh()` compares versions with the backend and reloads what another instance
 *   changed, so a request that refreshes first sees every change made anywhere before it.
 * - A **log** is append-only, high-volume data (audit): appended one entry at a time, queried newest
 *   first, never loaded whole.
 */

/** A collection's name, record schema and key. The name is also its table key or file section. */
export interface CollectionSpec<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  keyOf(record: T): string;
}

/** Read access to a collection's records. Records are shared: treat them as read-only. */
export interface CollectionReader<T> {
  /** How many writes the records reflect; it changes with every write, made here or on another instance. */
  readonly version: number;
  get(key: string): T | undefined;
  /** Every record, in the order they were first stored. */
  all(): readonly T[];
}

/** A collection while a write runs: reads see the write's own changes. */
export interface CollectionDraft<T> extends CollectionReader<T> {
  /** Stores `record` under its key (replacing any record there). */
  put(record: T): void;
  /** Removes the record under `key`; false if there was none. */
  delete(key: string): boolean;
}

/** A collection as a capability's repository uses it. */
export interface Collection<T> extends CollectionReader<T> {
  readonly spec: CollectionSpec<T>;
  /**
   * Runs `change` on a draft that is up to date with every instance's writes, and stores its
   * changes atomically. Writes to one collection never interleave. If `change` throws, nothing is
   * stored and its error is rethrown.
   */
  write<R>(change: (draft: CollectionDraft<T>) => R): Promise<R>;
}

export type Drafts<S extends readonly CollectionSpec<unknown>[]> = { [I in keyof S]: S[I] extends CollectionSpec<infer T> ? CollectionDraft<T> : never };

/** An append-only log's name, entry schema, and the fields it can be queried by. */
export interface LogSpec<T> {
  readonly name: string;
  readonly schema: z.ZodType<T>;
  /** The entry's time (ISO 8601), for ordering. */
  timeOf(entry: T): string;
  /** The value `query({ scope })` matches, e.g. the customer tenant of an audit entry. */
  scopeOf(entry: T): string;
}

export interface AppendLog<T> {
  append(entry: T): Promise<void>;
  /** Newest first, at most `limit`, optionally only entries whose scope is `scope`. */
  query(options: { scope?: string; limit: number }): Promise<T[]>;
  /** How many entries there are (with `scope`: whose scope is `scope`). */
  count(options: { scope?: string }): Promise<number>;
  /** Every entry, oldest first, read a page at a time (for copying a log to another store). */
  entries(): AsyncIterable<T>;
}

/** One backend: the embedded files (one process) or PostgreSQL (any number of instances). */
export interface Storage {
  /** `embedded` or `postgres`, for logs and `/readyz`. */
  readonly kind: 'embedded' | 'postgres';
  /** Where the data lives, for people: a folder, or the database without its password. */
  readonly location: string;
  /** The collection `spec` names; the same object for the same name. */
  collection<T>(spec: CollectionSpec<T>): Collection<T>;
  /** Changes several collections at once: all of the changes are stored, or none. */
  writeAll<S extends readonly CollectionSpec<unknown>[], R>(specs: S, change: (...drafts: Drafts<S>) => R): Promise<R>;
  log<T>(spec: LogSpec<T>): AppendLog<T>;
  /**
   * The record set named `name` (one owner per set). With `writer`, writes land only while that
   * holder has that lease: once another instance may have taken the work over, a late write of the
   * one before is refused (StoreError `store.fenced`) instead of overwriting newer records.
   */
  recordSet(name: string, writer?: LeaseHolder): RecordSet;
  /** Reloads the replicas another instance changed since the last refresh. */
  refresh(): Promise<void>;
  /** Whether the backend answers now (false while the database is unreachable). */
  healthy(): Promise<boolean>;
  /** Named leases for work one instance at a time may do. */
  readonly leases: LeaseStore;
  /** The mailbox named `name`: requests any instance posts for the one doing that work. */
  mailbox(name: string): Mailbox;
  /** Rate budgets all instances draw from together. */
  readonly rates: RateBudgetStore;
  /** Waits for writes in flight and releases the backend. */
  close(): Promise<void>;
}

/** A lease and the holder that must still have it. */
export interface LeaseHolder {
  readonly lease: string;
  readonly holder: string;
}

/** One change to a record set: the record's new value under (section, key), or null to delete it. */
export interface RecordChange {
  readonly section: string;
  readonly key: string;
  readonly record: unknown;
}

/**
 * High-volume keyed records (delivery's outbox, alert snapshots, digests and poll cursors) that
 * one owner reads in two ways: everything once at start, as a stream, and afterwards the groups it
 * needs. A record's group is its key up to the first `|` (the whole key when it has none), so
 * records keyed `<thing>` and `<thing>|<more>` in any section load together. Writing a batch costs
 * what the batch holds, never what the set holds. Records come back as stored: the owner validates them.
 */
export interface RecordSet {
  /** Every live record, streamed in pages: what is held at once does not grow with the set. */
  load(): AsyncIterable<RecordChange>;
  /** Every live record, in any section, whose group is one of `groups`. */
  loadGroups(groups: readonly string[]): Promise<RecordChange[]>;
  /** Stores the batch atomically. A `record` of null deletes. */
  write(batch: readonly RecordChange[]): Promise<void>;
}

/** The group a record key belongs to: the key up to its first `|` (see RecordSet). */
export function recordGroupOf(key: string): string {
  const cut = key.indexOf('|');
  return cut === -1 ? key : key.slice(0, cut);
}
