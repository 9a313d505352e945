import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod/v4';
import { silentLogger } from '../../src/log.js';
import { EmbeddedStorage } from '../../src/store/embedded/embedded-storage.js';
import { openMigratedDatabase } from '../../src/store/postgres/open-database.js';
import { PostgresStorage } from '../../src/store/postgres/postgres-storage.js';
import type { CollectionSpec, LogSpec, RecordChange, Storage } from '../../src/store/storage.js';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';

/**
 * What every storage backend promises, run against each of them. A backend is opened, used, closed
 * and opened again on the same data, as a restarted process would.
 */
interface Backend {
  readonly name: string;
  open(): Promise<Storage>;
  dispose(): Promise<void>;
}

function embeddedBackend(): Backend {
  let dir = '';
  return {
    name: 'embedded',
    async open() {
      dir ||= mkdtempSync(join(tmpdir(), 'soc-bridge-contract-'));
      return EmbeddedStorage.open(dir);
    },
    async dispose() {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fresh PostgreSQL database per test; `open` is a new instance on it (as after a restart, or another instance). */
function postgresBackend(): Backend {
  let database: TestDatabase | undefined;
  return {
    name: 'postgres',
    async open() {
      database ??= await createTestDatabase();
      return new PostgresStorage(await openMigratedDatabase(database.config, silentLogger), silentLogger);
    },
    async dispose() {
      await database?.drop();
    },
  };
}

const PetSchema = z.object({ id: z.string(), name: z.string(), age: z.number().int().nonnegative() });
type Pet = z.infer<typeof PetSchema>;
const PETS: CollectionSpec<Pet> = { name: 'pets', schema: PetSchema, keyOf: (p) => p.id };
const OwnerSchema = z.object({ id: z.string(), pets: z.array(z.string()) });
const OWNERS: CollectionSpec<z.infer<typeof OwnerSchema>> = { name: 'owners', schema: OwnerSchema, keyOf: (o) => o.id };
const EventSchema = z.object({ at: z.string(), scope: z.string(), n: z.number() });
type PetEvent = z.infer<typeof EventSchema>;
const EVENTS: LogSpec<PetEvent> = { name: 'events', schema: EventSchema, timeOf: (e) => e.at, scopeOf: (e) => e.scope };

const pet = (id: string, age = 1): Pet => ({ id, name: `Pet ${id}`, age });

describe.each([
  ['embedded', embeddedBackend],
  ['PostgreSQL', postgresBackend],
] as const)('storage contract: %s', (_name, make) => {
  let backend: Backend;
  let storage: Storage;
  beforeEach(async () => {
    backend = make();
    storage = await backend.open();
  });
  afterEach(async () => {
    await storage.close();
    await backend.dispose();
  });
  /** A restart: the collections are declared again and read before use, as the app does before serving. */
  const reopen = async () => {
    await storage.close();
    storage = await backend.open();
    storage.collection(PETS);
    storage.collection(OWNERS);
    await storage.refresh();
  };

  describe('collections', () => {
    it('stores, reads, replaces and deletes records by key, and keeps them across a restart', async () => {
      const pets = storage.collection(PETS);
      await pets.write((d) => {
        d.put(pet('a'));
        d.put(pet('b'));
      });
      await pets.write((d) => d.put({ ...pet('a'), age: 5 }));
      await pets.write((d) => d.delete('b'));
      expect(pets.all()).toEqual([{ ...pet('a'), age: 5 }]);
      await reopen();
      expect(storage.collection(PETS).get('a')).toEqual({ ...pet('a'), age: 5 });
      expect(storage.collection(PETS).get('b')).toBeUndefined();
    });

    it('loses none of many concurrent writes, and serializes them (a write sees every earlier one)', async () => {
      const pets = storage.collection(PETS);
      await pets.write((d) => d.put(pet('counter', 0)));
      await Promise.all(
        Array.from({ length: 200 }, (_, n) =>
          pets.write((d) => {
            d.put(pet(`p${n}`));
            const counter = d.get('counter') as Pet;
            d.put({ ...counter, age: counter.age + 1 });
          }),
        ),
      );
      expect(pets.all()).toHaveLength(201);
      expect(pets.get('counter')?.age).toBe(200);
      await reopen();
      expect(storage.collection(PETS).all()).toHaveLength(201);
    });

    it('stores nothing of a write that throws, and rethrows its error', async () => {
      const pets = storage.collection(PETS);
      await pets.write((d) => d.put(pet('a')));
      await expect(
        pets.write((d) => {
          d.put(pet('b'));
          d.delete('a');
          throw new Error('half-way');
        }),
      ).rejects.toThrow('half-way');
      expect(pets.all()).toEqual([pet('a')]);
      await reopen();
      expect(storage.collection(PETS).all()).toEqual([pet('a')]);
    });

    it('refuses a record that does not fit the schema, storing nothing', async () => {
      const pets = storage.collection(PETS);
      await expect(pets.write((d) => d.put({ id: 'x', name: 'X', age: -1 }))).rejects.toThrow();
      expect(pets.all()).toEqual([]);
    });

    it('lets a write read its own changes before it is stored', async () => {
      const pets = storage.collection(PETS);
      const seen = await pets.write((d) => {
        d.put(pet('a'));
        return { get: d.get('a'), all: d.all().length, deleted: d.delete('a'), after: d.get('a') };
      });
      expect(seen).toEqual({ get: pet('a'), all: 1, deleted: true, after: undefined });
      expect(pets.all()).toEqual([]);
    });

    it('changes its version with every write that changes something, and not otherwise', async () => {
      const pets = storage.collection(PETS);
      const before = pets.version;
      await pets.write((d) => d.put(pet('a')));
      const after = pets.version;
      expect(after).not.toBe(before);
      await pets.write((d) => d.get('a'));
      expect(pets.version).toBe(after);
    });

    it('changes several collections all or nothing', async () => {
      await storage.writeAll([PETS, OWNERS] as const, (pets, owners) => {
        pets.put(pet('a'));
        owners.put({ id: 'o', pets: ['a'] });
      });
      await expect(
        storage.writeAll([PETS, OWNERS] as const, (pets, owners) => {
          pets.put(pet('b'));
          owners.put({ id: 'o', pets: ['a', 'b'] });
          throw new Error('no');
        }),
      ).rejects.toThrow('no');
      await reopen();
      expect(storage.collection(PETS).all()).toEqual([pet('a')]);
      expect(storage.collection(OWNERS).all()).toEqual([{ id: 'o', pets: ['a'] }]);
    });

    it('refuses writes after close', async () => {
      const pets = storage.collection(PETS);
      await storage.close();
      await expect(pets.write((d) => d.put(pet('a')))).rejects.toThrow(/closed/);
      storage = await backend.open();
    });
  });

  describe('logs', () => {
    it('appends entries and answers newest first, by scope, with a limit, and counts them', async () => {
      const events = storage.log(EVENTS);
      for (let n = 0; n < 30; n++) await events.append({ at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(), scope: n % 3 === 0 ? 'x' : 'y', n });
      expect((await events.query({ limit: 3 })).map((e) => e.n)).toEqual([29, 28, 27]);
      expect((await events.query({ scope: 'x', limit: 2 })).map((e) => e.n)).toEqual([27, 24]);
      expect(await events.query({ limit: Infinity })).toHaveLength(30);
      expect(await events.count({})).toBe(30);
      expect(await events.count({ scope: 'x' })).toBe(10);
      await reopen();
      expect((await storage.log(EVENTS).query({ scope: 'y', limit: 1 })).map((e) => e.n)).toEqual([29]);
    });

    it('refuses an entry that does not fit the schema', async () => {
      await expect(storage.log(EVENTS).append({ at: 'now', scope: 'x', n: 'one' } as unknown as PetEvent)).rejects.toThrow();
      expect(await storage.log(EVENTS).count({})).toBe(0);
    });
  });

  describe('record sets', () => {
    it('stores batches of changes and loads the live records after a restart', async () => {
      const set = storage.recordSet('things');
      await set.write([
        { section: 'a', key: '1', record: { v: 1 } },
        { section: 'a', key: '2', record: { v: 2 } },
        { section: 'b', key: '1', record: { v: 3 } },
      ]);
      await set.write([
        { section: 'a', key: '1', record: { v: 10 } },
        { section: 'a', key: '2', record: null },
      ]);
      await reopen();
      const loaded = [];
      for await (const change of storage.recordSet('things').load()) loaded.push(change);
      expect(loaded.sort((x, y) => `${x.section}${x.key}`.localeCompare(`${y.section}${y.key}`))).toEqual([
        { section: 'a', key: '1', record: { v: 10 } },
        { section: 'b', key: '1', record: { v: 3 } },
      ]);
    });

    it('loads the records of chosen groups (the key up to its first |) across sections, before and after a restart', async () => {
      const set = storage.recordSet('grouped');
      await set.write([
        { section: 'alerts', key: 't1/a1', record: { v: 'snapshot a1' } },
        { section: 'deliveries', key: 't1/a1|teams:x', record: { v: 'a1 to x' } },
        { section: 'deliveries', key: 't1/a1|email:y|z', record: { v: 'a1 to y' } },
        { section: 'deliveries', key: 't1/a10|teams:x', record: { v: 'a10 to x' } },
        { section: 'alerts', key: 't1/a10', record: { v: 'snapshot a10' } },
        { section: 'alerts', key: 't1/a2', record: { v: 'snapshot a2' } },
      ]);
      await set.write([{ section: 'deliveries', key: 't1/a1|teams:x', record: null }]);
      const sorted = (changes: readonly RecordChange[]) => [...changes].sort((x, y) => `${x.section} ${x.key}`.localeCompare(`${y.section} ${y.key}`));
      const expected = [
        { section: 'alerts', key: 't1/a1', record: { v: 'snapshot a1' } },
        { section: 'alerts', key: 't1/a2', record: { v: 'snapshot a2' } },
        { section: 'deliveries', key: 't1/a1|email:y|z', record: { v: 'a1 to y' } },
      ];
      expect(sorted(await set.loadGroups(['t1/a1', 't1/a2', 't1/unknown']))).toEqual(expected);
      await reopen();
      expect(sorted(await storage.recordSet('grouped').loadGroups(['t1/a2', 't1/a1', 't1/a1']))).toEqual(expected);
      expect(await storage.recordSet('grouped').loadGroups([])).toEqual([]);
      expect(await storage.recordSet('other').loadGroups(['t1/a1'])).toEqual([]);
    });

    it('streams a set larger than one page whole, each record once', async () => {
      const set = storage.recordSet('large');
      const batch = Array.from({ length: 4_500 }, (_, i) => ({ section: i % 2 ? 'odd' : 'even', key: `k${String(i).padStart(5, '0')}`, record: { i } }));
      await set.write(batch);
      await reopen();
      const seen = new Set<number>();
      for await (const change of storage.recordSet('large').load()) seen.add((change.record as { i: number }).i);
      expect(seen.size).toBe(4_500);
    });

    it('takes writes of a lease holder only while it holds the lease', async () => {
      const writer = { lease: 'owner', holder: 'instance-a' };
      const set = storage.recordSet('owned', writer);
      await expect(set.write([{ section: 'a', key: '1', record: { v: 1 } }])).rejects.toMatchObject({ code: 'store.fenced' });
      expect(await storage.leases.acquire('owner', 'instance-a', 60_000)).toBeDefined();
      await set.write([{ section: 'a', key: '1', record: { v: 2 } }]);
      await storage.leases.release('owner', 'instance-a');
      expect(await storage.leases.acquire('owner', 'instance-b', 60_000)).toBeDefined();
      await expect(set.write([{ section: 'a', key: '1', record: { v: 3 } }])).rejects.toMatchObject({ code: 'store.fenced' });
      const loaded = [];
      for await (const change of storage.recordSet('owned').load()) loaded.push(change);
      expect(loaded).toEqual([{ section: 'a', key: '1', record: { v: 2 } }]);
    });
  });
});

describe('two instances on one PostgreSQL database', () => {
  let database: TestDatabase;
  let a: Storage;
  let b: Storage;
  beforeEach(async () => {
    database = await createTestDatabase();
    a = new PostgresStorage(await openMigratedDatabase(database.config, silentLogger), silentLogger);
    b = new PostgresStorage(await openMigratedDatabase(database.config, silentLogger), silentLogger);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await database.drop();
  });

  it("each sees the other's changes after a refresh, and only reloads what changed", async () => {
    const petsA = a.collection(PETS);
    const petsB = b.collection(PETS);
    b.collection(OWNERS);
    await b.refresh();
    await petsA.write((d) => d.put(pet('a')));
    expect(petsB.get('a')).toBeUndefined();
    await b.refresh();
    expect(petsB.get('a')).toEqual(pet('a'));
    expect(petsB.version).toBe(petsA.version);
  });

  it('never lose each other’s writes, even when both change the same record at once', async () => {
    const petsA = a.collection(PETS);
    const petsB = b.collection(PETS);
    await petsA.write((d) => d.put(pet('counter', 0)));
    const bump = (pets: typeof petsA) =>
      pets.write((d) => {
        const counter = d.get('counter') as Pet;
        d.put({ ...counter, age: counter.age + 1 });
      });
    await Promise.all(Array.from({ length: 40 }, (_, n) => bump(n % 2 === 0 ? petsA : petsB)));
    await Promise.all([a.refresh(), b.refresh()]);
    expect(petsA.get('counter')?.age).toBe(40);
    expect(petsB.get('counter')?.age).toBe(40);
  });

  it('append to one log and read it from either', async () => {
    await a.log(EVENTS).append({ at: '2026-01-01T00:00:00.000Z', scope: 's', n: 1 });
    await b.log(EVENTS).append({ at: '2026-01-01T00:00:01.000Z', scope: 's', n: 2 });
    expect((await a.log(EVENTS).query({ limit: 5 })).map((e) => e.n)).toEqual([2, 1]);
  });
});
