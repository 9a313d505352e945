import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../../src/app.js';
import { PLAYGROUND_USER_OBJECT_ID, parseConfig } from '../../src/config.js';
import type { Alert } from '../../src/defender/alert.js';
import { BotConnectorEmulator } from '../../src/emulator/bot-connector.js';
import { silentLogger } from '../../src/log.js';
import { DEMO_CUSTOMERS } from '../../src/sandbox/demo-tenants.js';
import { testTls } from '../helpers/tls.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { TEAMS_PUBLISHED_LIMITS } from '../../src/emulator/teams-limits.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { TestSmtpServer, parseMail } from '../helpers/smtp.js';

/**
 * Proactive delivery end to end: the real poller against the Graph emulator over HTTPS, routing
 * from real links and rules, cards through botbuilder to a Bot Connector emulator that enforces
 * Teams' published limits (429 when broken), and mail through a real SMTP server on loopback.
 */

let bot: BotHarness;
let smtp: TestSmtpServer;

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;
const ROOMS = {
  contoso: '19:contoso-alerts@thread.tacv2',
  fabrikam: '19:fabrikam-alerts@thread.tacv2',
  shared: '19:all-customers@thread.tacv2',
  quiet: '19:quiet@thread.tacv2',
  doomed: '19:doomed@thread.tacv2',
  soc: '19:soc-ops@thread.tacv2',
} as const;
const place = (channelId: string): Place => ({ kind: 'channel', channelId, channelName: channelId.slice(3, channelId.indexOf('@')), teamName: 'SOC' });
const MAILBOX = 'soc@mssp.example';

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
  bot = await BotHarness.start({
    env: { POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', STORM_THRESHOLD: '0', SMTP_URL: smtp.url(), MAIL_FROM: 'SOC Bridge <soc-bridge@mssp.example>' },
    connectorLimits: TEAMS_PUBLISHED_LIMITS,
    deliveryTuning: { editDelayMs: 200 },
  });
  for (const room of Object.values(ROOMS)) await bot.say('whoami', USERS.admin, place(room));
  await bot.say('soc-channel', USERS.admin, place(ROOMS.soc));
  await bot.say('link contoso', USERS.admin, place(ROOMS.contoso));
  await bot.say('link fabrikam', USERS.admin, place(ROOMS.fabrikam));
  await bot.say('link contoso', USERS.admin, place(ROOMS.shared));
  await bot.say('link fabrikam', USERS.admin, place(ROOMS.shared));
  await bot.say('rule add "Teams medium+" severity:medium+ to:channels group:alert');
  await bot.say(`rule add "Contoso mail" tenants:contoso severity:high to:${MAILBOX}`);
  expect(await bot.app.testing.rules()).toHaveLength(2);
  expect(await bot.app.testing.channelLinks({})).toHaveLength(4);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await smtp?.close();
});

