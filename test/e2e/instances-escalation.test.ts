import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { ESCALATION_TICK_MS } from '../../src/escalation/escalation-scheduler.js';
import { eventually } from '../helpers/eventually.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { useTestDatabase } from '../helpers/postgres.js';

/**
 * Escalations with two instances on one PostgreSQL database: only the instance running delivery
 * looks at them, each level is posted once, and when the delivery lease moves the other instance
 * carries on from the stored records without posting a level again. Escalation time is moved by
 * hand (one clock for both instances and the Graph emulator); the lease runs on real time.
 */

let a: BotHarness;
let b: BotHarness;
// Declared before the database's own hooks, so the instances stop before their database is dropped.
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});
const database = useTestDatabase();

const CHANNEL = '19:contoso-alerts@thread.tacv2';
const room: Place = { kind: 'channel', channelId: CHANNEL, channelName: 'Contoso alerts', teamName: 'SOC' };
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const MEGAN = USERS.analyst;
const megan = { type: 'mention', text: `<at>${MEGAN.name}</at>`, mentioned: { id: MEGAN.id, name: MEGAN.name } };
const clock = new ManualClock(Date.parse('2026-11-26T09:00:00.000Z'));

beforeAll(async () => {
  a = await BotHarness.start({
    clock,
    env: { DATABASE_URL: database().url, DATABASE_SSL: 'disable', DELIVERY_LEASE: '2s', STORM_THRESHOLD: '0' },
    // Not about pacing: wide windows, so no send waits for a real-time budget while the clock stands still.
    deliveryTuning: { editDelayMs: 0, conversationWindows: [{ limit: 1000, periodMs: 1000 }] },
  });
  await a.app.delivery.whenRunning();
  b = await a.anotherInstance();
}, 30_000);

let sequence = 0;
function raise(): Alert {
  const iso = clock.now().toISOString();
  const id = `two-${++sequence}`;
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'contoso.example', orgName: 'Contoso Ltd' }, clock.now(), id);
  return a.graph.raiseAlert(CONTOSO_ID, { ...base, id, severity: 'high', status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

/** The instance running delivery polls Contoso now. */
async function poll(): Promise<void> {
  const running = a.app.delivery.running ?? b.app.delivery.running;
  if (!running) throw new Error('no instance runs delivery');
  await running.pollNow(a.app.services.tenants.find('contoso')!);
}

function cardMessage(alertId: string): PostedMessage | undefined {
  return a.connector.messagesIn(CHANNEL).find((m) => {
    try {
      return cardText(cardIn(m.activity)).includes(alertId);
    } catch {
      return false;
    }
  });
}

/** Follow-ups in the thread the alert's card started, from either instance (they share the Bot Connector). */
function followUps(alertId: string): string[] {
  const card = cardMessage(alertId);
  if (!card) return [];
  return a.connector
    .messagesIn(`${CHANNEL};messageid=${card.id}`)
    .map((m) => cardText(cardIn(m.activity)))
    .filter((text) => text.includes('Escalation'));
}

const shownOn = (card: PostedMessage) => cardText(cardIn(a.connector.message(card.id)!.activity));

/** Moves the clock and waits for the escalation look it woke to finish (it then sleeps a tick from the new time). */
async function step(ms: number): Promise<void> {
  await clock.advance(ms);
  await eventually(() => clock.hasSleeperUntil(clock.nowMs() + ESCALATION_TICK_MS), 'the escalation look to finish');
}

describe('escalation with two instances on one database', () => {
  it('posts a level once, from the instance running delivery, and the next level once after the lease moves', async () => {
    // The rule is typed through the instance that does not run delivery.
    await b.say('link contoso', USERS.admin, room);
    await b.say(`role grant ${MEGAN.aadObjectId} analyst`);
    const added = await b.say(`rule add "Contoso high" tenants:contoso severity:high group:alert escalate:15m,60m escalate-to:<at>${MEGAN.name}</at>`, USERS.admin, room, [megan]);
    expect(cardText(cardIn(added.replies[0]!))).toContain('Still new and unowned after 15m, then 1h');
    // A turn on the running instance brings its copy of the rules up to date (its poll rounds do the same).
    await a.say('whoami');
    await poll();
    const alert = raise();
    await poll();
    await eventually(() => cardMessage(alert.id) !== undefined, 'the alert card');
    const card = cardMessage(alert.id)!;

    await step(15 * 60_000);
    await eventually(() => followUps(alert.id).length === 1, 'the first follow-up');
    expect(a.app.delivery.running).toBeDefined();
    expect(b.app.delivery.running).toBeUndefined();
    await eventually(() => shownOn(card).includes('Escalated (level 1 of 2)'), 'the card marked by the running instance');
    // Later looks, and a second instance looking at the same database, post nothing more.
    await step(ESCALATION_TICK_MS);
    await step(10 * 60_000);
    expect(followUps(alert.id)).toEqual([expect.stringContaining('Escalation 1 of 2')]);

    // The running instance stops: the other takes the lease and the escalation records with it.
    await a.app.stop();
    await b.app.delivery.whenRunning();
    // Wakes the stopped instance's last sleep (its loop has ended) and lets the new one settle into its beat.
    await step(ESCALATION_TICK_MS);
    expect(followUps(alert.id)).toHaveLength(1);

    await step(35 * 60_000);
    await eventually(() => followUps(alert.id).length === 2, 'the second follow-up, from the other instance');
    expect(followUps(alert.id)[1]).toContain('Escalation 2 of 2: still new and unowned after 1h');
    await eventually(() => shownOn(card).includes('Escalated (level 2 of 2)'), 'the card marked again by the new instance');
    await step(ESCALATION_TICK_MS);
    await step(60 * 60_000);
    expect(followUps(alert.id)).toHaveLength(2);
  });
});
