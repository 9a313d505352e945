import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { projectRoot } from '../../src/paths.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { WebhookReceiver } from '../helpers/webhook-receiver.js';

/**
 * Outbound webhooks end to end: the real poller against the Graph emulator, rules made in chat,
 * signed requests over HTTPS to a local receiver (the test run's certificate) that checks them with
 * the README's own verification example.
 */

type Verify = (secret: string, headers: IncomingHttpHeaders, rawBody: string, nowSeconds?: number) => boolean;

/** The verification example exactly as the README shows it, loaded as a module. */
async function readmeVerifier(): Promise<Verify> {
  const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
  const block = /<!-- webhook-verification:start -->\s*```js\n([\s\S]*?)```\s*<!-- webhook-verification:end -->/.exec(readme)?.[1];
  if (!block) throw new Error('README.md has no webhook verification example between its markers');
  const file = join(mkdtempSync(join(tmpdir(), 'soc-bridge-readme-')), 'verify.mjs');
  writeFileSync(file, block);
  const module = (await import(pathToFileURL(file).href)) as { verifySocBridgeRequest: Verify };
  return module.verifySocBridgeRequest;
}

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const SOC_CHANNEL_ID = '19:soc-ops@thread.tacv2';
const SOC_ROOM: Place = { kind: 'channel', channelId: SOC_CHANNEL_ID, channelName: 'SOC ops', teamName: 'SOC' };
const SPLUNK_TOKEN = '8a2f7c1e-4b3d-4e5f-9a6b-7c8d9e0f1a2b';
const secretOf = (name: string) => `${name}-secret-for-tests-0123456789abcdef`;
const ENDPOINTS = { siem: '/siem', flaky: '/flaky', broken: '/broken', throttled: '/throttled', slow: '/slow', splunk: '/hec/services/collector/event' } as const;

let bot: BotHarness;
let receiver: WebhookReceiver;
let verify: Verify;
const ruleIds: Record<string, string> = {};

