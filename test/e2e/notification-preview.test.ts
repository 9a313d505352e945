import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { BotHarness, CUSTOMERS, USERS, type Place } from '../helpers/harness.js';

/**
 * The `summary` of a card message is what Teams shows in notifications and the activity feed. It
 * carries alert titles from customer tenants, so it is neutralized like the card body.
 */

const HOSTILE_TITLE = 'Urgent [Click](https://evil.example) <https://evil.example/autolink> ${secret}';
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const ALERTS_ROOM = '19:preview-alerts@thread.tacv2';
const room: Place = { kind: 'channel', channelId: ALERTS_ROOM, channelName: 'Preview alerts' };

let bot: BotHarness;
let sequence = 0;

beforeAll(async () => {
  bot = await BotHarness.start({ env: { POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', STORM_THRESHOLD: '0' } });
  await bot.say('link contoso', USERS.admin, room);
});
afterAll(async () => {
  await bot.stop();
});

function hostileAlert(): Alert {
  const now = new Date();
  const iso = now.toISOString();
  const id = `preview-${++sequence}`;
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'contoso.example', orgName: 'Contoso' }, now, id);
  return bot.graph.raiseAlert(CONTOSO_ID, { ...base, id, title: HOSTILE_TITLE, severity: 'high', status: 'new', createdDateTime: iso, lastUpdateDateTime: iso });
}

function expectNeutralized(summary: unknown): void {
  expect(typeof summary).toBe('string');
  const text = summary as string;
  expect(text).toContain('Urgent [Click]');
  expect(text).not.toContain('](');
  expect(text).not.toMatch(/<https:/);
  expect(text).not.toContain('${');
}

describe('notification preview text (activity summary)', () => {
  it('is neutralized on a command reply', async () => {
    const alert = hostileAlert();
    const { replies } = await bot.say(`alert contoso ${alert.id}`);
    expectNeutralized(replies[0]?.summary);
  });

  it('is neutralized on a proactive alert card', async () => {
    const alert = hostileAlert();
    await bot.connector.waitFor(() => bot.connector.messagesIn(ALERTS_ROOM).some((m) => JSON.stringify(m.activity).includes(alert.id)), 10_000);
    const posted = bot.connector.messagesIn(ALERTS_ROOM).find((m) => JSON.stringify(m.activity).includes(alert.id))!;
    expectNeutralized(posted.activity.summary);
  });

  it('is neutralized on a notice that echoes what a user typed', async () => {
    const { replies } = await bot.say('role grant [Click](https://evil.example) analyst');
    const summary = replies[0]?.summary as string;
    expect(summary).toContain('Click');
    expect(summary).not.toContain('](');
  });
});
