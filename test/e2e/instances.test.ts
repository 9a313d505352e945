import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { useTestDatabase } from '../helpers/postgres.js';

/**
 * Two instances on one PostgreSQL database, as a scaled-out deployment runs: the same emulators and
 * Bot Connector, activities sent to either. One of them runs delivery (it holds the delivery lease);
 * what the other is asked reaches it through the database.
 */

let a: BotHarness;
let b: BotHarness;
// Declared before the database's own hooks: jest runs afterAll hooks in the order declared, and the
// instances must stop before their database is dropped.
afterAll(async () => {
  await b?.stop();
  await a?.stop();
});
const database = useTestDatabase();

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const ROOMS = { contoso: '19:contoso-alerts@thread.tacv2', soc: '19:soc-ops@thread.tacv2' } as const;
const place = (channelId: string): Place => ({ kind: 'channel', channelId, channelName: channelId.slice(3, channelId.indexOf('@')), teamName: 'SOC' });

beforeAll(async () => {
  a = await BotHarness.start({
    env: { DATABASE_URL: database().url, DATABASE_SSL: 'disable', DELIVERY_LEASE: '2s', POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', STORM_THRESHOLD: '0' },
    deliveryTuning: { editDelayMs: 100, sampleWaitMs: 4000 },
  });
  await a.app.delivery.whenRunning();
  b = await a.anotherInstance();
}, 30_000);

let sequence = 0;
function raise(tenantId: string, tag: string): Alert {
  const now = new Date();
  const base = generateNewAlert({ tenantId, domain: 'customer.example', orgName: 'Customer' }, now, `${tag}-${++sequence}`);
  const iso = now.toISOString();
  return a.graph.raiseAlert(tenantId, { ...base, id: `${tag}-${sequence}`, severity: 'high', status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

/** The messages in a conversation whose card shows alert `alertId`. */
function cardsOf(conversationId: string, alertId: string): PostedMessage[] {
  return a.connector.messagesIn(conversationId).filter((m) => {
    try {
      return cardText(cardIn(m.activity)).includes(alertId);
    } catch {
      return false;
    }
  });
}

async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const textOf = (replies: Record<string, unknown>[]) => replies.map((r) => (typeof r.text === 'string' ? r.text : cardText(cardIn(r)))).join('\n');

describe('two instances on one database', () => {
  it('runs delivery on one instance only', async () => {
    expect(a.app.delivery.running).toBeDefined();
    // B keeps trying to take the lease on its beat and never gets it while A renews.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(b.app.delivery.running).toBeUndefined();
  });

  it('obeys on one instance a role granted through the other, on the next message', async () => {
    expect(textOf((await b.say('alerts contoso top:1', USERS.analyst)).replies)).toMatch(/not allowed|role/i);
    await a.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    const reply = textOf((await b.say('alerts contoso top:1', USERS.analyst)).replies);
    expect(reply).not.toMatch(/not allowed/i);
    expect(reply).toContain('Contoso');
  });

  it('delivers an alert once to a channel linked through the instance that does not run delivery', async () => {
    await b.say('link contoso', USERS.admin, place(ROOMS.contoso));
    await b.say('rule add "Everything high" severity:high to:channels group:alert');
    const alert = raise(CONTOSO_ID, 'n');
    await until(() => cardsOf(ROOMS.contoso, alert.id).length === 1, 'the card');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(cardsOf(ROOMS.contoso, alert.id)).toHaveLength(1);
    // The instance running delivery publishes each target's last delivery for every instance.
    // (published once a second, so B may first say "none recorded").
    await until(async () => {
      const channels = textOf((await b.say('channels', USERS.admin)).replies);
      return channels.includes('Last delivery') && !channels.includes('none recorded');
    }, '`channels` on B to show the last delivery');
  });

  it('answers `rule test` on the instance that does not run delivery with what the running one sent', async () => {
    const [rule] = await b.app.testing.rules();
    const reply = textOf((await b.say(`rule test ${rule?.id}`, USERS.admin)).replies);
    expect(reply).toContain('went to 1 of 1 target');
    expect(reply).toContain('Sent: SOC › contoso-alerts (Teams)');
  });

  it("edits the alert's other cards when an analyst acts on one through the other instance", async () => {
    await b.say('link contoso', USERS.admin, place(ROOMS.soc));
    const alert = raise(CONTOSO_ID, 'act');
    await until(() => cardsOf(ROOMS.contoso, alert.id).length === 1 && cardsOf(ROOMS.soc, alert.id).length === 1, 'both cards');
    const [clicked] = cardsOf(ROOMS.contoso, alert.id);
    const [other] = cardsOf(ROOMS.soc, alert.id);
    const version = a.graph.alerts(CONTOSO_ID).find((x) => x.id === alert.id)?.lastUpdateDateTime;
    const { status } = await b.invoke('alert.assign', { verb: 'alert.assign', tenantId: CONTOSO_ID, alertId: alert.id, version }, USERS.analyst, place(ROOMS.contoso), clicked?.id);
    expect(status).toBe(200);
    expect(a.graph.alerts(CONTOSO_ID).find((x) => x.id === alert.id)?.assignedTo).toBe(USERS.analyst.email);
    // A runs delivery: B's change reaches it through the database, and A edits the other card.
    await until(() => (a.connector.message(other?.id ?? '')?.updates ?? 0) >= 1, 'the other card to be edited');
    expect(cardText(cardIn(a.connector.message(other?.id ?? '')?.activity ?? {}))).toContain(USERS.analyst.email);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(a.connector.message(other?.id ?? '')?.updates).toBe(1);
    // The clicked card shows the change already (the action edited it) and delivery leaves it alone,
    // unless the poller of the running instance saw the change in Graph before B's word reached it
    // (a quarter of a second): then it edits that card once more, to the same content.
    expect(a.connector.message(clicked?.id ?? '')?.updates).toBeGreaterThanOrEqual(1);
    expect(a.connector.message(clicked?.id ?? '')?.updates).toBeLessThanOrEqual(2);
    expect(cardText(cardIn(a.connector.message(clicked?.id ?? '')?.activity ?? {}))).toContain(USERS.analyst.email);
  });

  it('hands delivery over when the running instance stops, and the other delivers from then on', async () => {
    await a.app.stop();
    // A gave the lease up as it stopped: B takes it on its next beat, well within the lease time.
    const handedOverAt = Date.now();
    await b.app.delivery.whenRunning();
    expect(Date.now() - handedOverAt).toBeLessThan(2000);
    const alert = raise(CONTOSO_ID, 'after');
    await until(() => cardsOf(ROOMS.contoso, alert.id).length === 1, 'the card from B');
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(cardsOf(ROOMS.contoso, alert.id)).toHaveLength(1);
  });
});
