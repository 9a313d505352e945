import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { eventually } from '../helpers/eventually.js';
import { BotHarness, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { SUMMARY_TICK_MS } from '../../src/summaries/summary-scheduler.js';

const CONTOSO_CHANNEL = '19:contoso-alerts@thread.tacv2';
const SOC_CHANNEL = '19:soc-ops@thread.tacv2';
const contosoRoom: Place = { kind: 'channel', channelId: CONTOSO_CHANNEL, channelName: 'Contoso alerts' };
const socRoom: Place = { kind: 'channel', channelId: SOC_CHANNEL, channelName: 'SOC ops' };

/** Cards posted into `channelId` whose text contains `marker`, in order. */
function cardsIn(bot: BotHarness, channelId: string, marker: string): Record<string, unknown>[] {
  return bot.connector
    .messagesIn(channelId)
    .map((m) => (m.activity.attachments as { content: Record<string, unknown> }[] | undefined)?.[0]?.content)
    .filter((card): card is Record<string, unknown> => card !== undefined && cardText(card).includes(marker));
}

/**
 * Moves the clock and lets the summary scheduler finish the look that woke it: it goes back to
 * sleep for SUMMARY_TICK_MS, from the clock's new time, only once the look (and any post) is done.
 */
async function step(clock: ManualClock, ms: number): Promise<void> {
  await clock.advance(ms);
  await eventually(() => clock.hasSleeperUntil(clock.nowMs() + SUMMARY_TICK_MS), 'the summary scheduler to finish its look');
}

/** Moves the clock to `iso` in one jump (the scheduler looks once on the way). */
async function jumpTo(clock: ManualClock, iso: string): Promise<void> {
  await step(clock, Date.parse(iso) - clock.nowMs());
}

describe('daily summaries in a linked channel (Europe/Berlin, across the switch to summer time)', () => {
  let bot: BotHarness;
  // Saturday 2026-03-28, 06:00 in Berlin (CET, UTC+1); summer time starts the next night.
  const clock = new ManualClock(Date.parse('2026-03-28T05:00:00.000Z'));
  const morning = () => cardsIn(bot, CONTOSO_CHANNEL, 'Morning summary');

  beforeAll(async () => {
    bot = await BotHarness.start({ clock });
    await bot.say('link contoso', USERS.admin, contosoRoom);
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('sets the summary and says when it comes next, in local time', async () => {
    const { replies } = await bot.say('summary daily 07:30 europe/berlin', USERS.admin, contosoRoom);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Daily summary set');
    expect(text).toContain('Every day at 07:30 Europe/Berlin, this conversation gets a morning summary for Contoso Ltd');
    expect(text).toContain('Next: Sat, 28 Mar 2026, 07:30 CET');
    expect((await bot.app.testing.summarySchedule(CONTOSO_CHANNEL))?.kind).toBe('customer');
  });

  it('posts nothing before 07:30 local time, and the morning card at 07:30 CET (06:30 UTC)', async () => {
    await jumpTo(clock, '2026-03-28T06:29:30.000Z');
    expect(morning()).toHaveLength(0);
    await step(clock, 30_000);
    await eventually(() => morning().length === 1, 'the first morning card');
    const card = morning()[0]!;
    const text = cardText(card);
    expect(text).toContain('Morning summary — Contoso Ltd');
    expect(text).toContain('the last 24 hours');
    expect(text).toMatch(/Still open: \d+ high and medium alerts?, oldest first|No high or medium alert is open/);
    expect(text).not.toContain('Sent late');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('lists the open high and medium alerts oldest first, each opening its card', () => {
    const rows = (morning()[0]!.body as { selectAction?: { verb: string; data: { alertId: string } } }[]).filter((b) => b.selectAction);
    const open = bot.graph.alerts(bot.app.services.tenants.find('contoso')!.tenantId).filter((a) => (a.status === 'new' || a.status === 'inProgress') && (a.severity === 'high' || a.severity === 'medium'));
    const oldestFirst = [...open].sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime) || a.id.localeCompare(b.id)).slice(0, 15).map((a) => a.id);
    expect(oldestFirst.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.selectAction!.data.alertId)).toEqual(oldestFirst);
    expect(rows.every((r) => r.selectAction!.verb === 'alert.open')).toBe(true);
  });

  it('sends it once that day, then the next day at 07:30 CEST (05:30 UTC)', async () => {
    await step(clock, 30_000);
    await jumpTo(clock, '2026-03-29T05:29:30.000Z');
    expect(morning()).toHaveLength(1);
    await step(clock, 30_000);
    await eventually(() => morning().length === 2, 'the second morning card');
    expect((await bot.app.testing.summarySchedule(CONTOSO_CHANNEL))?.lastRunDay).toBe('2026-03-29');
  });

  it('sends a run missed while SOC Bridge was down once, marked late, and the next on time', async () => {
    await bot.app.stop();
    await clock.advance(Date.parse('2026-03-30T09:00:00.000Z') - clock.nowMs());
    await bot.restart();
    await eventually(() => morning().length === 3, 'the late morning card');
    await eventually(() => clock.hasSleeperUntil(clock.nowMs() + SUMMARY_TICK_MS), 'the first look after the restart to end');
    expect(cardText(morning()[2]!)).toContain('Sent late: SOC Bridge was not running at 07:30 Europe/Berlin');
    // Neither another look nor another restart sends that day again.
    await step(clock, 30_000);
    await bot.restart();
    await eventually(() => clock.hasSleeperUntil(clock.nowMs() + SUMMARY_TICK_MS), 'the first look after the restart to end');
    expect(morning()).toHaveLength(3);
    await jumpTo(clock, '2026-03-31T05:29:30.000Z');
    expect(morning()).toHaveLength(3);
    await step(clock, 30_000);
    await eventually(() => morning().length === 4, 'the next morning card');
    expect(cardText(morning()[3]!)).not.toContain('Sent late');
  });

  it('stops with "summary off"', async () => {
    const { replies } = await bot.say('summary off', USERS.admin, contosoRoom);
    expect(cardText(cardIn(replies[0]!))).toContain('Daily summary stopped');
    expect(await bot.app.testing.summarySchedule(CONTOSO_CHANNEL)).toBeUndefined();
  });
});

describe('the shift hand-over in the SOC channel (America/New_York)', () => {
  let bot: BotHarness;
  // Saturday 2026-03-07, 07:00 in New York (EST, UTC-5).
  const clock = new ManualClock(Date.parse('2026-03-07T12:00:00.000Z'));

  beforeAll(async () => {
    bot = await BotHarness.start({ clock });
    await bot.say('soc-channel', USERS.admin, socRoom);
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('posts the hand-over across customers at 08:00 local time', async () => {
    const { replies } = await bot.say('summary daily 8:00 America/New_York', USERS.admin, socRoom);
    expect(cardText(cardIn(replies[0]!))).toContain('the shift hand-over for every connected customer');
    await jumpTo(clock, '2026-03-07T12:59:30.000Z');
    expect(cardsIn(bot, SOC_CHANNEL, 'Shift hand-over')).toHaveLength(0);
    await step(clock, 30_000);
    await eventually(() => cardsIn(bot, SOC_CHANNEL, 'Shift hand-over').length === 1, 'the hand-over');
    const card = cardsIn(bot, SOC_CHANNEL, 'Shift hand-over')[0]!;
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd');
    expect(text).toContain('Fabrikam Inc');
    expect(text).toContain('Open alerts by customer');
    expect(text).toMatch(/Unowned high-severity alerts: \d+|No high-severity alert is unowned/);
    expect(text).toContain('Oldest open alerts');
    expect(text).toContain('Northwind Traders: waiting for the customer admin\'s consent');
    expect(adaptiveCardProblems(card)).toEqual([]);
  });

  it('follows the switch to summer time: 08:00 EDT is 12:00 UTC', async () => {
    await jumpTo(clock, '2026-03-08T11:59:30.000Z');
    expect(cardsIn(bot, SOC_CHANNEL, 'Shift hand-over')).toHaveLength(1);
    await step(clock, 30_000);
    await eventually(() => cardsIn(bot, SOC_CHANNEL, 'Shift hand-over').length === 2, 'the second hand-over');
  });
});

describe('summary: where it may go, and bad input', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start();
    await bot.say('link contoso', USERS.admin, contosoRoom);
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it.each([
    ['summary daily 07:30 Europe/Berlin fabrikam', contosoRoom, 'Fabrikam Inc is not linked to this conversation, so its summary cannot come here'],
    ['summary daily 07:30', { kind: 'channel', channelId: '19:elsewhere@thread.tacv2', channelName: 'Elsewhere' } as Place, 'This conversation is not linked to any customer and is not the SOC channel'],
    ['summary daily 07:30', { kind: 'personal' } as Place, 'Daily summaries go to a channel'],
    ['summary daily 7.30', contosoRoom, '"7.30" is not a time of day. Use 24-hour HH:MM'],
    ['summary daily 24:00', contosoRoom, '"24:00" is not a time of day'],
    ['summary daily 07:30 Europe/Berlinn', contosoRoom, '"Europe/Berlinn" is not a time zone. Give an IANA name such as Europe/Berlin, America/New_York or UTC (did you mean Europe/Berlin?)'],
    ['summary weekly 07:30', contosoRoom, '"weekly" is not a schedule'],
    ['summary', contosoRoom, 'Say when, or "off"'],
    ['summary off now', contosoRoom, '"summary off" takes nothing after it'],
  ])('answers "%s" with what is wrong', async (input, place, expected) => {
    const text = cardText(cardIn((await bot.say(input, USERS.admin, place)).replies[0]!));
    expect(text).toContain(expected);
  });

  it('is for admins only', async () => {
    const text = cardText(cardIn((await bot.say('summary daily 07:30', USERS.analyst, contosoRoom)).replies[0]!));
    expect(text).toContain('You can\'t use "summary"');
    expect(await bot.app.testing.summarySchedule(CONTOSO_CHANNEL)).toBeUndefined();
  });

  it('says so when there is nothing to stop', async () => {
    const text = cardText(cardIn((await bot.say('summary off', USERS.admin, contosoRoom)).replies[0]!));
    expect(text).toContain('This conversation has no daily summary');
  });
});
