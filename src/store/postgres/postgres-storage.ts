import { StoreError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { LeaseStore } from '../leases.js';
import { collectionOver, Draft, Replica } from '../replica.js';
import type { AppendLog, Collection, CollectionSpec, Drafts, LeaseHolder, LogSpec, RecordChange, RecordSet, Storage } from '../storage.js';
import type { Database, Queryable } from './database.js';
import { PostgresLeaseStore } from './postgres-leases.js';
import { PostgresMailbox } from './postgres-mailbox.js';
import { PostgresRateBudgets } from './postgres-rate-budgets.js';
import type { Mailbox } from '../mailbox.js';
import type { RateBudgetStore } from '../rate-budgets.js';

/**
 * The storage port on PostgreSQL, shared by any number of instances. Collection writes lock the
 * collections' version rows (`FOR UPDATE`), bring the replica up to date inside that lock, store
 * the draft's changes and bump the versions, all in one transaction: writers on every instance
 * are serialized per collection and never lose each other's changes. `refresh()` compares the
 * version rows with the replicas in one query and reloads only what moved.
 */
/** Rows per page when a record set is read whole. */
const LOAD_PAGE_ROWS = 2_000;

interface RecordRow {
  section: string;
  key: string;
  data: unknown;
}

export class PostgresStorage implements Storage {
  readonly kind = 'postgres' as const;
  readonly leases: LeaseStore;
  readonly rates: RateBudgetStore;
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly replicas = new Map<string, Replica<unknown>>();
  private readonly collections = new Map<string, Collection<unknown>>();
  private readonly loaded = new Set<string>();
  private refreshing: Promise<void> | undefined;
  /** Collection writes of this process, one at a time (others wait on the row locks anyway). */
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.leases = new PostgresLeaseStore(db);
    this.rates = new PostgresRateBudgets(db);
  }

  mailbox(name: string): Mailbox {
    let mailbox = this.mailboxes.get(name);
    if (!mailbox) {
      mailbox = new PostgresMailbox(this.db, name);
      this.mailboxes.set(name, mailbox);
    }
    return mailbox;
  }

  get location(): string {
    return this.db.target;
  }

  collection<T>(spec: CollectionSpec<T>): Collection<T> {
    const existing = this.collections.get(spec.name);
    if (existing) return existing as Collection<T>;
    const replica = new Replica(spec);
    this.replicas.set(spec.name, replica as Replica<unknown>);
    const collection = collectionOver(replica, (change) => this.writeAll([spec] as const, change));
    this.collections.set(spec.name, collection as Collection<unknown>);
    return collection;
  }

  writeAll<S extends readonly CollectionSpec<unknown>[], R>(specs: S, change: (...drafts: Drafts<S>) => R): Promise<R> {
    const run = this.writes.then(() => this.transact(specs, change));
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async transact<S extends readonly CollectionSpec<unknown>[], R>(specs: S, change: (...drafts: Drafts<S>) => R): Promise<R> {
    if (this.closed) throw new StoreError('store.unreadable', 'The store is closed; the change was not made.');
    const replicas = specs.map((spec) => {
      this.collection(spec);
      return this.replicas.get(spec.name) as Replica<unknown>;
    });
    const names = specs.map((s) => s.name);
    const committed: { replica: Replica<unknown>; draft: Draft<unknown>; version: number }[] = [];
    const result = await this.db.withTransaction(async (tx) => {
      await tx.query('INSERT INTO collection_versions (collection, version) SELECT unnest($1::text[]), 0 ON CONFLICT DO NOTHING', [names]);
      const locked = await tx.query<{ collection: string; version: string }>('SELECT collection, version FROM collection_versions WHERE collection = ANY($1) ORDER BY collection FOR UPDATE', [names]);
      const versions = new Map(locked.rows.map((r) => [r.collection, Number(r.version)]));
      for (const replica of replicas) {
        const version = versions.get(replica.spec.name) ?? 0;
        if (!this.loaded.has(replica.spec.name) || replica.version !== version) await this.reload(tx, replica, version);
      }
      const drafts = replicas.map((replica) => new Draft(replica));
      // One draft per spec, in order: what Drafts<S> describes.
      const value = change(...(drafts as unknown as Drafts<S>));
      if (value instanceof Promise) throw new TypeError('A store change runs synchronously: it must not return a promise.');
      for (const [i, draft] of drafts.entries()) {
        if (draft.changes.size === 0) continue;
        const replica = replicas[i] as Replica<unknown>;
        await storeChanges(tx, replica.spec.name, draft.changes);
        const bumped = await tx.query<{ version: string }>('UPDATE collection_versions SET version = version + 1 WHERE collection = $1 RETURNING version', [replica.spec.name]);
        committed.push({ replica, draft, version: Number(bumped.rows[0]?.version) });
      }
      return value;
    });
    for (const { replica, draft, version } of committed) replica.apply(draft.changes, version);
    return result;
  }

  /** Reads a collection whole into its replica; a record that does not fit its schema stops the read with the place it is at. */
  private async reload(db: Queryable, replica: Replica<unknown>, version: number): Promise<void> {
    const rows = await db.query<{ key: string; data: unknown }>('SELECT key, data FROM collection_records WHERE collection = $1 ORDER BY position', [replica.spec.name]);
    const records = rows.rows.map((row) => {
      const parsed = replica.spec.schema.safeParse(row.data);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0];
      throw new StoreError('store.corrupt', `The database ${this.db.target} holds a record SOC Bridge cannot read: collection ${replica.spec.name}, key ${row.key}, at ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}.`);
    });
    replica.reset(records, version);
    this.loaded.add(replica.spec.name);
  }

  refresh(): Promise<void> {
    this.refreshing ??= this.refreshNow().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    const names = [...this.replicas.keys()];
    if (names.length === 0) return;
    const rows = await this.db.query<{ collection: string; version: string }>('SELECT collection, version FROM collection_versions WHERE collection = ANY($1)', [names]);
    const versions = new Map(rows.rows.map((r) => [r.collection, Number(r.version)]));
    for (const [name, replica] of this.replicas) {
      const version = versions.get(name) ?? 0;
      if (this.loaded.has(name) && replica.version === version) continue;
      await this.reload(this.db, replica, version);
    }
  }

  log<T>(spec: LogSpec<T>): AppendLog<T> {
    const db = this.db;
    return {
      async append(entry) {
        const parsed = spec.schema.parse(entry);
        await db.query('INSERT INTO log_entries (log, at, scope, data) VALUES ($1, $2, $3, $4)', [spec.name, spec.timeOf(parsed), spec.scopeOf(parsed), JSON.stringify(parsed)]);
      },
      async query({ scope, limit: wanted }) {
        // LIMIT NULL is no limit: what Infinity asks for.
        const limit = Number.isFinite(wanted) ? wanted : null;
        const rows =
          scope === undefined
            ? await db.query<{ data: unknown }>('SELECT data FROM log_entries WHERE log = $1 ORDER BY id DESC LIMIT $2', [spec.name, limit])
            : await db.query<{ data: unknown }>('SELECT data FROM log_entries WHERE log = $1 AND scope = $2 ORDER BY id DESC LIMIT $3', [spec.name, scope, limit]);
        return rows.rows.flatMap((row) => {
          const parsed = spec.schema.safeParse(row.data);
          return parsed.success ? [parsed.data] : [];
        });
      },
      async *entries() {
        let after = 0;
        for (;;) {
          const page = await db.query<{ id: string; data: unknown }>('SELECT id, data FROM log_entries WHERE log = $1 AND id > $2 ORDER BY id LIMIT 1000', [spec.name, after]);
          for (const row of page.rows) {
            const parsed = spec.schema.safeParse(row.data);
            if (parsed.success) yield parsed.data;
          }
          const last = page.rows.at(-1);
          if (!last) return;
          after = Number(last.id);
        }
      },
      async count({ scope }) {
        const rows =
          scope === undefined
            ? await db.query<{ n: string }>('SELECT count(*) AS n FROM log_entries WHERE log = $1', [spec.name])
            : await db.query<{ n: string }>('SELECT count(*) AS n FROM log_entries WHERE log = $1 AND scope = $2', [spec.name, scope]);
        return Number(rows.rows[0]?.n ?? 0);
      },
    };
  }

  recordSet(name: string, writer?: LeaseHolder): RecordSet {
    const db = this.db;
    return {
      async *load() {
        // Pages in key order (the primary key's), so the whole set is never in memory at once.
        let after: { section: string; key: string } | undefined;
        for (;;) {
          const rows = after
            ? await db.query<RecordRow>('SELECT section, key, data FROM record_set_records WHERE record_set = $1 AND (section, key) > ($2, $3) ORDER BY section, key LIMIT $4', [name, after.section, after.key, LOAD_PAGE_ROWS])
            : await db.query<RecordRow>('SELECT section, key, data FROM record_set_records WHERE record_set = $1 ORDER BY section, key LIMIT $2', [name, LOAD_PAGE_ROWS]);
          for (const row of rows.rows) yield { section: row.section, key: row.key, record: row.data };
          const last = rows.rows.at(-1);
          if (!last || rows.rows.length < LOAD_PAGE_ROWS) return;
          after = last;
        }
      },
      async loadGroups(groups) {
        if (groups.length === 0) return [];
        const rows = await db.query<RecordRow>('SELECT section, key, data FROM record_set_records WHERE record_set = $1 AND record_group = ANY($2)', [name, [...new Set(groups)]]);
        return rows.rows.map((row) => ({ section: row.section, key: row.key, record: row.data }));
      },
      async write(batch) {
        if (batch.length === 0) return;
        await db.withTransaction(async (tx) => {
          // FOR SHARE: the lease cannot change hands until this write commits, so whoever takes it next loads it.
          if (writer) {
            const held = await tx.query('SELECT 1 FROM leases WHERE name = $1 AND holder = $2 AND expires_at > statement_timestamp() FOR SHARE', [writer.lease, writer.holder]);
            if (held.rowCount === 0) throw new StoreError('store.fenced', `Not written: this instance no longer holds the ${writer.lease} lease.`);
          }
          await writeRecordBatch(tx, name, batch);
        });
      },
    };
  }

  async healthy(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch (error) {
      this.logger.warn({ event: 'database.unhealthy', err: error }, 'the database does not answer');
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.writes;
    this.closed = true;
    await this.db.close();
  }
}

async function storeChanges(tx: Queryable, collection: string, changes: ReadonlyMap<string, unknown>): Promise<void> {
  const upserts = [...changes].filter(([, record]) => record !== null);
  const deletes = [...changes].filter(([, record]) => record === null).map(([key]) => key);
  if (upserts.length > 0) {
    await tx.query(
      `INSERT INTO collection_records (collection, key, data)
       SELECT $1, k, d FROM unnest($2::text[], $3::jsonb[]) AS u(k, d)
       ON CONFLICT (collection, key) DO UPDATE SET data = EXCLUDED.data`,
      [collection, upserts.map(([key]) => key), upserts.map(([, record]) => JSON.stringify(record))],
    );
  }
  if (deletes.length > 0) await tx.query('DELETE FROM collection_records WHERE collection = $1 AND key = ANY($2)', [collection, deletes]);
}

async function writeRecordBatch(tx: Queryable, name: string, batch: readonly RecordChange[]): Promise<void> {
  // The last change of a key in the batch is the one that counts.
  const last = new Map<string, RecordChange>();
  for (const change of batch) last.set(`${change.section}\0${change.key}`, change);
  const upserts = [...last.values()].filter((c) => c.record !== null);
  const deletes = [...last.values()].filter((c) => c.record === null);
  if (upserts.length > 0) {
    await tx.query(
      `INSERT INTO record_set_records (record_set, section, key, data)
       SELECT $1, s, k, d FROM unnest($2::text[], $3::text[], $4::jsonb[]) AS u(s, k, d)
       ON CONFLICT (record_set, section, key) DO UPDATE SET data = EXCLUDED.data`,
      [name, upserts.map((c) => c.section), upserts.map((c) => c.key), upserts.map((c) => JSON.stringify(c.record))],
    );
  }
  if (deletes.length > 0) {
    await tx.query('DELETE FROM record_set_records WHERE record_set = $1 AND (section, key) IN (SELECT * FROM unnest($2::text[], $3::text[]))', [name, deletes.map((c) => c.section), deletes.map((c) => c.key)]);
  }
}
