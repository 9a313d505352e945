import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { TEAMS_PUBLISHED_LIMITS } from '../../src/emulator/teams-limits.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { contrastProblems } from '../helpers/card-checks.js';

/**
 * Incident-threaded delivery end to end: the real poller against the Graph emulator (alerts and
 * incidents over HTTPS), a rule with `group:incident`, and the Bot Connector emulator recording
 * the incident cards, the replies in their threads (`<channel>;messageid=<root>`) and every edit.
 */

let bot: BotHarness;
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const ROOMS = {
  first: '19:contoso-incidents@thread.tacv2',
  second: '19:contoso-soc@thread.tacv2',
  fabrikam: '19:fabrikam-incidents@thread.tacv2',
} as const;
const CHAT = '19:contoso-leads@thread.v2';
const channel = (channelId: string): Place => ({ kind: 'channel', channelId, channelName: channelId.slice(3, channelId.indexOf('@')), teamName: 'SOC' });
const chat: Place = { kind: 'groupChat', conversationId: CHAT, title: 'Contoso leads' };

beforeAll(async () => {
  bot = await BotHarness.start({ env: { POLL_INTERVAL: '250ms', POLL_OVERLAP: '10s', STORM_THRESHOLD: '0' }, connectorLimits: TEAMS_PUBLISHED_LIMITS, deliveryTuning: { editDelayMs: 150 } });
  for (const room of Object.values(ROOMS)) await bot.say('whoami', USERS.admin, channel(room));
  await bot.say('whoami', USERS.admin, chat);
  await bot.say('link contoso', USERS.admin, channel(ROOMS.first));
  await bot.say('link contoso', USERS.admin, channel(ROOMS.second));
  await bot.say('link contoso', USERS.admin, chat);
  await bot.say('link fabrikam', USERS.admin, channel(ROOMS.fabrikam));
  await bot.say('rule add "Incidents" severity:any to:channels');
  await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
  expect((await bot.app.testing.rules())[0]).toMatchObject({ grouping: 'incident', notify: 'every' });
  // Command replies are not paced by delivery; let Teams' 2-second window forget them.
  await new Promise((resolve) => setTimeout(resolve, 2100));
}, 30_000);

afterAll(async () => {
  await bot?.stop();
});

let sequence = 0;
/** Raises an alert of incident `incidentId` in Contoso's emulated Defender, created and updated now. */
function raise(incidentId: string, severity: string): Alert {
  const now = new Date();
  const tag = `it-${++sequence}`;
  const base = generateNewAlert({ tenantId: CONTOSO_ID, domain: 'contoso.example', orgName: 'Contoso' }, now, tag);
  const iso = now.toISOString();
  return bot.graph.raiseAlert(CONTOSO_ID, { ...base, id: tag, severity, status: 'new', assignedTo: null, incidentId, incidentWebUrl: null, createdDateTime: iso, lastUpdateDateTime: iso });
}

function cardOf(message: PostedMessage): Record<string, unknown> {
  return cardIn(message.activity);
}

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

/** The incident cards posted at the root of a conversation for an incident. */
function incidentCards(conversationId: string, incidentId: string): PostedMessage[] {
  return bot.connector.messagesIn(conversationId).filter((m) => factOf(cardOf(m), 'Incident id') === incidentId || cardText(cardOf(m)).includes(`incident #${incidentId} ·`));
}