beforeAll(async () => {
  verify = await readmeVerifier();
  receiver = await WebhookReceiver.start();
  receiver.answer(ENDPOINTS.flaky, { status: 500, body: '{"error":"database is restarting"}' }, { status: 200 });
  receiver.answer(ENDPOINTS.broken, { status: 400, body: '{"error":"unknown field alert.severity"}' });
  receiver.answer(ENDPOINTS.throttled, { status: 429, headers: { 'retry-after': '1' } }, { status: 200 });
  receiver.answer(ENDPOINTS.slow, { status: 200, delayMs: 4000 });
  receiver.answer(ENDPOINTS.splunk, { status: 200, body: '{"text":"Success","code":0}' });
  const env: Record<string, string> = { POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', PUBLIC_BASE_URL: 'https://socbridge.mssp.example' };
  for (const [name, path] of Object.entries(ENDPOINTS)) {
    env[`WEBHOOK_${name.toUpperCase()}_URL`] = receiver.url(path);
    env[`WEBHOOK_${name.toUpperCase()}_SECRET`] = secretOf(name);
  }
  env.WEBHOOK_SPLUNK_FORMAT = 'splunk-hec';
  env.WEBHOOK_SPLUNK_TOKEN = SPLUNK_TOKEN;
  bot = await BotHarness.start({ env, deliveryTuning: { sampleWaitMs: 2000, senders: { webhook: { backoff: { baseMs: 200, capMs: 1000 } } } } });
  await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
  await bot.say('whoami', USERS.admin, SOC_ROOM);
  await bot.say('soc-channel', USERS.admin, SOC_ROOM);
  for (const [name, to] of [['siem', 'webhook:siem,webhook:splunk'], ['flaky', 'webhook:flaky'], ['broken', 'webhook:broken'], ['throttled', 'webhook:throttled'], ['slow', 'webhook:slow']] as const) {
    // One event per alert here; incident-level events are test/e2e/incident-mail-and-webhooks.test.ts's.
    const text = await say(`rule add "To ${name}" severity:any title:wh-${name} include:org,link,devices group:alert to:${to}`);
    ruleIds[name] = /Rule added: .* \((r[a-z0-9]+)\)/.exec(text)?.[1] ?? '';
    expect(ruleIds[name]).toMatch(/^r/);
  }
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await receiver?.close();
});

/** The text of the reply card. */
async function say(text: string, user = USERS.admin, place: Place = { kind: 'personal' }): Promise<string> {
  const { replies } = await bot.say(text, user, place);
  return cardText(cardIn(replies.at(-1)!));
}

let sequence = 0;
/** Raises an alert in Contoso's emulated tenant whose title carries `tag` (the rules select by it). */
function raise(tag: string): Alert {
  const now = new Date();
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'contoso.com', orgName: 'Contoso Ltd' }, now, `${tag}-${++sequence}`);
  const iso = now.toISOString();
  return bot.graph.raiseAlert(CONTOSO_ID, { ...base, id: `${tag}-${sequence}`, title: `${base.title} (${tag})`, severity: 'high', status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const settle = (ms = 1000) => new Promise((resolve) => setTimeout(resolve, ms));

interface Event {
  schemaVersion: number;
  event: string;
  eventId: string;
  tenant: { id: string; name: string | null };
  alert: Record<string, unknown> & { id: string; status: string; assignedTo: string | null };
  rule: { id: string; name: string | null };
  sample?: { requestedBy: string; note: string };
}
const eventsFor = (path: string, alertId: string) => receiver.accepted<Event>(path).filter((e) => e.alert.id === alertId);

describe('a rule to:webhook:siem', () => {
  it('delivers the new alert as signed SOC Bridge JSON that the README example verifies, and refuses a replay', async () => {
    const alert = raise('wh-siem');
    await until(() => eventsFor(ENDPOINTS.siem, alert.id).length === 1, 'the event');
    const request = receiver.at(ENDPOINTS.siem).find((r) => r.body.includes(alert.id))!;
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.headers['x-soc-bridge-event']).toBe('new');
    const timestamp = Number(request.headers['x-soc-bridge-timestamp']);
    expect(verify(secretOf('siem'), request.headers, request.body)).toBe(true);
    // The same request replayed more than 5 minutes later, tampered with, or checked with another secret is refused.
    expect(verify(secretOf('siem'), request.headers, request.body, timestamp + 301)).toBe(false);
    expect(verify(secretOf('siem'), request.headers, request.body.replace('"high"', '"low"'))).toBe(false);
    expect(verify(secretOf('flaky'), request.headers, request.body)).toBe(false);
    const [event] = eventsFor(ENDPOINTS.siem, alert.id);
    expect(event).toMatchObject({
      schemaVersion: 1,
      event: 'new',
      eventId: request.headers['x-soc-bridge-event-id'],
      tenant: { id: CONTOSO_ID, name: 'Contoso Ltd' },
      alert: {
        id: alert.id,
        title: alert.title,
        severity: 'high',
        status: 'new',
        assignedTo: null,
        classification: null,
        determination: null,
        category: alert.category,
        serviceSource: alert.serviceSource,
        createdDateTime: alert.createdDateTime,
        lastUpdateDateTime: alert.lastUpdateDateTime,
        portalUrl: `https://security.microsoft.com/alerts/${alert.id}?tid=${CONTOSO_ID}`,
      },
      rule: { id: ruleIds.siem, name: 'To siem' },
    });
    await settle();
    expect(eventsFor(ENDPOINTS.siem, alert.id)).toHaveLength(1);
  });

  it('sends a status change found by the poller as an updated event', async () => {
    const alert = raise('wh-siem');
    await until(() => eventsFor(ENDPOINTS.siem, alert.id).length === 1, 'the new event');
    bot.graph.mutateAlert(CONTOSO_ID, alert.id, { status: 'resolved', classification: 'truePositive', determination: 'malware' });
    await until(() => eventsFor(ENDPOINTS.siem, alert.id).length === 2, 'the update');
    const [created, updated] = eventsFor(ENDPOINTS.siem, alert.id);
    expect(updated).toMatchObject({ event: 'updated', alert: { id: alert.id, status: 'resolved', classification: 'truePositive', determination: 'malware' } });
    expect(updated!.eventId).not.toBe(created!.eventId);
    await settle();
    expect(eventsFor(ENDPOINTS.siem, alert.id)).toHaveLength(2);
  });

  it('sends a change an analyst makes from a card as an updated event', async () => {
    const alert = raise('wh-siem');
    await until(() => eventsFor(ENDPOINTS.siem, alert.id).length === 1, 'the new event');
    // The analyst opens the alert's card in chat and clicks "Assign to me" on it.
    await bot.say(`alert contoso ${alert.id}`, USERS.analyst);
    const card = bot.connector.messagesIn('a:personal-chat').at(-1)!;
    const version = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === alert.id)!.lastUpdateDateTime;
    const { status } = await bot.invoke('alert.assign', { verb: 'alert.assign', tenantId: CONTOSO_ID, alertId: alert.id, version }, USERS.analyst, { kind: 'personal' }, card.id);
    expect(status).toBe(200);
    await until(() => eventsFor(ENDPOINTS.siem, alert.id).length === 2, 'the update');
    expect(eventsFor(ENDPOINTS.siem, alert.id)[1]).toMatchObject({ event: 'updated', alert: { assignedTo: USERS.analyst.email } });
  });

  it('formats the same alert for Splunk HEC, with its token', async () => {
    const alert = raise('wh-siem');
    await until(() => receiver.accepted(ENDPOINTS.splunk).some((e) => JSON.stringify(e).includes(alert.id)), 'the HEC event');
    const request = receiver.at(ENDPOINTS.splunk).find((r) => r.body.includes(alert.id))!;
    expect(request.headers.authorization).toBe(`Splunk ${SPLUNK_TOKEN}`);
    expect(verify(secretOf('splunk'), request.headers, request.body)).toBe(true);
    const hec = JSON.parse(request.body) as { time: number; host: string; source: string; sourcetype: string; event: Event };
    expect(Object.keys(hec).sort()).toEqual(['event', 'host', 'source', 'sourcetype', 'time']);
    expect(hec).toMatchObject({ time: Date.parse(alert.lastUpdateDateTime) / 1000, host: 'socbridge.mssp.example', source: 'soc-bridge', sourcetype: 'soc-bridge:alert:v1' });
    expect(hec.event).toMatchObject({ schemaVersion: 1, event: 'new', alert: { id: alert.id }, tenant: { id: CONTOSO_ID } });
  });
});

