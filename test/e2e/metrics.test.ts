import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { DELIVERY_STATES, type DeliveryRecord } from '../../src/delivery/store-schema.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { TEAMS_PUBLISHED_LIMITS } from '../../src/emulator/teams-limits.js';
import { TEST_APP } from '../helpers/entra.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, type Place } from '../helpers/harness.js';
import { scrape, type Exposition } from '../helpers/prometheus.js';
import { TestSmtpServer } from '../helpers/smtp.js';

/**
 * /metrics scraped over HTTP after real work: alerts polled from the Graph emulator, delivered as
 * cards to the Bot Connector emulator (with Teams' limits and injected 429s) and as mail to a real
 * SMTP server, commands typed and cards clicked. The figures must be what the delivery records, the
 * emulators and the clicks say, not merely present.
 */

const TOKEN = 'metrics-token-for-tests-0123456789-abcdefghij';
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;
const ROOM = '19:metrics-alerts@thread.tacv2';
const IN_ROOM: Place = { kind: 'channel', channelId: ROOM, channelName: 'metrics-alerts', teamName: 'SOC' };
const MAILBOX = 'soc@mssp.example';

let sequence = 0;
/** Raises an alert in an emulated tenant, created and updated now (as Defender raising it). */
function raise(bot: BotHarness, tenantId: string, severity: string): Alert {
  const now = new Date();
  const id = `m-${++sequence}`;
  const base = generateNewAlert({ tenantId, domain: 'customer.example', orgName: 'Customer' }, now, id);
  const iso = now.toISOString();
  return bot.graph.raiseAlert(tenantId, { ...base, id, severity, status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls a tenant now on the delivery this (only) instance runs, and says how the poll ended. */
async function pollNow(bot: BotHarness, tenantId: string): Promise<string> {
  const delivery = await bot.app.delivery.whenRunning();
  return (await delivery.pollNow(tenantOf(bot, tenantId))).outcome;
}

const tenantOf = (bot: BotHarness, tenantId: string) => {
  const tenant = bot.app.services.tenants.find(tenantId);
  if (!tenant) throw new Error(`no tenant ${tenantId}`);
  return tenant;
};

/** Records by `kind/state`, every kind and state present (zero when none). */
function recordCounts(records: readonly DeliveryRecord[], kinds: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of kinds) for (const state of DELIVERY_STATES) counts[`${kind}/${state}`] = 0;
  for (const d of records) counts[`${d.target.kind}/${d.state}`] = (counts[`${d.target.kind}/${d.state}`] ?? 0) + 1;
  return counts;
}

/** A counter's value, 0 when the series does not exist yet (counters appear at their first increment). */
const counted = (exposition: Exposition, name: string, labels: Record<string, string>) => exposition.value(name, labels) ?? 0;
const histogramCount = (exposition: Exposition, name: string, labels: Record<string, string>) => exposition.histogram(name, labels)?.count ?? 0;

/** The data of the Action.Execute button carrying `verb` on a card. */
function actionData(card: unknown, verb: string): Record<string, unknown> {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown): void => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const element = node as Record<string, unknown>;
    if (element.type === 'Action.Execute' && element.verb === verb) found = element.data as Record<string, unknown>;
    else Object.values(element).forEach(walk);
  };
  walk(card);
  if (!found) throw new Error(`no ${verb} button on the card`);
  return found;
}

