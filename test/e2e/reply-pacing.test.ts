import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { TEAMS_PUBLISHED_LIMITS } from '../../src/emulator/teams-limits.js';
import { ALERT_VERBS } from '../../src/alerts/verbs.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { useTestDatabase } from '../helpers/postgres.js';

/**
 * Replies under a delivery storm: a channel receives a burst of alert cards, paced to Teams' limits
 * (the Bot Connector emulator enforces them and answers 429 past them), while people type
 * commands and click card buttons in it. Every reply must go ahead of the queued cards and draw no
 * 429; on two instances the one answering is not the one posting the cards.
 */

const instances: BotHarness[] = [];
// Declared before the database's own hooks: jest runs afterAll hooks in the order declared, and the
// instances must stop before their database is dropped.
afterAll(async () => {
  for (const instance of instances.reverse()) await instance.stop();
});
const database = useTestDatabase();

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const STORM = 30;
const ENV = { POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', STORM_THRESHOLD: '0' };

const place = (channelId: string): Place => ({ kind: 'channel', channelId, channelName: channelId.slice(3, channelId.indexOf('@')), teamName: 'SOC' });

let sequence = 0;
function raise(bot: BotHarness, tag: string): Alert {
  const now = new Date();
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'customer.example', orgName: 'Customer' }, now, `${tag}-${++sequence}`);
  const iso = now.toISOString();
  return bot.graph.raiseAlert(CONTOSO_ID, { ...base, id: `${tag}-${sequence}`, severity: 'high', status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

/** The alert cards posted in `room` whose alert id starts with `tag`, in posting order. */
function cardsIn(bot: BotHarness, room: string, tag: string): PostedMessage[] {
  return bot.connector.messagesIn(room).filter((m) => {
    try {
      return cardText(cardIn(m.activity)).includes(`${tag}-`);
    } catch {
      return false;
    }
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Links `room` to Contoso through `talker`, raises a storm of alerts for it, and once the first
 * cards show, types three commands and clicks two buttons of a card there through `talker`.
 * Returns, for each, how many of the storm's cards had been posted when its answer was in.
 */
async function talkDuringStorm(delivering: BotHarness, talker: BotHarness, room: string, tag: string) {
  await talker.say('link contoso', USERS.admin, place(room));
  await talker.say(`rule add "Storm ${tag}" severity:high to:channels group:alert`);
  const throttledBefore = delivering.connector.limits!.throttled;
  for (let n = 0; n < STORM; n++) raise(delivering, tag);
  await until(() => cardsIn(delivering, room, tag).length >= 1, 'the first card of the storm');
  const answered: { what: string; cardsPosted: number; answers: number }[] = [];
  for (const command of ['whoami', 'alerts contoso top:1', 'channels']) {
    const { replies } = await talker.say(command, USERS.admin, place(room));
    answered.push({ what: command, cardsPosted: cardsIn(delivering, room, tag).length, answers: replies.length });
  }
  const [card] = cardsIn(delivering, room, tag);
  const alertId = new RegExp(`${tag}-\\d+`).exec(cardText(cardIn(card!.activity)))?.[0] ?? '';
  const version = delivering.graph.alerts(CONTOSO_ID).find((a) => a.id === alertId)?.lastUpdateDateTime;
  const assigned = await talker.invoke(ALERT_VERBS.assign, { verb: ALERT_VERBS.assign, tenantId: CONTOSO_ID, alertId, version }, USERS.admin, place(room), card!.id);
  answered.push({ what: 'assign (edits the card)', cardsPosted: cardsIn(delivering, room, tag).length, answers: assigned.status === 200 ? (delivering.connector.message(card!.id)?.updates ?? 0) : 0 });
  const opened = await talker.invoke(ALERT_VERBS.open, { verb: ALERT_VERBS.open, tenantId: CONTOSO_ID, alertId }, USERS.admin, place(room), card!.id);
  answered.push({ what: 'open (posts the detail card)', cardsPosted: cardsIn(delivering, room, tag).length, answers: opened.calls.filter((c) => c.method === 'POST').length });
  await until(() => cardsIn(delivering, room, tag).length === STORM, 'every card of the storm', 60_000);
  return { answered, throttled: delivering.connector.limits!.throttled - throttledBefore };
}

function expectAheadOfTheCards(result: Awaited<ReturnType<typeof talkDuringStorm>>): void {
  for (const { what, cardsPosted, answers } of result.answered) {
    // Answered, while cards of the storm were still waiting to be posted.
    expect({ what, answered: answers >= 1 }).toEqual({ what, answered: true });
    expect({ what, cardsPosted: cardsPosted < STORM }).toEqual({ what, cardsPosted: true });
  }
  expect(result.throttled).toBe(0);
}

describe('replies in a channel under a delivery storm, on one instance', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start({ env: ENV, connectorLimits: TEAMS_PUBLISHED_LIMITS });
    instances.push(bot);
  }, 30_000);

  it('answer commands and card actions ahead of the queued cards, with no 429', async () => {
    expectAheadOfTheCards(await talkDuringStorm(bot, bot, '19:storm-one@thread.tacv2', 'one'));
  }, 90_000);
});

describe('replies in a channel under a delivery storm, on two instances', () => {
  let delivering: BotHarness;
  let answering: BotHarness;
  beforeAll(async () => {
    delivering = await BotHarness.start({ env: { ...ENV, DATABASE_URL: database().url, DATABASE_SSL: 'disable', DELIVERY_LEASE: '5s' }, connectorLimits: TEAMS_PUBLISHED_LIMITS });
    instances.push(delivering);
    await delivering.app.delivery.whenRunning();
    answering = await delivering.anotherInstance();
    instances.push(answering);
  }, 30_000);

  it('count the replies of the instance that does not run delivery against the cards of the one that does', async () => {
    expect(answering.app.delivery.running).toBeUndefined();
    expectAheadOfTheCards(await talkDuringStorm(delivering, answering, '19:storm-two@thread.tacv2', 'two'));
  }, 90_000);
});