/** The alert ids replied in the thread a root message started. */
function repliesIn(conversationId: string, rootId: string): string[] {
  return bot.connector.messagesIn(`${conversationId};messageid=${rootId}`).map((m) => factOf(cardOf(m), 'Alert id') ?? '?');
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const INCIDENT = '7700001';

describe('an incident whose alerts arrive over several polls', () => {
  let roots: Record<'first' | 'second' | 'chat', PostedMessage>;
  const alerts: Alert[] = [];

  it('posts one incident card in each linked conversation for its first alert, and none elsewhere', async () => {
    alerts.push(raise(INCIDENT, 'medium'));
    await until(() => incidentCards(ROOMS.first, INCIDENT).length === 1 && incidentCards(ROOMS.second, INCIDENT).length === 1 && incidentCards(CHAT, INCIDENT).length === 1, 'the incident cards');
    roots = { first: incidentCards(ROOMS.first, INCIDENT)[0]!, second: incidentCards(ROOMS.second, INCIDENT)[0]!, chat: incidentCards(CHAT, INCIDENT)[0]! };
    for (const root of Object.values(roots)) {
      const card = cardOf(root);
      expect(adaptiveCardProblems(card)).toEqual([]);
      expect(contrastProblems(card)).toEqual([]);
      expect(factOf(card, 'Alerts')).toBe('1 (1 medium)');
    }
    expect(cardText(cardOf(roots.first))).toContain('arrive as replies in this thread');
    expect(cardText(cardOf(roots.chat))).toContain('are added to this card');
    expect(bot.connector.messagesIn(ROOMS.fabrikam)).toHaveLength(0);
  });

  it('sends each later alert as a reply in each channel’s thread, edits the chat’s card, and counts right after each', async () => {
    for (const [n, severity] of [[2, 'high'], [3, 'low']] as const) {
      alerts.push(raise(INCIDENT, severity));
      const expected = n === 2 ? '2 (1 high, 1 medium)' : '3 (1 high, 1 medium, 1 low)';
      await until(
        () => repliesIn(ROOMS.first, roots.first.id).length === n - 1 && repliesIn(ROOMS.second, roots.second.id).length === n - 1 && [roots.first, roots.second, roots.chat].every((r) => factOf(cardOf(bot.connector.message(r.id)!), 'Alerts') === expected),
        `alert ${n} in the threads and on the cards`,
      );
    }
    for (const room of [ROOMS.first, ROOMS.second]) {
      expect(repliesIn(room, room === ROOMS.first ? roots.first.id : roots.second.id)).toEqual(alerts.slice(1).map((a) => a.id));
      expect(incidentCards(room, INCIDENT)).toHaveLength(1);
    }
    // No thread in a chat: its one card lists the alerts.
    expect(incidentCards(CHAT, INCIDENT)).toHaveLength(1);
    expect(bot.connector.messagesIn(CHAT).filter((m) => factOf(cardOf(m), 'Alert id') !== undefined)).toHaveLength(0);
    expect(bot.connector.messagesIn(`${CHAT};messageid=${roots.chat.id}`)).toHaveLength(0);
    const listed = cardText(cardOf(bot.connector.message(roots.chat.id)!));
    for (const alert of alerts) expect(listed).toContain(alert.title.slice(0, 40));
    expect(bot.connector.messagesIn(ROOMS.fabrikam)).toHaveLength(0);
  });

  it('lands an assignment made from one copy in Defender and edits every copy', async () => {
    const version = bot.graph.incidents(CONTOSO_ID).find((i) => i.id === INCIDENT)!.lastUpdateDateTime;
    const { status } = await bot.invoke('incident.assign', { verb: 'incident.assign', tenantId: CONTOSO_ID, incidentId: INCIDENT, version }, USERS.analyst, channel(ROOMS.first), roots.first.id);
    expect(status).toBe(200);
    expect(bot.graph.incidents(CONTOSO_ID).find((i) => i.id === INCIDENT)!.assignedTo).toBe(USERS.analyst.email);
    await until(() => [roots.second, roots.chat].every((r) => factOf(cardOf(bot.connector.message(r.id)!), 'Assigned to') === USERS.analyst.email), 'every copy to show the owner');
    // The copy clicked keeps the action's answer, who did it included: delivery does not redraw it.
    const clicked = bot.connector.message(roots.first.id)!;
    const updates = clicked.updates;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(bot.connector.message(roots.first.id)!.updates).toBe(updates);
    expect(cardText(cardOf(bot.connector.message(roots.first.id)!))).toContain(`Assigned by ${USERS.analyst.name}`);
    expect(factOf(cardOf(bot.connector.message(roots.first.id)!), 'Assigned to')).toBe(USERS.analyst.email);
  });

  it('shows a merge on the merged incident’s cards, with where it went', async () => {
    const other = raise('7700002', 'high');
    await until(() => incidentCards(ROOMS.first, '7700002').length === 1, 'the other incident’s card');
    bot.graph.mergeIncidents(CONTOSO_ID, INCIDENT, '7700002');
    await until(() => [roots.first, roots.second, roots.chat].every((r) => factOf(cardOf(bot.connector.message(r.id)!), 'Status') === 'Merged'), 'the merged cards');
    const text = cardText(cardOf(bot.connector.message(roots.first.id)!));
    expect(text).toContain('merged this incident into incident 7700002');
    expect(JSON.stringify(cardOf(bot.connector.message(roots.first.id)!))).toContain('"incidentId":"7700002"');
    expect(other.incidentId).toBe('7700002');
  });
});

describe('a change made only to the incident in the Defender portal', () => {
  it('reaches every copy of its card at the next poll, with one incidents listing per poll and no alert changed', async () => {
    const incidentId = '7700020';
    const first = raise(incidentId, 'medium');
    await until(() => [ROOMS.first, ROOMS.second, CHAT].every((room) => incidentCards(room, incidentId).length === 1), 'the incident cards');
    const cards = [ROOMS.first, ROOMS.second, CHAT].map((room) => incidentCards(room, incidentId)[0]!);
    const alertVersion = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === first.id)?.lastUpdateDateTime;
    bot.graph.mutateIncident(CONTOSO_ID, incidentId, { status: 'inProgress', classification: 'truePositive', determination: 'malware', customTags: ['ransomware'] });
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === first.id)?.lastUpdateDateTime).toBe(alertVersion);
    const listedFrom = bot.graph.requests(CONTOSO_ID).length;
    await until(() => cards.every((c) => factOf(cardOf(bot.connector.message(c.id)!), 'Status') === 'In progress'), 'every copy to show the new status');
    for (const card of cards) {
      const shown = cardOf(bot.connector.message(card.id)!);
      expect(factOf(shown, 'Classification')).toBe('True positive — Malware');
      expect(factOf(shown, 'Tags')).toContain('ransomware');
      expect(adaptiveCardProblems(shown)).toEqual([]);
    }
    const listings = bot.graph.requests(CONTOSO_ID).slice(listedFrom).filter((r) => r.method === 'GET' && /\/security\/incidents\?/.test(r.url));
    expect(listings.length).toBeGreaterThan(0);
    for (const listing of listings) expect(decodeURIComponent(listing.url)).toMatch(/\$filter=lastUpdateDateTime ge \d{4}-.*&\$top=50&\$expand=alerts/);
    // Nothing was posted for it: only the cards were edited.
    expect(incidentCards(ROOMS.first, incidentId)).toHaveLength(1);
  });
});