describe('a receiver in trouble', () => {
  it('that answered 500 then 200 has the event once', async () => {
    const alert = raise('wh-flaky');
    await until(() => eventsFor(ENDPOINTS.flaky, alert.id).length === 1, 'the event after the retry');
    await settle();
    const attempts = receiver.at(ENDPOINTS.flaky).filter((r) => r.body.includes(alert.id));
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(new Set(attempts.map((r) => r.headers['x-soc-bridge-event-id'])).size).toBe(1);
    expect(eventsFor(ENDPOINTS.flaky, alert.id)).toHaveLength(1);
  });

  it('that answered 429 is asked again only after its Retry-After', async () => {
    const alert = raise('wh-throttled');
    await until(() => eventsFor(ENDPOINTS.throttled, alert.id).length === 1, 'the event after the wait');
    const [refused, accepted] = receiver.at(ENDPOINTS.throttled).filter((r) => r.body.includes(alert.id));
    expect(refused?.status).toBe(429);
    expect(accepted!.at - refused!.at).toBeGreaterThanOrEqual(1000);
  });

  it('that answered 400 is marked failing where targets show their health, and the SOC is told once', async () => {
    const first = raise('wh-broken');
    await until(() => receiver.at(ENDPOINTS.broken).some((r) => r.body.includes(first.id)), 'the refused request');
    const notices = () => bot.connector.messagesIn(SOC_CHANNEL_ID).filter((m) => JSON.stringify(m.activity).includes('Alert target failing'));
    await until(() => notices().length === 1, 'the SOC notice');
    expect(cardText(cardIn(notices()[0]!.activity))).toContain('webhook broken: the endpoint answered 400');
    const second = raise('wh-broken');
    await until(() => receiver.at(ENDPOINTS.broken).some((r) => r.body.includes(second.id)), 'the second refused request');
    await settle();
    // Refused for good: no retries, and no second notice.
    expect(receiver.at(ENDPOINTS.broken).filter((r) => r.body.includes(first.id) || r.body.includes(second.id))).toHaveLength(2);
    expect(notices()).toHaveLength(1);
    const channels = await say('channels');
    expect(channels).toMatch(/Webhook broken\nEvery customer its rules select\nfailing/);
    expect(channels).toContain('the endpoint answered 400 Bad Request: {"error":"unknown field alert.severity"}');
    expect(channels).toMatch(/Webhook siem\nEvery customer its rules select\nactive/);
    const rules = await say('rules');
    expect(rules).toMatch(/Webhook: broken \(failing since .*: the endpoint answered 400 Bad Request/);
  });

  it('never holds up the other webhooks', async () => {
    const slow = raise('wh-slow');
    const fast = raise('wh-siem');
    await until(() => eventsFor(ENDPOINTS.siem, fast.id).length === 1, 'the fast endpoint’s event');
    expect(eventsFor(ENDPOINTS.slow, slow.id)).toHaveLength(0);
    await until(() => eventsFor(ENDPOINTS.slow, slow.id).length === 1, 'the slow endpoint’s event');
  });
});

describe('rule test', () => {
  it('sends a marked sample to a webhook and reports it sent', async () => {
    const text = await say(`rule test ${ruleIds.siem}`);
    expect(text).toContain('went to 2 of 2 targets');
    expect(text).toContain('Sent: webhook siem (webhook)');
    expect(text).toContain('Sent: webhook splunk (webhook)');
    const sample = receiver.accepted<Event>(ENDPOINTS.siem).find((e) => e.event === 'sample');
    expect(sample).toMatchObject({ event: 'sample', rule: { id: ruleIds.siem, name: 'To siem' }, sample: { requestedBy: USERS.admin.name } });
    expect(sample?.sample?.note).toContain('It is not a real Defender alert.');
    expect(sample?.alert.title).toContain('SAMPLE ALERT');
  });

  it('reports a refusing webhook as failed and a slow one as still trying', async () => {
    expect(await say(`rule test ${ruleIds.broken}`)).toContain('Failed: webhook broken (webhook): the endpoint answered 400 Bad Request');
    const slow = await say(`rule test ${ruleIds.slow}`);
    expect(slow).toContain('went to 0 of 1 target. 1 still being tried');
    expect(slow).toContain('Still trying: webhook slow (webhook)');
  });

  it('takes webhooks in the rule form, with the kinds it may deliver by', async () => {
    const form = { verb: 'rule.save', ruleId: '', name: 'Form to the SIEM', tenantScope: 'all', severities: 'high', linkedChannels: 'false', emails: 'webhook:siem, soc@mssp.example', mode: 'webhook', enabled: 'true' };
    const saved = cardText(((await bot.invoke('rule.save', form)).body as { value: unknown }).value);
    expect(saved).toContain('Sends to: Email: soc@mssp.example (not used: mode webhook) · Webhook: siem');
    expect(saved).toContain('Mode: Webhook');
    const id = /Rule added: .* \((r[a-z0-9]+)\)/.exec(saved)?.[1];
    const { replies } = await bot.say(`rule edit ${id}`);
    expect(JSON.stringify(cardIn(replies[0]!))).toContain('"value":"webhook:siem, soc@mssp.example"');
  });

  it('refuses a rule naming an unknown webhook, with the nearest configured one', async () => {
    expect(await say('rule add Typo to:webhook:seim')).toContain('to: there is no webhook "seim". Did you mean webhook:siem? Configured: webhook:broken, webhook:flaky, webhook:siem, webhook:slow, webhook:splunk, webhook:throttled.');
  });
});
