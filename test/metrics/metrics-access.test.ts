import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BotHarness, USERS } from '../helpers/harness.js';
import { Exposition, scrape } from '../helpers/prometheus.js';

/** Who may read /metrics, on which port: over real HTTP against running apps. */

const TOKEN = 'metrics-token-for-tests-0123456789-abcdefghij';

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

describe('/metrics with METRICS_TOKEN', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('refuses a request without a token with 401, saying what is needed', async () => {
    const answer = await get(`${bot.app.url}/metrics`);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    expect(JSON.parse(answer.body)).toEqual({ code: 'Unauthorized', message: 'Metrics need a bearer token: send Authorization: Bearer <METRICS_TOKEN>.' });
  });

  it('refuses a wrong token, a token one character short, and the right token under another scheme', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, 'Bearer', `${TOKEN}`]) {
      const answer = await get(`${bot.app.url}/metrics`, { authorization });
      expect({ authorization, status: answer.status }).toEqual({ authorization, status: 401 });
      expect(JSON.parse(answer.body)).toEqual({ code: 'Unauthorized', message: 'The bearer token is not the one configured (METRICS_TOKEN).' });
      expect(answer.body).not.toContain(TOKEN);
    }
  });

  it('serves the Prometheus text format to the bearer of the token, with process and SOC Bridge metrics', async () => {
    const exposition = await scrape(`${bot.app.url}/metrics`, TOKEN);
    expect(exposition.type('process_cpu_user_seconds_total')).toBe('counter');
    expect(exposition.type('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(exposition.type('socbridge_deliveries')).toBe('gauge');
    expect(exposition.type('socbridge_card_action_duration_seconds')).toBe('histogram');
    expect(exposition.value('socbridge_tenants', { status: 'connected' })).toBe(2);
    expect(exposition.value('socbridge_tenants', { status: 'pending-consent' })).toBe(1);
    // The scheme is case-insensitive (RFC 9110).
    expect((await get(`${bot.app.url}/metrics`, { authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it('has no loopback listener without METRICS_PORT', () => {
    expect(bot.app.metricsUrl).toBeUndefined();
  });
});

describe('/metrics without any metrics setting', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start();
  });
  afterAll(async () => {
    await bot.stop();
  });

  it('is not served: 404 like any unknown path, with or without a token', async () => {
    expect((await get(`${bot.app.url}/metrics`)).status).toBe(404);
    expect((await get(`${bot.app.url}/metrics`, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect(bot.app.metricsUrl).toBeUndefined();
  });
});

describe('/metrics on the METRICS_PORT loopback listener', () => {
  let open: BotHarness;
  let guarded: BotHarness;
  beforeAll(async () => {
    open = await BotHarness.start({ env: { METRICS_PORT: '0' } });
    guarded = await BotHarness.start({ env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await open.stop();
    await guarded.stop();
  });

  it('listens on 127.0.0.1 on a port of its own and serves without a token; the main port does not serve /metrics', async () => {
    const url = new URL(open.app.metricsUrl ?? '');
    expect(url.hostname).toBe('127.0.0.1');
    expect(Number(url.port)).not.toBe(open.app.port);
    expect(url.pathname).toBe('/metrics');
    const exposition = await scrape(url.href);
    expect(exposition.type('socbridge_commands_total')).toBe('counter');
    expect((await get(`${open.app.url}/metrics`)).status).toBe(404);
  });

  it('answers 404 to any other path on the listener', async () => {
    const answer = await get(new URL('/healthz', open.app.metricsUrl).href);
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toEqual({ code: 'NotFound', message: 'Only GET /metrics is served here.' });
  });

  it('requires the token on the listener too when METRICS_TOKEN is set, and serves on both', async () => {
    expect((await get(guarded.app.metricsUrl ?? '')).status).toBe(401);
    expect((await get(guarded.app.metricsUrl ?? '', { authorization: 'Bearer wrong' })).status).toBe(401);
    await expect(scrape(guarded.app.metricsUrl ?? '', TOKEN)).resolves.toBeInstanceOf(Exposition);
    await expect(scrape(`${guarded.app.url}/metrics`, TOKEN)).resolves.toBeInstanceOf(Exposition);
  });

  it('keeps each app on its own registry: what one app counts, another does not show', async () => {
    await open.say('whoami', USERS.admin);
    await open.say('whoami', USERS.viewer);
    const counted = await scrape(open.app.metricsUrl ?? '');
    const other = await scrape(guarded.app.metricsUrl ?? '', TOKEN);
    expect(counted.value('socbridge_commands_total', { command: 'whoami', outcome: 'ok' })).toBe(2);
    expect(other.value('socbridge_commands_total', { command: 'whoami', outcome: 'ok' })).toBeUndefined();
  });
});