let sequence = 0;
/** Raises an alert in the emulated tenant, created and updated now (as Defender raising it). */
function raise(tenantId: string, severity: string, tag: string): Alert {
  const now = new Date();
  const demo = { tenantId, domain: 'customer.example', orgName: 'Customer' };
  const base = generateNewAlert(demo, now, `${tag}-${++sequence}`);
  const iso = now.toISOString();
  return bot.graph.raiseAlert(tenantId, { ...base, id: `${tag}-${sequence}`, severity, status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

/** The value of a fact on a card (FactSet rows are { title, value }). */
function factOf(card: unknown, title: string): string | undefined {
  let found: string | undefined;
  const walk = (node: unknown): void => {
    if (found !== undefined) return;
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.title === title && typeof record.value === 'string') found = record.value;
      else Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return found;
}

function cardOf(message: PostedMessage): Record<string, unknown> | undefined {
  try {
    return cardIn(message.activity);
  } catch {
    return undefined;
  }
}

/** Alert cards in a conversation: alert id → the messages that show it. */
function alertCards(conversationId: string): Map<string, PostedMessage[]> {
  const cards = new Map<string, PostedMessage[]>();
  for (const message of bot.connector.messagesIn(conversationId)) {
    const alertId = factOf(cardOf(message), 'Alert id');
    if (alertId) cards.set(alertId, [...(cards.get(alertId) ?? []), message]);
  }
  return cards;
}

/** Alert ids mailed to an address, each as often as it was mailed. */
function mailedIds(address: string): string[] {
  return smtp.received.filter((m) => m.to.includes(address)).map((m) => /Alert id: (\S+)/.exec(parseMail(m.raw).text)?.[1] ?? '?');
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.id).sort();
const onCards = (conversationId: string, tag: string) => [...alertCards(conversationId).keys()].filter((id) => id.startsWith(tag)).sort();

describe('proactive delivery over HTTP', () => {
  it('sends new alerts across tenants to exactly the right channels and mailboxes, and nowhere else', async () => {
    const contosoHigh = [1, 2, 3].map(() => raise(CONTOSO_ID, 'high', 'n'));
    const contosoLow = raise(CONTOSO_ID, 'low', 'n');
    const fabrikamMedium = [1, 2].map(() => raise(FABRIKAM_ID, 'medium', 'n'));
    const fabrikamInfo = raise(FABRIKAM_ID, 'informational', 'n');
    await until(() => onCards(ROOMS.shared, 'n').length === 5 && onCards(ROOMS.contoso, 'n').length === 3 && onCards(ROOMS.fabrikam, 'n').length === 2 && mailedIds(MAILBOX).length === 3, 'the cards and mails');
    // Several more polls overlap the same alerts: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(onCards(ROOMS.contoso, 'n')).toEqual(ids(contosoHigh));
    expect(onCards(ROOMS.fabrikam, 'n')).toEqual(ids(fabrikamMedium));
    expect(onCards(ROOMS.shared, 'n')).toEqual(ids([...contosoHigh, ...fabrikamMedium]));
    for (const room of [ROOMS.quiet, ROOMS.soc, ROOMS.doomed]) expect(onCards(room, 'n')).toEqual([]);
    expect(onCards('a:personal-chat', 'n')).toEqual([]);
    expect(mailedIds(MAILBOX).sort()).toEqual(ids(contosoHigh));
    for (const room of [ROOMS.contoso, ROOMS.fabrikam, ROOMS.shared]) for (const copies of alertCards(room).values()) expect(copies).toHaveLength(1);
    expect(alertCards(ROOMS.shared).has(contosoLow.id)).toBe(false);
    expect(alertCards(ROOMS.shared).has(fabrikamInfo.id)).toBe(false);
    expect(bot.connector.limits?.throttled).toBe(0);
    const card = cardOf(alertCards(ROOMS.contoso).get(contosoHigh[0]!.id)![0]!)!;
    expect(cardText(card)).toContain('Contoso Ltd');
    expect(factOf(card, 'Status')).toBe('New');
  });

  it('edits every posted card of an alert when its status changes in the portal', async () => {
    const alert = raise(CONTOSO_ID, 'high', 'e');
    await until(() => alertCards(ROOMS.contoso).has(alert.id) && alertCards(ROOMS.shared).has(alert.id), 'the cards');
    bot.graph.mutateAlert(CONTOSO_ID, alert.id, { status: 'resolved', classification: 'truePositive', determination: 'malware' });
    const resolved = (room: string) => {
      const message = alertCards(room).get(alert.id)?.[0];
      return message !== undefined && message.updates >= 1 && factOf(cardOf(message), 'Status') === 'Resolved';
    };
    await until(() => resolved(ROOMS.contoso) && resolved(ROOMS.shared), 'both cards to show Resolved');
    await new Promise((resolve) => setTimeout(resolve, 800));
    for (const room of [ROOMS.contoso, ROOMS.shared]) {
      const [message, ...others] = alertCards(room).get(alert.id)!;
      expect(others).toHaveLength(0);
      expect(message!.updates).toBe(1);
      expect(factOf(cardOf(message!), 'Classification')).toContain('True positive');
    }
  });

  it('edits the alert’s other cards when an analyst changes it from one of them', async () => {
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    const alert = raise(CONTOSO_ID, 'high', 'act');
    await until(() => alertCards(ROOMS.contoso).has(alert.id) && alertCards(ROOMS.shared).has(alert.id), 'the cards');
    const clicked = alertCards(ROOMS.contoso).get(alert.id)![0]!;
    const version = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === alert.id)!.lastUpdateDateTime;
    const { status } = await bot.invoke('alert.assign', { verb: 'alert.assign', tenantId: CONTOSO_ID, alertId: alert.id, version }, USERS.analyst, place(ROOMS.contoso), clicked.id);
    expect(status).toBe(200);
    const other = () => alertCards(ROOMS.shared).get(alert.id)![0]!;
    await until(() => factOf(cardOf(other()), 'Assigned to') === USERS.analyst.email, 'the shared room’s card to show the assignee');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(other().updates).toBe(1);
    // The clicked card was edited once, by the action itself.
    expect(bot.connector.message(clicked.id)!.updates).toBe(1);
  });

  it('loses and repeats nothing when the bot restarts in the middle of a burst', async () => {
    // The card action before answered outside delivery's pacing; let Teams' 2-second window forget it.
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const throttledBefore = bot.connector.limits!.throttled;
    const burst = Array.from({ length: 20 }, () => raise(CONTOSO_ID, 'high', 'r'));
    await until(() => onCards(ROOMS.contoso, 'r').length >= 8, 'the burst to be under way');
    await bot.restart();
    const countedBefore = onCards(ROOMS.contoso, 'r').length;
    expect(countedBefore).toBeLessThan(20);
    await until(() => onCards(ROOMS.contoso, 'r').length === 20 && onCards(ROOMS.shared, 'r').length === 20 && mailedIds(MAILBOX).filter((id) => id.startsWith('r')).length === 20, 'the whole burst', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const room of [ROOMS.contoso, ROOMS.shared]) {
      expect(onCards(room, 'r')).toEqual(ids(burst));
      for (const id of ids(burst)) expect(alertCards(room).get(id)).toHaveLength(1);
    }
    expect(mailedIds(MAILBOX).filter((id) => id.startsWith('r')).sort()).toEqual(ids(burst));
    // Paced from the posts it had recorded, the restarted bot drew no 429 either.
    expect(bot.connector.limits!.throttled - throttledBefore).toBe(0);
  }, 45_000);

  it('survives a storm of 429s: waits, then posts every card once', async () => {
    const throttled = bot.connector.limits!.throttled;
    const faults = Array.from({ length: 10 }, () => ({ status: 429, retryAfterSeconds: 0.2, conversationId: ROOMS.fabrikam }));
    bot.connector.injectFaults(faults);
    const alerts = Array.from({ length: 4 }, () => raise(FABRIKAM_ID, 'medium', 's'));
    await until(() => onCards(ROOMS.fabrikam, 's').length === 4 && onCards(ROOMS.shared, 's').length === 4, 'every card after the 429s', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(onCards(ROOMS.fabrikam, 's')).toEqual(ids(alerts));
    expect(onCards(ROOMS.shared, 's')).toEqual(ids(alerts));
    for (const id of ids(alerts)) expect(alertCards(ROOMS.fabrikam).get(id)).toHaveLength(1);
    const refused = bot.connector.calls.filter((c) => c.conversationId === ROOMS.fabrikam && c.method === 'POST').length - bot.connector.messagesIn(ROOMS.fabrikam).length;
    expect(refused).toBeGreaterThanOrEqual(10);
    // Four refusals in a row outlast the Bot Framework client's own retries: SOC Bridge paused everything at least once.
    expect(bot.app.delivery.stats()?.targets.teams?.globalPauses).toBeGreaterThanOrEqual(1);
    expect(bot.connector.limits!.throttled).toBe(throttled);
  }, 40_000);

  it('marks a link broken when Teams says the bot is gone, and tells the SOC once', async () => {
    await bot.say('link fabrikam', USERS.admin, place(ROOMS.doomed));
    bot.connector.injectFaults([{ status: 403, conversationId: ROOMS.doomed }]);
    const alerts = [1, 2].map(() => raise(FABRIKAM_ID, 'high', 'g'));
    await until(() => onCards(ROOMS.fabrikam, 'g').length === 2, 'the healthy channel’s cards');
    await until(async () => (await bot.app.testing.channelLinks({ conversationId: ROOMS.doomed })).some((l) => l.health === 'broken'), 'the link to be marked broken');
    const notices = () => bot.connector.messagesIn(ROOMS.soc).filter((m) => cardText(cardOf(m) ?? {}).includes('Alert channel broken'));
    await until(() => notices().length === 1, 'the SOC notice');
    expect(onCards(ROOMS.fabrikam, 'g')).toEqual(ids(alerts));
    expect(onCards(ROOMS.doomed, 'g')).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(notices()).toHaveLength(1);
  });
});

describe('sandbox mode', () => {
  it('posts the demo customers’ new alerts into a linked channel', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-sandbox-delivery-'));
    const connector = await BotConnectorEmulator.start();
    const config = parseConfig({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SANDBOX_ALERT_INTERVAL: '100ms', POLL_INTERVAL: '200ms' });
    const app = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
    try {
      const channelId = '19:sandbox-contoso@thread.tacv2';
      const response = await fetch(`${app.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          id: 'sandbox-1',
          channelId: 'msteams',
          serviceUrl: connector.serviceUrl,
          from: { id: '29:playground-user', name: 'Alex Wilber', aadObjectId: PLAYGROUND_USER_OBJECT_ID },
          recipient: { id: '28:soc-bridge', name: 'SOC Bridge' },
          conversation: { id: `${channelId};messageid=1`, conversationType: 'channel', isGroup: true },
          channelData: { team: { id: '19:team@thread.tacv2', name: 'SOC' }, channel: { id: channelId, name: 'Contoso alerts' } },
          text: '<at>SOC Bridge</at> link contoso',
          entities: [{ type: 'mention', text: '<at>SOC Bridge</at>', mentioned: { id: '28:soc-bridge', name: 'SOC Bridge' } }],
        }),
      });
      expect(response.status).toBe(200);
      expect((await app.testing.channelLinks({})).map((l) => l.conversationId)).toEqual([channelId]);
      const contosoId = DEMO_CUSTOMERS[0]!.tenantId;
      const cards = () => connector.messagesIn(channelId).map((m) => factOf(cardOf(m), 'Alert id')).filter((id): id is string => id !== undefined);
      const backlog = new Set(app.sandbox!.graph.alerts(contosoId).map((a) => a.id));
      const raisedSinceStart = () => cards().filter((id) => !backlog.has(id));
      const deadline = Date.now() + 10_000;
      while (raisedSinceStart().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(raisedSinceStart().length).toBeGreaterThan(0);
      // Only Contoso's alerts (every demo customer raises new ones on its own schedule), each once.
      const contoso = new Set(app.sandbox!.graph.alerts(contosoId).map((a) => a.id));
      expect(cards().filter((id) => !contoso.has(id))).toEqual([]);
      expect(new Set(cards()).size).toBe(cards().length);
    } finally {
      await app.stop();
      await connector.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
