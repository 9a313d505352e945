import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { InProcessMailbox } from '../../src/store/in-process-mailbox.js';
import { InProcessRateBudgets } from '../../src/store/in-process-rate-budgets.js';
import type { Mailbox } from '../../src/store/mailbox.js';
import { Database } from '../../src/store/postgres/database.js';
import { migrate } from '../../src/store/postgres/migrate.js';
import { PostgresMailbox } from '../../src/store/postgres/postgres-mailbox.js';
import { PostgresRateBudgets } from '../../src/store/postgres/postgres-rate-budgets.js';
import type { RateBudgetStore } from '../../src/store/rate-budgets.js';
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
const database = (): Database => {
  if (!db) throw new Error('the test database did not open');
  return db;
};

/** Each backend's mailbox and budgets; "two instances" are two objects over the same data. */
const backends: [string, { mailbox: (name: string) => [Mailbox, Mailbox]; budgets: () => [RateBudgetStore, RateBudgetStore] }][] = [
  [
    'in-process',
    {
      mailbox: () => {
        const one = new InProcessMailbox(systemClock);
        return [one, one];
      },
      budgets: () => {
        const one = new InProcessRateBudgets(systemClock);
        return [one, one];
      },
    },
  ],
  [
    'PostgreSQL',
    {
      mailbox: (name) => [new PostgresMailbox(database(), name), new PostgresMailbox(database(), name)],
      budgets: () => [new PostgresRateBudgets(database()), new PostgresRateBudgets(database())],
    },
  ],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends)('%s mailbox', (_backend, make) => {
  it('hands requests out oldest first, each to one taker only, with the body as posted', async () => {
    const [poster, taker] = make.mailbox(`m-${randomUUID()}`);
    const ids = [];
    for (let n = 0; n < 5; n++) ids.push(await poster.post(n % 2 ? 'odd' : 'even', { n, nested: { text: `request ${n}` } }));
    const first = await taker.take(3);
    const rest = await poster.take(10);
    expect(first.map((r) => r.id)).toEqual(ids.slice(0, 3));
    expect(rest.map((r) => r.id)).toEqual(ids.slice(3));
    expect(first[1]).toMatchObject({ kind: 'odd', body: { n: 1, nested: { text: 'request 1' } } });
    expect(Number.isNaN(Date.parse(first[0]?.postedAt ?? ''))).toBe(false);
    expect(await taker.take(10)).toEqual([]);
  });

  it('never gives one request to two takers taking at once', async () => {
    const [a, b] = make.mailbox(`m-${randomUUID()}`);
    const posted = new Set<string>();
    for (let n = 0; n < 40; n++) posted.add(await a.post('work', { n }));
    const takes = await Promise.all([a.take(7), b.take(7), a.take(7), b.take(7), a.take(7), b.take(7), a.take(7)]);
    const taken = takes.flat().map((r) => r.id);
    expect(new Set(taken).size).toBe(taken.length);
    expect(new Set(taken)).toEqual(posted);
  });

  it('keeps each mailbox to itself', async () => {
    const [one] = make.mailbox(`m-${randomUUID()}`);
    const [other] = make.mailbox(`m-${randomUUID()}`);
    await one.post('work', {});
    // In-process mailboxes are separate objects per name; on PostgreSQL the name separates them.
    if (one !== other) expect(await other.take(10)).toEqual([]);
    expect(await one.take(10)).toHaveLength(1);
  });

  it("gives the poster the taker's answer, and nothing before it", async () => {
    const [poster, taker] = make.mailbox(`m-${randomUUID()}`);
    const id = await poster.post('question', { q: 'ping' });
    expect(await poster.answerOf(id)).toBeUndefined();
    const [request] = await taker.take(1);
    await taker.answer(request?.id ?? '', { a: 'pong', list: [1, 2] });
    expect(await poster.answerOf(id)).toEqual({ body: { a: 'pong', list: [1, 2] } });
  });
});

describe.each(backends)('%s rate budgets', (_backend, make) => {
  it('admits up to the limit within the window across instances, then says how long to wait', async () => {
    const [a, b] = make.budgets();
    const name = `graph:${randomUUID()}`;
    const window = { limit: 5, periodMs: 2_000 };
    const takes = await Promise.all([a, b, a, b, a, b, a].map((store) => store.take(name, [window])));
    const admitted = takes.filter((t) => t.admitted);
    expect(admitted).toHaveLength(5);
    expect(admitted.map((t) => (t.admitted ? t.used : 0)).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const refused of takes.filter((t) => !t.admitted)) {
      expect(refused.admitted ? 0 : refused.waitMs).toBeGreaterThan(0);
      expect(refused.admitted ? Infinity : refused.waitMs).toBeLessThanOrEqual(2_000);
    }
  });

  it('admits again once the oldest events leave the window', async () => {
    const [a] = make.budgets();
    const name = `graph:${randomUUID()}`;
    const window = { limit: 2, periodMs: 300 };
    expect((await a.take(name, [window])).admitted).toBe(true);
    expect((await a.take(name, [window])).admitted).toBe(true);
    const refused = await a.take(name, [window]);
    expect(refused.admitted).toBe(false);
    await sleep((refused.admitted ? 0 : refused.waitMs) + 50);
    expect(await a.take(name, [window])).toMatchObject({ admitted: true });
  });

  it('checks every window at once, and leaves the reserve of each to takes without one', async () => {
    const [a, b] = make.budgets();
    const name = `teams:${randomUUID()}`;
    const windows = [
      { limit: 3, periodMs: 400 },
      { limit: 4, periodMs: 60_000 },
    ];
    expect((await a.take(name, windows, { reserve: [1, 1] })).admitted).toBe(true);
    expect((await a.take(name, windows, { reserve: [1, 1] })).admitted).toBe(true);
    const third = await a.take(name, windows, { reserve: [1, 1] });
    expect(third.admitted).toBe(false);
    expect(third.admitted ? 0 : third.waitMs).toBeLessThanOrEqual(400);
    // The slot the reserve kept goes to a take without one, on either instance.
    expect(await b.take(name, windows)).toMatchObject({ admitted: true, used: 3 });
    const full = await b.take(name, windows);
    expect(full.admitted).toBe(false);
    await sleep((full.admitted ? 0 : full.waitMs) + 50);
    // The short window has room again; the long one holds 3 of 4, which only a take without reserve may fill.
    const reserved = await a.take(name, windows, { reserve: [1, 1] });
    expect(reserved.admitted).toBe(false);
    expect(reserved.admitted ? 0 : reserved.waitMs).toBeGreaterThan(50_000);
    expect(await b.take(name, windows)).toMatchObject({ admitted: true, used: 4 });
    expect((await b.take(name, windows)).admitted).toBe(false);
  });

  it('holds every instance during a pause, and not other budgets', async () => {
    const [a, b] = make.budgets();
    const name = `graph:${randomUUID()}`;
    const window = { limit: 100, periodMs: 60_000 };
    expect((await a.take(name, [window])).admitted).toBe(true);
    await a.pause(name, 400);
    const during = await b.take(name, [window]);
    expect(during.admitted).toBe(false);
    expect(during.admitted ? 0 : during.waitMs).toBeGreaterThan(200);
    expect((await b.take(`graph:${randomUUID()}`, [window])).admitted).toBe(true);
    await sleep(450);
    expect((await b.take(name, [window])).admitted).toBe(true);
  });
});
