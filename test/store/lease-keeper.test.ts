import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../../src/log.js';
import { LeaseKeeper } from '../../src/store/lease-keeper.js';
import type { LeaseStore } from '../../src/store/leases.js';
import { Database } from '../../src/store/postgres/database.js';
import { migrate } from '../../src/store/postgres/migrate.js';
import { PostgresLeaseStore } from '../../src/store/postgres/postgres-leases.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { eventually } from '../helpers/eventually.js';

const testDatabase = useTestDatabase();
let db: Database | undefined;
beforeAll(async () => {
  db = await Database.open(testDatabase().config, silentLogger);
  await migrate(db, { logger: silentLogger });
});
afterAll(async () => {
  await db?.close();
});

/** A lease store that stops answering on demand, as a database behind a broken network would. */
function unreliable(store: LeaseStore): LeaseStore & { down: boolean } {
  const wrapped = {
    down: false,
    acquire: (name: string, holder: string, ttl: number) => (wrapped.down ? Promise.reject(new Error('connection refused')) : store.acquire(name, holder, ttl)),
    renew: (name: string, holder: string, ttl: number) => (wrapped.down ? Promise.reject(new Error('connection refused')) : store.renew(name, holder, ttl)),
    release: (name: string, holder: string) => (wrapped.down ? Promise.reject(new Error('connection refused')) : store.release(name, holder)),
    current: (name: string) => store.current(name),
  };
  return wrapped;
}

/** A keeper and a log of what it was told, with times. */
function keeper(leases: LeaseStore, name: string, holder: string, ttlMs: number) {
  const events: { what: 'gained' | 'lost'; at: number }[] = [];
  const k = new LeaseKeeper({
    leases, name, holder, ttlMs, logger: silentLogger,
    onGained: () => void events.push({ what: 'gained', at: performance.now() }),
    onLost: async () => void events.push({ what: 'lost', at: performance.now() }),
  });
  return { k, events };
}

describe('keeping a lease on PostgreSQL', () => {
  it('lets one of two instances hold it, renews it past its time, and hands it over at once on stop', async () => {
    const store = new PostgresLeaseStore(db!);
    const name = `work-${randomUUID()}`;
    const a = keeper(store, name, 'a', 800);
    const b = keeper(store, name, 'b', 800);
    a.k.start();
    await eventually(() => a.k.holds, 'a to hold the lease');
    b.k.start();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(a.k.holds).toBe(true);
    expect(a.events.map((e) => e.what)).toEqual(['gained']);
    expect(b.events).toEqual([]);
    const stoppedAt = performance.now();
    await a.k.stop();
    expect(a.events.map((e) => e.what)).toEqual(['gained', 'lost']);
    await eventually(() => b.k.holds, 'b to take over', 2000);
    // b tries on its beat (a quarter of the lease time): no waiting for the lease to run out.
    expect((b.events[0]?.at ?? Infinity) - stoppedAt).toBeLessThan(800);
    await b.k.stop();
  });

  it('stops the work before the database lets another take over, when renewals fail', async () => {
    const store = new PostgresLeaseStore(db!);
    const flaky = unreliable(store);
    const name = `work-${randomUUID()}`;
    const a = keeper(flaky, name, 'a', 1000);
    const b = keeper(store, name, 'b', 1000);
    a.k.start();
    await eventually(() => a.k.holds, 'a to hold the lease');
    b.k.start();
    flaky.down = true;
    await eventually(() => b.k.holds, 'b to take over', 4000);
    const lost = a.events.find((e) => e.what === 'lost');
    const gained = b.events.find((e) => e.what === 'gained');
    expect(lost).toBeDefined();
    expect(lost!.at).toBeLessThan(gained!.at);
    expect(a.k.holds).toBe(false);
    // Back again, a finds the lease taken and waits its turn.
    flaky.down = false;
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(a.k.holds).toBe(false);
    expect(b.k.holds).toBe(true);
    await Promise.all([a.k.stop(), b.k.stop()]);
  });
});
