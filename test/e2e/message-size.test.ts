import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CARD_BUDGET_BYTES, utf16Bytes } from '../../src/cards/fit.js';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { TEAMS_MAX_MESSAGE_BYTES } from '../../src/emulator/teams-limits.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { longText, oversizedAlert } from '../helpers/oversized-alert.js';

/**
 * Teams refuses bot messages over 100 KB (413 MessageSizeTooBig), and so does the Bot Connector
 * emulator. Every card the bot sends must stay under that, whatever a tenant puts in an alert and
 * however long a list is: lists are cut with "and N more", long texts are clipped.
 */

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;
const ALERTS_ROOM = '19:size-alerts@thread.tacv2';
const room: Place = { kind: 'channel', channelId: ALERTS_ROOM, channelName: 'Size alerts' };
const OMITTED = /…and (\d+) more, not shown: Teams limits the size of a message\./;

let bot: BotHarness;
let sequence = 0;

beforeAll(async () => {
  bot = await BotHarness.start({ env: { POLL_INTERVAL: '500ms', POLL_OVERLAP: '1s', STORM_THRESHOLD: '0' }, actionDeadlineMs: 8000 });
  await bot.say('link contoso', USERS.admin, room);
});
afterAll(async () => {
  await bot.stop();
});

function alertIn(tenantId: string, change: (alert: Alert) => Alert = (a) => a, at = new Date()): Alert {
  const iso = at.toISOString();
  const id = `size-${++sequence}`;
  const base = generateNewAlert({ tenantId, domain: 'customer.example', orgName: 'Customer' }, at, id);
  return bot.graph.raiseAlert(tenantId, change({ ...base, id, severity: 'high', status: 'new', createdDateTime: iso, lastUpdateDateTime: iso }));
}

/** Every message the bot sent was taken by the emulator, and none was near Teams' limit. */
function expectNothingRefused(): void {
  expect(bot.connector.oversized).toBe(0);
  for (const call of bot.connector.calls) {
    if (call.body) expect(utf16Bytes(call.body)).toBeLessThanOrEqual(TEAMS_MAX_MESSAGE_BYTES);
  }
}

describe('the largest alert a tenant can send', () => {
  let alert: Alert;

  beforeAll(() => {
    alert = alertIn(CONTOSO_ID, oversizedAlert);
  });

  it('arrives in its channel as a card within the budget', async () => {
    await bot.connector.waitFor(() => bot.connector.messagesIn(ALERTS_ROOM).some((m) => JSON.stringify(m.activity).includes(alert.id)), 15_000);
    const posted = bot.connector.messagesIn(ALERTS_ROOM).find((m) => JSON.stringify(m.activity).includes(alert.id))!;
    const card = cardIn(posted.activity);
    expect(utf16Bytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const text = cardText(card);
    expect(text).toContain('Ransomware behavior detected');
    expect(text).toMatch(/Devices\s+\S[\s\S]* and 395 more/);
    expectNothingRefused();
  });

  it('opens with "alert" within the budget, and a card action answers within it too', async () => {
    const { replies } = await bot.say(`alert contoso ${alert.id}`);
    expect(utf16Bytes(cardIn(replies[0]!))).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const messageId = bot.connector.messagesIn('a:personal-chat').at(-1)!.id;
    const refresh = { verb: 'alert.refresh', tenantId: CONTOSO_ID, alertId: alert.id, version: alert.lastUpdateDateTime };
    const { status, body } = await bot.invoke('alert.refresh', refresh, USERS.admin, { kind: 'personal' }, messageId);
    expect(status).toBe(200);
    expect(utf16Bytes(body)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    expect(cardText((body as { value: unknown }).value)).toContain(alert.id);
    expectNothingRefused();
  });
});

describe('long lists', () => {
  it('alerts top:50 of alerts with long titles and owners is cut with "and N more"', async () => {
    const now = Date.now();
    for (let i = 0; i < 50; i++) {
      alertIn(FABRIKAM_ID, (a) => ({ ...a, title: longText(`Long title ${i} `, 5000), assignedTo: `${longText('owner', 2000)}@fabrikam.example` }), new Date(now - i * 1000));
    }
    const { status, replies } = await bot.say('alerts fabrikam top:50 status:any');
    expect(status).toBe(200);
    const card = cardIn(replies[0]!);
    expect(utf16Bytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const shown = (card.body as { selectAction?: unknown }[]).filter((element) => element.selectAction).length;
    const omitted = Number(OMITTED.exec(cardText(card))?.[1]);
    expect(shown).toBeGreaterThan(10);
    expect(shown + omitted).toBe(50);
    expectNothingRefused();
  });

  it('tenants of an MSSP with 300 customers is cut with "and N more"', async () => {
    for (let i = 0; i < 300; i++) {
      const hex = i.toString(16).padStart(12, '0');
      await bot.app.services.tenants.add({
        handle: `customer-${i}`,
        displayName: `Customer Number ${i} Holdings International`,
        tenantId: `c0ffee00-0000-4000-8000-${hex}`,
        domain: `customer-${i}.example`,
        status: 'pending-consent',
        writeAccess: false,
      });
    }
    const { status, replies } = await bot.say('tenants');
    expect(status).toBe(200);
    const card = cardIn(replies[0]!);
    expect(utf16Bytes(card)).toBeLessThanOrEqual(CARD_BUDGET_BYTES);
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd');
    expect(Number(OMITTED.exec(text)?.[1])).toBeGreaterThan(0);
    expectNothingRefused();
  });
});
