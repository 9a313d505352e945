import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotHarness, USERS } from '../helpers/harness.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { scrape } from '../helpers/prometheus.js';

/** Store latency on the PostgreSQL backend, through the same wrapper as the embedded one. */

const testDatabase = useTestDatabase();

describe('store metrics with DATABASE_URL', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { DATABASE_URL: testDatabase().url, DATABASE_SSL: 'disable', METRICS_PORT: '0' } });
  });
  afterAll(async () => {
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
    expect(after.histograms('socbridge_store_operation_duration_seconds').every((series) => series.labels.backend === 'postgres')).toBe(true);
  });
});
