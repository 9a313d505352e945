import { afterEach, describe, expect, it } from '@jest/globals';
import { StoreError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { Database } from '../../../src/store/postgres/database.js';
import { migrate } from '../../../src/store/postgres/migrate.js';
import { MIGRATIONS } from '../../../src/store/postgres/migrations/index.js';
import type { Migration } from '../../../src/store/postgres/migrations/migration.js';
import { createTestDatabase, type TestDatabase } from '../../helpers/postgres.js';

const opened: Database[] = [];
const created: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
  await Promise.all(created.splice(0).map((database) => database.drop()));
});

/** A fresh database and `connections` pools on it, as that many instances would have. */
async function freshDatabase(connections = 1): Promise<Database[]> {
  const database = await createTestDatabase();
  created.push(database);
  const pools = await Promise.all(Array.from({ length: connections }, () => Database.open(database.config, silentLogger)));
  opened.push(...pools);
  return pools;
}

const ledger = async (db: Database) => (await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations ORDER BY version')).rows;
const tables = async (db: Database) =>
  (await db.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.name);

/** The real migrations and two more, the second slow enough for instances starting together to overlap. */
const LATER: readonly Migration[] = [
  ...MIGRATIONS,
  { version: MIGRATIONS.length + 1, name: 'widgets', up: async (tx) => void (await tx.query('CREATE TABLE widgets (id integer PRIMARY KEY)')) },
  {
    version: MIGRATIONS.length + 2,
    name: 'slow-widget-column',
    up: async (tx) => {
      await tx.query('SELECT pg_sleep(0.3)');
      await tx.query('ALTER TABLE widgets ADD COLUMN label text');
    },
  },
];

/** How many migrations this SOC Bridge knows, and their versions 1…N. */
const N = MIGRATIONS.length;
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('migrate', () => {
  it('brings a fresh database to the newest schema, recording each migration', async () => {
    const [db] = await freshDatabase();
    expect(await migrate(db!, { logger: silentLogger })).toEqual({ from: 0, to: N, applied: upTo(N) });
    expect(await ledger(db!)).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
    expect(await ledger(db!)).toContainEqual({ version: 1, name: 'schema-migrations-and-leases' });
    expect(await tables(db!)).toEqual(['collection_records', 'collection_versions', 'leases', 'log_entries', 'mailbox_requests', 'rate_budgets', 'record_set_records', 'schema_migrations']);
  });

  it('applies nothing the second time, and only what is new after an upgrade', async () => {
    const [db] = await freshDatabase();
    await migrate(db!, { logger: silentLogger });
    expect(await migrate(db!, { logger: silentLogger })).toEqual({ from: N, to: N, applied: [] });
    expect(await migrate(db!, { logger: silentLogger, migrations: LATER })).toEqual({ from: N, to: N + 2, applied: [N + 1, N + 2] });
    expect(await ledger(db!)).toHaveLength(N + 2);
  });

  it('applies each migration exactly once when three instances start together', async () => {
    const instances = await freshDatabase(3);
    const outcomes = await Promise.all(instances.map((db) => migrate(db, { logger: silentLogger, migrations: LATER })));
    expect(outcomes.flatMap((o) => o.applied).sort((a, b) => a - b)).toEqual(upTo(N + 2));
    expect(outcomes.filter((o) => o.applied.length > 0)).toHaveLength(1);
    expect(outcomes.map((o) => o.to)).toEqual([N + 2, N + 2, N + 2]);
    expect(await ledger(instances[0]!)).toEqual(LATER.map(({ version, name }) => ({ version, name })));
  });

  it('refuses a database written by a newer SOC Bridge, changing nothing', async () => {
    const [db] = await freshDatabase();
    await migrate(db!, { logger: silentLogger, migrations: LATER });
    const error = await migrate(db!, { logger: silentLogger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toBe(
      `The database ${db!.target} has schema version ${N + 2}, written by a newer SOC Bridge (this one knows up to version ${N}). Upgrade SOC Bridge; the database was left untouched.`,
    );
    expect(await ledger(db!)).toHaveLength(N + 2);
  });

  it('applies none of a run whose migration fails', async () => {
    const [db] = await freshDatabase();
    const failing: Migration = { version: N + 1, name: 'broken', up: async (tx) => void (await tx.query('ALTER TABLE nowhere ADD COLUMN x integer')) };
    await expect(migrate(db!, { logger: silentLogger, migrations: [...MIGRATIONS, failing] })).rejects.toMatchObject({ code: '42P01' });
    expect(await tables(db!)).toEqual([]);
  });

  it('refuses a list of migrations out of sequence before touching the database', async () => {
    const [db] = await freshDatabase();
    const skipping: Migration = { version: N + 2, name: 'skips-one', up: async () => undefined };
    await expect(migrate(db!, { logger: silentLogger, migrations: [...MIGRATIONS, skipping] })).rejects.toThrow(
      `Migration "skips-one" has version ${N + 2} at position ${N + 1}: versions must run 1, 2, 3… in order`,
    );
    expect(await tables(db!)).toEqual([]);
  });
});
