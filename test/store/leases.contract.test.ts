import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { silentLogger } from '../../src/log.js';
import { InProcessLeaseStore } from '../../src/store/in-process-leases.js';
import type { LeaseStore } from '../../src/store/leases.js';
import { Database } from '../../src/store/postgres/database.js';
import { migrate } from '../../src/store/postgres/migrate.js';
import { PostgresLeaseStore } from '../../src/store/postgres/postgres-leases.js';
import { useTestDatabase } from '../helpers/postgres.js';

const testDatabase = useTestDatabase();
let db: Database | undefined;
beforeAll(async () => {
  db = await Database.open(testDatabase().config, silentLogger);
  await migrate(db, { logger: silentLogger });
});
afterAll(async () => {
  await db?.close();
});

const backends: [string, () => LeaseStore][] = [
  ['in-process', () => new InProcessLeaseStore()],
  [
    'PostgreSQL',
    () => {
      if (!db) throw new Error('the test database did not open');
      return new PostgresLeaseStore(db);
    },
  ],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// The database's clock and this process's are the same machine's; a second covers rounding and scheduling.
const SLACK_MS = 1000;

describe.each(backends)('%s leases', (_backend, makeLeases) => {
  let leases: LeaseStore;
  let name: string;
  beforeEach(() => {
    leases = makeLeases();
    name = `poll:${randomUUID()}`;
  });

  it('are taken when free and say who has them until when', async () => {
    expect(await leases.current(name)).toBeUndefined();
    const before = Date.now();
    const lease = await leases.acquire(name, 'instance-a', 30_000);
    expect(lease).toMatchObject({ name, holder: 'instance-a' });
    expect(lease!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 30_000 - SLACK_MS);
    expect(lease!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 30_000 + SLACK_MS);
    expect(await leases.current(name)).toEqual(lease);
  });

  it('are refused to another holder while held, and extended for their own', async () => {
    const first = await leases.acquire(name, 'instance-a', 30_000);
    expect(await leases.acquire(name, 'instance-b', 30_000)).toBeUndefined();
    expect((await leases.current(name))?.holder).toBe('instance-a');
    await sleep(20);
    const again = await leases.acquire(name, 'instance-a', 30_000);
    expect(again?.holder).toBe('instance-a');
    expect(again!.expiresAt.getTime()).toBeGreaterThan(first!.expiresAt.getTime());
  });

  it('are taken over once their holder lets them expire', async () => {
    await leases.acquire(name, 'instance-a', 100);
    expect(await leases.acquire(name, 'instance-b', 30_000)).toBeUndefined();
    await sleep(250);
    expect(await leases.current(name)).toBeUndefined();
    expect((await leases.acquire(name, 'instance-b', 30_000))?.holder).toBe('instance-b');
    expect(await leases.renew(name, 'instance-a', 30_000)).toBeUndefined();
    expect((await leases.current(name))?.holder).toBe('instance-b');
  });

  it('are extended by renewing, only by their live holder', async () => {
    const first = await leases.acquire(name, 'instance-a', 5_000);
    const renewed = await leases.renew(name, 'instance-a', 60_000);
    expect(renewed?.holder).toBe('instance-a');
    expect(renewed!.expiresAt.getTime()).toBeGreaterThanOrEqual(first!.expiresAt.getTime() + 55_000 - SLACK_MS);
    expect(await leases.current(name)).toEqual(renewed);
    expect(await leases.renew(name, 'instance-b', 60_000)).toBeUndefined();
    expect(await leases.renew(`poll:${randomUUID()}`, 'instance-a', 60_000)).toBeUndefined();

    const short = `poll:${randomUUID()}`;
    await leases.acquire(short, 'instance-a', 50);
    await sleep(150);
    expect(await leases.renew(short, 'instance-a', 60_000)).toBeUndefined();
  });

  it('are freed at once by release, only by their holder', async () => {
    await leases.acquire(name, 'instance-a', 30_000);
    expect(await leases.release(name, 'instance-b')).toBe(false);
    expect((await leases.current(name))?.holder).toBe('instance-a');
    expect(await leases.release(name, 'instance-a')).toBe(true);
    expect(await leases.current(name)).toBeUndefined();
    expect(await leases.release(name, 'instance-a')).toBe(false);
    expect((await leases.acquire(name, 'instance-b', 30_000))?.holder).toBe('instance-b');
  });

  it('go to exactly one of many acquirers racing for a free lease, and for an expired one', async () => {
    const holders = Array.from({ length: 8 }, (_, n) => `instance-${n}`);
    const race = () => Promise.all(holders.map((holder) => leases.acquire(name, holder, 200)));

    const fresh = (await race()).filter((lease) => lease !== undefined);
    expect(fresh).toHaveLength(1);
    expect((await leases.current(name))?.holder).toBe(fresh[0]!.holder);

    await sleep(350);
    const afterExpiry = (await race()).filter((lease) => lease !== undefined);
    expect(afterExpiry).toHaveLength(1);
    expect((await leases.current(name))?.holder).toBe(afterExpiry[0]!.holder);
  });

  it('last from 1 ms to a day', async () => {
    for (const ttl of [0, -5, 1.5, 24 * 3_600_000 + 1, Number.NaN]) {
      await expect(leases.acquire(name, 'instance-a', ttl)).rejects.toThrow(RangeError);
      await expect(leases.renew(name, 'instance-a', ttl)).rejects.toThrow('A lease lasts a whole number of milliseconds');
    }
    expect(await leases.current(name)).toBeUndefined();
  });
});
