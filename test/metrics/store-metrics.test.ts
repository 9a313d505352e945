import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotHarness, USERS } from '../helpers/harness.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { scrape } from '../helpers/prometheus.js';

/** Metrics with PostgreSQL: store latency through the same wrapper as the embedded store, and instances that do or do not run delivery. */

const testDatabase = useTestDatabase();

describe('metrics with DATABASE_URL', () => {
  let bot: BotHarness;
  let other: BotHarness | undefined;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { DATABASE_URL: testDatabase().url, DATABASE_SSL: 'disable', METRICS_PORT: '0' } });
    await bot.app.delivery.whenRunning();
  });
  afterAll(async () => {
    await other?.stop();
    await bot?.stop();
  });

  it('times writes, refreshes and health checks against the database, labelled postgres', async () => {
    const before = await scrape(bot.app.metricsUrl ?? '');
    const count = (exposition: typeof before, operation: string) => exposition.histogram('socbridge_store_operation_duration_seconds', { backend: 'postgres', operation })?.count ?? 0;
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    expect((await fetch(`${bot.app.url}/readyz`)).status).toBe(200);
    const after = await scrape(bot.app.metricsUrl ?? '');
    expect(count(after, 'collection_write') + count(after, 'write_all') - count(before, 'collection_write') - count(before, 'write_all')).toBeGreaterThanOrEqual(1);
    expect(count(after, 'refresh') - count(before, 'refresh')).toBeGreaterThanOrEqual(1);
    expect(count(after, 'health') - count(before, 'health')).toBe(1);
    // The instance running delivery reads the delivery mailbox on its beat (every quarter second).
    let mailbox = count(after, 'mailbox');
    for (const deadline = Date.now() + 5000; mailbox === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      mailbox = count(await scrape(bot.app.metricsUrl ?? ''), 'mailbox');
    }
    expect(mailbox).toBeGreaterThan(0);
    expect(after.histograms('socbridge_store_operation_duration_seconds').every((series) => series.labels.backend === 'postgres')).toBe(true);
  });

  it('shows which instance runs delivery: delivery figures come from that one, the other shows none', async () => {
    other = await bot.anotherInstance();
    const running = await scrape(bot.app.metricsUrl ?? '');
    const idle = await scrape(other.app.metricsUrl ?? '');
    expect(running.value('socbridge_delivery_running')).toBe(1);
    expect(idle.value('socbridge_delivery_running')).toBe(0);
    expect(running.value('socbridge_deliveries', { kind: 'teams', state: 'pending' })).toBe(0);
    expect(idle.samples('socbridge_deliveries')).toEqual([]);
    // Both read the same tenant records.
    expect(idle.value('socbridge_tenants', { status: 'connected' })).toBe(running.value('socbridge_tenants', { status: 'connected' }));
  });
});