describe('/metrics after real traffic', () => {
  let bot: BotHarness;
  let smtp: TestSmtpServer;
  const metrics = () => scrape(`${bot.app.url}/metrics`, TOKEN);

  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    bot = await BotHarness.start({
      env: { METRICS_TOKEN: TOKEN, POLL_OVERLAP: '10s', STORM_THRESHOLD: '0', SMTP_URL: smtp.url(), MAIL_FROM: 'SOC Bridge <soc-bridge@mssp.example>' },
      connectorLimits: TEAMS_PUBLISHED_LIMITS,
    });
    await bot.say('whoami', USERS.admin, IN_ROOM);
    await bot.say('link contoso', USERS.admin, IN_ROOM);
    await bot.say('rule add "Teams medium+" severity:medium+ to:channels group:alert');
    await bot.say(`rule add "Contoso mail" tenants:contoso severity:high to:${MAILBOX}`);
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    // Polling is driven by the test (POLL_INTERVAL=0), so nothing calls Graph behind its back.
    expect(await pollNow(bot, CONTOSO_ID)).toBe('ok');
  }, 30_000);

  afterAll(async () => {
    await bot?.stop();
    await smtp?.close();
  });

  it('after a burst, counts deliveries by kind and state exactly as the delivery records say, and as Teams and the mail server saw them', async () => {
    const before = await metrics();
    const graphBefore = bot.graph.counters(CONTOSO_ID).requests;
    const cardsBefore = bot.connector.messagesIn(ROOM).length;
    const mailsBefore = smtp.received.length;
    // Four refusals in a row outlast the Bot Framework client's own retries: delivery pauses everything.
    bot.connector.injectFaults(Array.from({ length: 6 }, () => ({ status: 429, retryAfterSeconds: 0.2, conversationId: ROOM })));
    const severities = ['high', 'medium', 'high', 'low', 'medium', 'informational', 'high', 'medium', 'low', 'high'];
    const burst = severities.map((severity) => raise(bot, CONTOSO_ID, severity));
    expect(await pollNow(bot, CONTOSO_ID)).toBe('ok');
    await until(async () => (await bot.app.delivery.whenRunning()).idle && (await bot.app.testing.deliveries()).every((d) => d.state !== 'pending'), 'every delivery of the burst');

    const after = await metrics();
    const records = await bot.app.testing.deliveries();
    const scraped = Object.fromEntries(after.samples('socbridge_deliveries').map((s) => [`${s.labels.kind}/${s.labels.state}`, s.value]));
    expect(scraped).toEqual(recordCounts(records, ['teams', 'email', 'webhook']));
    const delivered = burst.filter((a) => a.severity !== 'low' && a.severity !== 'informational').length;
    const mailed = burst.filter((a) => a.severity === 'high').length;
    expect(scraped['teams/sent']).toBe(delivered);
    expect(scraped['email/sent']).toBe(mailed);

    // The workers' counters agree with the records and with what Teams and the mail server received.
    const delta = (name: string, labels: Record<string, string>) => counted(after, name, labels) - counted(before, name, labels);
    const cardsPosted = delta('socbridge_delivery_events_total', { kind: 'teams', event: 'posted' }) + delta('socbridge_delivery_events_total', { kind: 'teams', event: 'posted_without_id' });
    expect(cardsPosted).toBe(delivered);
    expect(bot.connector.messagesIn(ROOM).length - cardsBefore).toBe(delivered);
    expect(delta('socbridge_delivery_events_total', { kind: 'email', event: 'sent' })).toBe(mailed);
    expect(smtp.received.length - mailsBefore).toBe(mailed);
    const teamsStats = bot.app.delivery.stats()?.targets.teams;
    expect(after.value('socbridge_delivery_events_total', { kind: 'teams', event: 'global_pauses' })).toBe(teamsStats?.globalPauses);
    expect(after.value('socbridge_delivery_events_total', { kind: 'teams', event: 'throttled' })).toBe(teamsStats?.throttled);
    expect(delta('socbridge_delivery_events_total', { kind: 'teams', event: 'global_pauses' })).toBeGreaterThanOrEqual(1);

    // Nothing waits any more.
    expect(after.value('socbridge_delivery_oldest_pending_age_seconds', { kind: 'teams' })).toBe(0);
    expect(after.value('socbridge_delivery_oldest_pending_age_seconds', { kind: 'email' })).toBe(0);
    expect(after.samples('socbridge_teams_queue_depth')).toEqual([]);

    // One poll, its Graph requests as the Graph emulator counted them, and every alert of the burst new.
    expect(histogramCount(after, 'socbridge_poll_duration_seconds', { outcome: 'ok' }) - histogramCount(before, 'socbridge_poll_duration_seconds', { outcome: 'ok' })).toBe(1);
    const graphRequests = bot.graph.counters(CONTOSO_ID).requests - graphBefore;
    expect(graphRequests).toBeGreaterThanOrEqual(1);
    expect(delta('socbridge_graph_requests_total', { tenant: 'contoso', outcome: 'ok' })).toBe(graphRequests);
    expect(histogramCount(after, 'socbridge_graph_request_duration_seconds', { tenant: 'contoso' }) - histogramCount(before, 'socbridge_graph_request_duration_seconds', { tenant: 'contoso' })).toBe(graphRequests);
    expect(delta('socbridge_poll_alerts_total', { kind: 'new' })).toBe(burst.length);
    expect(delta('socbridge_poll_alerts_total', { kind: 'read' })).toBeGreaterThanOrEqual(burst.length);
    expect(delta('socbridge_delivery_store_writes_total', {})).toBeGreaterThanOrEqual(1);
  }, 45_000);

  it('counts commands by name and outcome', async () => {
    const before = await metrics();
    await bot.say('whoami', USERS.admin);
    await bot.say('whoami', USERS.viewer);
    await bot.say('roles', USERS.viewer);
    await bot.say('frobnicate now');
    await bot.say('alerts contoso top:lots');
    await bot.say('alert contoso no-such-alert');
    const after = await metrics();
    const delta = (command: string, outcome: string) => counted(after, 'socbridge_commands_total', { command, outcome }) - counted(before, 'socbridge_commands_total', { command, outcome });
    expect(delta('whoami', 'ok')).toBe(2);
    expect(delta('roles', 'denied')).toBe(1);
    expect(delta('roles', 'ok')).toBe(0);
    expect(delta('unknown', 'unknown')).toBe(1);
    expect(delta('alerts', 'invalid')).toBe(1);
    expect(delta('alert', 'failed')).toBe(1);
  });

  it('times card clicks in a histogram, by verb and outcome', async () => {
    const card = bot.connector.messagesIn(ROOM).reverse().find((m) => JSON.stringify(m.activity).includes('"alert.assign"'));
    if (!card) throw new Error('no alert card with an assign button in the channel');
    const data = actionData(cardIn(card.activity), 'alert.assign');
    const before = await metrics();
    expect((await bot.invoke('alert.assign', data, USERS.viewer, IN_ROOM, card.id)).status).toBe(200);
    expect((await bot.invoke('alert.assign', { ...data, tenantId: 42 }, USERS.analyst, IN_ROOM, card.id)).status).toBe(200);
    const started = performance.now();
    expect((await bot.invoke('alert.assign', data, USERS.analyst, IN_ROOM, card.id)).status).toBe(200);
    const clickSeconds = (performance.now() - started) / 1000;
    const after = await metrics();

    const series = (outcome: string) => ({ before: before.histogram('socbridge_card_action_duration_seconds', { verb: 'alert.assign', outcome }), after: after.histogram('socbridge_card_action_duration_seconds', { verb: 'alert.assign', outcome }) });
    const done = series('ok');
    expect((done.after?.count ?? 0) - (done.before?.count ?? 0)).toBe(1);
    const observed = (done.after?.sum ?? 0) - (done.before?.sum ?? 0);
    expect(observed).toBeGreaterThan(0);
    // Measured inside the bot, so within the round trip the test saw.
    expect(observed).toBeLessThanOrEqual(clickSeconds);
    for (const outcome of ['denied', 'invalid']) expect((series(outcome).after?.count ?? 0) - (series(outcome).before?.count ?? 0)).toBe(1);
    expect(after.histogram('socbridge_card_action_duration_seconds', { verb: 'alert.assign', outcome: 'ok' })?.buckets.has(0.5)).toBe(true);
  });

  it('shows a tenant whose consent was revoked as needs-attention, with the refusal and the token failure that followed', async () => {
    bot.graph.followServicePrincipals((tenantId, appId) => bot.entra.servicePrincipalId(tenantId, appId));
    expect(await pollNow(bot, FABRIKAM_ID)).toBe('ok');
    const before = await metrics();
    expect(before.value('socbridge_tenant_needs_attention', { tenant: 'fabrikam' })).toBeUndefined();
    bot.entra.revokeConsent(FABRIKAM_ID, TEST_APP.clientId);
    // The cached token is refused by Graph; the next poll asks Entra, which refuses the token.
    expect(await pollNow(bot, FABRIKAM_ID)).toBe('failed');
    expect(await pollNow(bot, FABRIKAM_ID)).toBe('failed');
    const after = await metrics();
    expect(after.value('socbridge_tenant_needs_attention', { tenant: 'fabrikam' })).toBe(1);
    expect(after.samples('socbridge_tenant_needs_attention')).toHaveLength(1);
    expect(after.value('socbridge_tenants', { status: 'needs-attention' })).toBe(1);
    expect(counted(after, 'socbridge_graph_requests_total', { tenant: 'fabrikam', outcome: 'rejected' }) - counted(before, 'socbridge_graph_requests_total', { tenant: 'fabrikam', outcome: 'rejected' })).toBe(1);
    expect(after.samples('socbridge_token_failures_total')).toEqual([{ labels: { tenant: 'fabrikam', code: 'external.rejected' }, value: 1 }]);
    expect(histogramCount(after, 'socbridge_poll_duration_seconds', { outcome: 'failed' }) - histogramCount(before, 'socbridge_poll_duration_seconds', { outcome: 'failed' })).toBe(2);
  });

  it('times the store: configuration writes and delivery batches on the embedded backend', async () => {
    const exposition = await metrics();
    for (const operation of ['collection_write', 'record_set_write', 'refresh']) {
      const series = exposition.histogram('socbridge_store_operation_duration_seconds', { backend: 'embedded', operation });
      expect({ operation, observed: (series?.count ?? 0) > 0 }).toEqual({ operation, observed: true });
    }
  });
});

