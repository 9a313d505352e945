import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { ESCALATION_TICK_MS } from '../../src/escalation/escalation-scheduler.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { eventually } from '../helpers/eventually.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { ManualClock } from '../helpers/manual-clock.js';

/**
 * Escalation of unowned alerts end to end: rules typed in chat (the person picked as a Teams
 * mention), alerts raised in the Graph emulator and found by the real poller, cards and follow-ups
 * through botbuilder to the Bot Connector emulator, time moved by hand.
 */

const CHANNEL = '19:contoso-alerts@thread.tacv2';
const room: Place = { kind: 'channel', channelId: CHANNEL, channelName: 'Contoso alerts', teamName: 'SOC' };
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const MEGAN = USERS.analyst;
const megan = { type: 'mention', text: `<at>${MEGAN.name}</at>`, mentioned: { id: MEGAN.id, name: MEGAN.name } };

let sequence = 0;
function raise(bot: BotHarness, clock: ManualClock, severity = 'high', incidentId?: string): Alert {
  const iso = clock.now().toISOString();
  const id = `esc-${++sequence}`;
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'contoso.example', orgName: 'Contoso Ltd' }, clock.now(), id);
  return bot.graph.raiseAlert(CONTOSO_ID, { ...base, id, severity, status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso, ...(incidentId ? { incidentId, incidentWebUrl: null } : {}) });
}

async function poll(bot: BotHarness): Promise<void> {
  const delivery = await bot.app.delivery.whenRunning();
  await delivery.pollNow(bot.app.services.tenants.find('contoso')!);
}

/** The alert's card in the channel (posted at the channel's root). */
function cardMessage(bot: BotHarness, alertId: string): PostedMessage | undefined {
  return bot.connector.messagesIn(CHANNEL).find((m) => {
    try {
      return cardText(cardIn(m.activity)).includes(alertId);
    } catch {
      return false;
    }
  });
}

/** Follow-ups in the thread the alert's card started. */
function followUps(bot: BotHarness, alertId: string): Record<string, unknown>[] {
  const card = cardMessage(bot, alertId);
  if (!card) return [];
  return bot.connector
    .messagesIn(`${CHANNEL};messageid=${card.id}`)
    .map((m) => cardIn(m.activity))
    .filter((c) => cardText(c).includes('Escalation'));
}

/** Moves the clock and lets the escalation look it woke finish (it then sleeps a tick from the new time). */
async function step(clock: ManualClock, ms: number): Promise<void> {
  await clock.advance(ms);
  await eventually(() => clock.hasSleeperUntil(clock.nowMs() + ESCALATION_TICK_MS), 'the escalation look to finish');
}

async function deliveredCard(bot: BotHarness, alertId: string): Promise<PostedMessage> {
  await eventually(() => cardMessage(bot, alertId) !== undefined, `the card of ${alertId}`);
  return cardMessage(bot, alertId)!;
}