describe('an incident card deleted in Teams', () => {
  it('starts the thread afresh with a new incident card when the next alert’s reply finds no thread, and keeps the link healthy', async () => {
    const incidentId = '7700030';
    const raised = [raise(incidentId, 'medium')];
    await until(() => incidentCards(ROOMS.first, incidentId).length === 1 && incidentCards(ROOMS.second, incidentId).length === 1, 'the incident cards');
    const deleted = incidentCards(ROOMS.first, incidentId)[0]!;
    const kept = incidentCards(ROOMS.second, incidentId)[0]!;
    bot.connector.deleteMessage(deleted.id);
    raised.push(raise(incidentId, 'high'));
    await until(() => incidentCards(ROOMS.first, incidentId).filter((m) => !m.deleted).length === 1 && repliesIn(ROOMS.second, kept.id).length === 1, 'the new incident card and the other channel’s reply');
    const fresh = incidentCards(ROOMS.first, incidentId).find((m) => !m.deleted)!;
    expect(fresh.id).not.toBe(deleted.id);
    await until(() => factOf(cardOf(bot.connector.message(fresh.id)!), 'Alerts') === '2 (1 high, 1 medium)', 'the new card to show both alerts');
    // Teams refused the reply under the deleted card, and nothing else went there.
    const refused = bot.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === `${ROOMS.first};messageid=${deleted.id}`);
    expect(refused.length).toBeGreaterThan(0);
    expect(repliesIn(ROOMS.first, deleted.id)).toEqual([]);
    const [link] = await bot.app.testing.channelLinks({ conversationId: ROOMS.first });
    expect(link).toMatchObject({ health: 'active', reason: undefined });
    // The thread is recorded: the next alert replies under the new card.
    raised.push(raise(incidentId, 'low'));
    await until(() => repliesIn(ROOMS.first, fresh.id).length === 1, 'the next alert in the new thread');
    expect(repliesIn(ROOMS.first, fresh.id)).toEqual([raised[2]!.id]);
    expect(incidentCards(ROOMS.first, incidentId).filter((m) => !m.deleted)).toHaveLength(1);
  });
});

describe('a restart in the middle of an incident', () => {
  it('loses and repeats nothing: one card per conversation, every later alert once in each thread', async () => {
    const incidentId = '7700010';
    const raised = [raise(incidentId, 'high')];
    await until(() => incidentCards(ROOMS.first, incidentId).length === 1 && incidentCards(ROOMS.second, incidentId).length === 1, 'the incident cards');
    for (let i = 0; i < 4; i++) raised.push(raise(incidentId, 'medium'));
    const root = incidentCards(ROOMS.first, incidentId)[0]!;
    await until(() => repliesIn(ROOMS.first, root.id).length >= 1, 'the replies to be under way');
    await bot.restart();
    for (let i = 0; i < 3; i++) raised.push(raise(incidentId, 'low'));
    const later = raised.slice(1).map((a) => a.id).sort();
    await until(() => repliesIn(ROOMS.first, root.id).length === later.length && repliesIn(ROOMS.second, incidentCards(ROOMS.second, incidentId)[0]!.id).length === later.length, 'every reply', 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const room of [ROOMS.first, ROOMS.second]) {
      const cards = incidentCards(room, incidentId);
      expect(cards).toHaveLength(1);
      expect(repliesIn(room, cards[0]!.id).sort()).toEqual(later);
      expect(factOf(cardOf(bot.connector.message(cards[0]!.id)!), 'Alerts')).toBe('8 (1 high, 4 medium, 3 low)');
    }
    expect(incidentCards(CHAT, incidentId)).toHaveLength(1);
  }, 45_000);
});
