import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { DEMO_CUSTOMERS } from '../../src/sandbox/demo-tenants.js';
import { BotHarness, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';

/**
 * A new user's first minutes in sandbox mode, as the README's quick start walks them: `link contoso`
 * in a channel brings a first proactive alert card within seconds, and the customers' Defender
 * (alerts and the changes made to them) survives a restart, so yesterday's cards still work.
 */

const CONTOSO = DEMO_CUSTOMERS[0]!;
const CHANNEL = '19:contoso-alerts@thread.tacv2';
const channel: Place = { kind: 'channel', channelId: CHANNEL, channelName: 'Contoso alerts', teamName: 'SOC' };
let bot: BotHarness;

beforeAll(async () => {
  // A long cadence and the default poll interval: only the link itself can bring a card this soon.
  bot = await BotHarness.startSandbox({ env: { SANDBOX_ALERT_INTERVAL: '1h', POLL_INTERVAL: '30s' }, actionDeadlineMs: 5000 });
}, 30_000);
afterAll(async () => {
  await bot?.stop();
});

/** The alert a proactive card shows, from its Refresh button's data. */
function alertOnCard(message: PostedMessage): { tenantId: string; alertId: string; version?: string } | undefined {
  const found = JSON.stringify(message.activity).match(/"verb":"alert\.refresh","data":(\{[^}]*\})/);
  return found ? (JSON.parse(found[1]!) as { tenantId: string; alertId: string; version?: string }) : undefined;
}

async function until<T>(probe: () => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let card: PostedMessage;

describe('first run', () => {
  it('posts a medium-or-higher alert card in the channel within seconds of "link contoso"', async () => {
    const linkedAt = Date.now();
    const { replies } = await bot.say('link contoso', USERS.admin, channel);
    expect(cardText(cardIn(replies[0]!))).toContain('Linked to Contoso Ltd');
    card = await until(() => bot.connector.messagesIn(CHANNEL).find((m) => alertOnCard(m) !== undefined), 'the first alert card');
    const seconds = (Date.now() - linkedAt) / 1000;
    expect(seconds).toBeLessThan(10);
    const shown = alertOnCard(card)!;
    expect(shown.tenantId).toBe(CONTOSO.tenantId);
    const alert = bot.graph.alerts(CONTOSO.tenantId).find((a) => a.id === shown.alertId);
    expect(['medium', 'high']).toContain(alert?.severity);
    expect(cardText(cardIn(card.activity))).toContain(alert!.title);
  }, 20_000);

  it('keeps the alert and the change made to it across a restart, and the old card still refreshes', async () => {
    const shown = alertOnCard(card)!;
    const assigned = await bot.invoke('alert.assign', shown, USERS.admin, channel, card.id);
    expect(cardText((assigned.body as { value: unknown }).value)).toContain(`Assigned by ${USERS.admin.name}`);
    await bot.restart();
    expect(bot.graph.alerts(CONTOSO.tenantId).find((a) => a.id === shown.alertId)?.assignedTo).toBe(USERS.admin.email);
    const updatesBefore = bot.connector.message(card.id)!.updates;
    const refreshed = await bot.invoke('alert.refresh', shown, USERS.admin, channel, card.id);
    const body = refreshed.body as { type: string; value: unknown };
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(body.value)).toContain(USERS.admin.email);
    expect(bot.connector.message(card.id)!.updates).toBe(updatesBefore + 1);
  }, 30_000);

  it('says in words, by customer name, when an alert is gone; keeps the card; and does not mark the customer', async () => {
    const shown = alertOnCard(card)!;
    expect(bot.graph.removeAlerts(CONTOSO.tenantId, [shown.alertId])).toBe(1);
    const before = bot.connector.message(card.id)!;
    const { updates } = before;
    const content = JSON.stringify(before.activity);
    const refreshed = await bot.invoke('alert.refresh', shown, USERS.admin, channel, card.id);
    const body = refreshed.body as { type: string; value: unknown };
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(body.value).toContain("Contoso Ltd's Defender has no alert");
    expect(body.value).toContain('keeps what it showed last');
    expect(body.value).not.toContain(CONTOSO.tenantId);
    expect(bot.connector.message(card.id)!.updates).toBe(updates);
    expect(JSON.stringify(bot.connector.message(card.id)!.activity)).toBe(content);
    expect(bot.app.services.tenants.find('contoso')?.lastError).toBeUndefined();
    const { replies } = await bot.say('tenants', USERS.admin);
    expect(cardText(cardIn(replies[0]!))).not.toContain('no alert');
  });
});