describe('escalation of unowned alerts', () => {
  let bot: BotHarness;
  const clock = new ManualClock(Date.parse('2026-11-26T09:00:00.000Z'));

  beforeAll(async () => {
    // Escalations are not about pacing: Teams' windows are widened so sends in a few real seconds never
    // wait for budgets counted in real time while this test's clock stands still.
    bot = await BotHarness.start({ clock, deliveryTuning: { editDelayMs: 0, conversationWindows: [{ limit: 1000, periodMs: 1000 }] } });
    await bot.say('link contoso', USERS.admin, room);
    await bot.say(`role grant ${MEGAN.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    await poll(bot);
  }, 30_000);
  afterAll(async () => {
    await bot?.stop();
  });

  it('takes the person as a Teams mention in "rule add", and shows the escalation in "rules"', async () => {
    const { replies } = await bot.say(`rule add "Contoso high" tenants:contoso severity:high group:alert escalate:15m,60m escalate-to:<at>${MEGAN.name}</at>`, USERS.admin, room, [megan]);
    expect(cardText(cardIn(replies[0]!))).toContain('Still new and unowned after 15m, then 1h: a follow-up in the card\'s thread, mentions Megan Analyst');
    const [rule] = await bot.app.testing.rules();
    expect(rule?.escalation).toEqual({ afterMinutes: [15, 60], mention: [{ userId: MEGAN.aadObjectId, name: MEGAN.name }] });
    const listed = await bot.say('rules', USERS.viewer);
    expect(cardText(cardIn(listed.replies[0]!))).toContain('Escalation');
  });

  it('refuses a second level not after the first and an unknown person, in chat', async () => {
    const early = await bot.say('rule add "Bad levels" escalate:30m,10m', USERS.admin, room);
    expect(cardText(cardIn(early.replies[0]!))).toContain('escalate: the second level (10m) must come after the first (30m)');
    const stranger = await bot.say(`rule add "Bad person" escalate:30m escalate-to:<at>${USERS.nobody.name}</at>`, USERS.admin, room, [{ type: 'mention', text: `<at>${USERS.nobody.name}</at>`, mentioned: { id: USERS.nobody.id, name: USERS.nobody.name } }]);
    expect(cardText(cardIn(stranger.replies[0]!))).toContain(`escalate-to: ${USERS.nobody.name} has no SOC Bridge role`);
    const viewer = await bot.say('rule add "Viewer tries" escalate:30m', USERS.viewer);
    expect(cardText(cardIn(viewer.replies[0]!))).toMatch(/admin/i);
    expect(await bot.app.testing.rules()).toHaveLength(1);
  });

  it('posts one follow-up in the card\'s thread at 15 minutes, with a real mention, and marks the card', async () => {
    const alert = raise(bot, clock);
    await poll(bot);
    const card = await deliveredCard(bot, alert.id);
    await step(clock, 14 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(0);
    await step(clock, 60_000);
    await eventually(() => followUps(bot, alert.id).length === 1, 'the follow-up');
    const followUp = followUps(bot, alert.id)[0]!;
    expect(cardText(followUp)).toContain('Escalation 1 of 2: still new and unowned after 15m');
    expect(cardText(followUp)).toContain(`<at>${MEGAN.name}</at>`);
    expect(followUp.msteams).toEqual({ entities: [{ type: 'mention', text: `<at>${MEGAN.name}</at>`, mentioned: { id: MEGAN.aadObjectId, name: MEGAN.name } }] });
    expect(adaptiveCardProblems(followUp)).toEqual([]);
    await eventually(() => cardText(cardIn(bot.connector.message(card.id)!.activity)).includes('Escalated (level 1 of 2)'), 'the card marked as escalated');
    expect(adaptiveCardProblems(cardIn(bot.connector.message(card.id)!.activity))).toEqual([]);
    // Later looks before the second level send nothing more.
    await step(clock, ESCALATION_TICK_MS);
    await step(clock, 10 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(1);
    // The second level at 60 minutes, once, surviving a restart in between.
    await bot.restart();
    await eventually(() => clock.hasSleeperUntil(clock.nowMs() + ESCALATION_TICK_MS), 'the first look after the restart');
    expect(followUps(bot, alert.id)).toHaveLength(1);
    await step(clock, 35 * 60_000);
    await eventually(() => followUps(bot, alert.id).length === 2, 'the second follow-up');
    expect(cardText(followUps(bot, alert.id)[1]!)).toContain('Escalation 2 of 2: still new and unowned after 1h');
    await bot.restart();
    await eventually(() => clock.hasSleeperUntil(clock.nowMs() + ESCALATION_TICK_MS), 'the first look after the restart');
    await step(clock, 60 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(2);
  });

  it('sends nothing for an alert assigned from its card first', async () => {
    const alert = raise(bot, clock);
    await poll(bot);
    const card = await deliveredCard(bot, alert.id);
    await step(clock, 5 * 60_000);
    const { status } = await bot.invoke('alert.assign', { tenantId: CONTOSO_ID, alertId: alert.id }, MEGAN, room, card.id);
    expect(status).toBe(200);
    await eventually(() => bot.graph.alerts(CONTOSO_ID).find((a) => a.id === alert.id)?.assignedTo === MEGAN.email, 'the alert assigned in Defender');
    await step(clock, 20 * 60_000);
    await step(clock, 60 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(0);
  });

  it('sends nothing for an alert assigned in the Defender portal first (the poller sees it)', async () => {
    const alert = raise(bot, clock);
    await poll(bot);
    await deliveredCard(bot, alert.id);
    await step(clock, 5 * 60_000);
    bot.graph.mutateAlert(CONTOSO_ID, alert.id, { assignedTo: 'someone@contoso.example', lastUpdateDateTime: clock.now().toISOString() });
    await poll(bot);
    await step(clock, 20 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(0);
  });

  it('sends nothing when the alert was taken in the portal between the last poll and its time (checked in Defender when due)', async () => {
    const alert = raise(bot, clock);
    await poll(bot);
    await deliveredCard(bot, alert.id);
    await step(clock, 5 * 60_000);
    bot.graph.mutateAlert(CONTOSO_ID, alert.id, { status: 'inProgress', lastUpdateDateTime: clock.now().toISOString() });
    await step(clock, 20 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(0);
  });

  it('keeps the mark on the card when a later change redraws it, marking through the paced queue', async () => {
    const alert = raise(bot, clock);
    await poll(bot);
    const card = await deliveredCard(bot, alert.id);
    const shown = () => cardText(cardIn(bot.connector.message(card.id)!.activity));
    // Earlier alerts' changes the poll found are edited first, so only the marking is counted below.
    const delivery = await bot.app.delivery.whenRunning();
    await eventually(() => delivery.idle, 'delivery to finish what the poll found');
    const editsBefore = delivery.stats().targets.teams?.edited ?? 0;
    await step(clock, 15 * 60_000);
    await eventually(() => followUps(bot, alert.id).length === 1, 'the follow-up');
    await eventually(() => shown().includes('Escalated (level 1 of 2)'), 'the card marked as escalated');
    // The marking edit was one of delivery's own (paced, counted), not a message sent beside it.
    await eventually(() => delivery.stats().targets.teams?.edited === editsBefore + 1, 'the marking edit counted by delivery');
    expect(bot.connector.message(card.id)?.updates).toBe(1);
    bot.graph.mutateAlert(CONTOSO_ID, alert.id, { title: 'Renamed by a detection update' });
    await poll(bot);
    await eventually(() => shown().includes('Renamed by a detection update'), 'the card redrawn for the change');
    expect(shown()).toContain('Escalated (level 1 of 2)');
    await step(clock, 60_000);
    bot.graph.mutateAlert(CONTOSO_ID, alert.id, { assignedTo: 'someone@contoso.example' });
    await poll(bot);
    await eventually(() => shown().includes('someone@contoso.example'), 'the card redrawn once the alert is owned');
    expect(shown()).toContain('Escalated (level 1 of 2)');
    expect(adaptiveCardProblems(cardIn(bot.connector.message(card.id)!.activity))).toEqual([]);
    await step(clock, 60 * 60_000);
    expect(followUps(bot, alert.id)).toHaveLength(1);
  });
});

describe('escalation of alerts delivered in an incident thread (group:incident)', () => {
  let bot: BotHarness;
  const clock = new ManualClock(Date.parse('2026-11-27T09:00:00.000Z'));
  const INCIDENT = '7900001';

  beforeAll(async () => {
    // Wide windows, as above: no send waits for a real-time budget while the clock stands still.
    bot = await BotHarness.start({ clock, deliveryTuning: { editDelayMs: 0, conversationWindows: [{ limit: 1000, periodMs: 1000 }] } });
    await bot.say('link contoso', USERS.admin, room);
    await bot.say(`role grant ${MEGAN.aadObjectId} analyst`);
    await bot.say(`rule add "Contoso incidents" tenants:contoso severity:high group:incident escalate:15m escalate-to:<at>${MEGAN.name}</at>`, USERS.admin, room, [megan]);
    expect((await bot.app.testing.rules())[0]).toMatchObject({ grouping: 'incident', escalation: { afterMinutes: [15] } });
    await poll(bot);
  }, 30_000);
  afterAll(async () => {
    await bot?.stop();
  });

  /** The incident card at the channel's root. */
  const incidentCard = () => bot.connector.messagesIn(CHANNEL).find((m) => cardText(cardIn(m.activity)).includes(`incident #${INCIDENT} ·`));
  const escalationsUnder = (rootId: string) => bot.connector.messagesIn(`${CHANNEL};messageid=${rootId}`).map((m) => cardIn(m.activity)).filter((c) => cardText(c).includes('Escalation: still new and unowned'));

  it('follows up every unowned alert in the incident card’s thread and leaves the incident card as it is', async () => {
    const first = raise(bot, clock, 'high', INCIDENT);
    await poll(bot);
    await eventually(() => incidentCard() !== undefined, 'the incident card');
    const root = incidentCard()!;
    const second = raise(bot, clock, 'high', INCIDENT);
    await poll(bot);
    await eventually(() => bot.connector.messagesIn(`${CHANNEL};messageid=${root.id}`).some((m) => cardText(cardIn(m.activity)).includes(second.id)), 'the second alert in the thread');
    const shownBefore = JSON.stringify(bot.connector.message(root.id)!.activity);
    await step(clock, 15 * 60_000);
    // A follow-up Teams did not take at once is posted again at the next look, as escalations do.
    if (escalationsUnder(root.id).length < 2) await step(clock, ESCALATION_TICK_MS);
    await eventually(() => escalationsUnder(root.id).length === 2, 'both follow-ups under the incident card', 10_000);
    const texts = escalationsUnder(root.id).map(cardText);
    expect(texts.some((t) => t.includes(first.title))).toBe(true);
    expect(texts.some((t) => t.includes(second.title))).toBe(true);
    for (const followUp of escalationsUnder(root.id)) expect(adaptiveCardProblems(followUp)).toEqual([]);
    // Nothing at the channel's root but the incident card, which is not replaced by an escalated alert card.
    expect(bot.connector.messagesIn(CHANNEL)).toHaveLength(1);
    await step(clock, ESCALATION_TICK_MS);
    const shown = cardText(cardIn(bot.connector.message(root.id)!.activity));
    expect(shown).toContain(`incident #${INCIDENT} ·`);
    expect(shown).not.toContain('Escalated');
    expect(JSON.stringify(bot.connector.message(root.id)!.activity)).toBe(shownBefore);
  });
});