describe('/metrics while cards wait for a busy channel', () => {
  let bot: BotHarness;

  beforeAll(async () => {
    // Four posts a minute per conversation, one of them left to replies: `link` takes two (its probe
    // and its answer), the first card the third, and the other cards wait.
    bot = await BotHarness.start({ env: { METRICS_PORT: '0', POLL_OVERLAP: '10s', STORM_THRESHOLD: '0' }, deliveryTuning: { conversationWindows: [{ limit: 4, periodMs: 60_000 }] } });
    await bot.say('link contoso', USERS.admin, IN_ROOM);
    expect(await pollNow(bot, CONTOSO_ID)).toBe('ok');
  }, 30_000);

  afterAll(async () => {
    await bot?.stop();
  });

  it('shows the queue depth and the age of the oldest waiting alert of the conversation, as the records say', async () => {
    const cardsBefore = bot.connector.messagesIn(ROOM).length;
    [1, 2, 3].forEach(() => raise(bot, CONTOSO_ID, 'high'));
    await pollNow(bot, CONTOSO_ID);
    await until(() => bot.connector.messagesIn(ROOM).length === cardsBefore + 1, 'the first card');
    await new Promise((resolve) => setTimeout(resolve, 300));

    const pending = (await bot.app.testing.deliveries()).filter((d) => d.state === 'pending');
    expect(pending).toHaveLength(2);
    const oldest = Math.min(...pending.map((d) => Date.parse(d.createdAt)));
    const scrapeStarted = Date.now();
    const exposition = await scrape(bot.app.metricsUrl ?? '');
    const scrapeEnded = Date.now();
    expect(exposition.value('socbridge_teams_queue_depth', { conversation: ROOM })).toBe(2);
    expect(exposition.samples('socbridge_teams_queue_depth')).toHaveLength(1);
    const age = exposition.value('socbridge_teams_queue_oldest_age_seconds', { conversation: ROOM }) ?? -1;
    expect(age).toBeGreaterThanOrEqual((scrapeStarted - oldest) / 1000);
    expect(age).toBeLessThanOrEqual((scrapeEnded - oldest) / 1000);
    expect(exposition.value('socbridge_delivery_oldest_pending_age_seconds', { kind: 'teams' })).toBe(age);
    expect(exposition.value('socbridge_deliveries', { kind: 'teams', state: 'pending' })).toBe(2);
    expect(exposition.value('socbridge_deliveries', { kind: 'teams', state: 'sent' })).toBe(1);
  });
});
