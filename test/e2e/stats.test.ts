import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { utf16Bytes } from '../../src/cards/fit.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText } from '../helpers/harness.js';
import { ManualClock } from '../helpers/manual-clock.js';

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;
const MINUTE = 60_000;

/** A Graph alert of the fixture: only what stats reads varies. */
function fixtureAlert(tenantId: string, id: string, fields: { created: string; severity: string; status: string; assignedTo?: string; resolved?: string; source: string; category: string; device?: string }): Alert {
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id,
    tenantId,
    title: `Fixture alert ${id}`,
    severity: fields.severity,
    status: fields.status,
    serviceSource: fields.source,
    category: fields.category,
    assignedTo: fields.assignedTo ?? null,
    createdDateTime: fields.created,
    lastUpdateDateTime: fields.resolved ?? fields.created,
    resolvedDateTime: fields.resolved ?? null,
    mitreTechniques: [],
    comments: [],
    systemTags: [],
    evidence: fields.device ? [{ '@odata.type': '#microsoft.graph.security.deviceEvidence', deviceDnsName: fields.device, mdeDeviceId: `mde-${fields.device}` }] : [],
  } as Alert;
}

/**
 * Contoso's alerts, all created in the 7 days before 2026-11-26 11:00 UTC (the time `stats` is
 * asked), plus one older. c1–c3 are acknowledged in Teams by the test; c4–c6 were acknowledged in
 * the portal; c7 is untouched.
 */
const CONTOSO_ALERTS = [
  fixtureAlert(CONTOSO_ID, 'c1', { created: '2026-11-26T08:00:00.000Z', severity: 'high', status: 'new', source: 'microsoftDefenderForEndpoint', category: 'Ransomware', device: 'fin-pc-01' }),
  fixtureAlert(CONTOSO_ID, 'c2', { created: '2026-11-26T08:50:00.000Z', severity: 'high', status: 'new', source: 'microsoftDefenderForEndpoint', category: 'Ransomware', device: 'fin-pc-01' }),
  fixtureAlert(CONTOSO_ID, 'c3', { created: '2026-11-25T10:00:00.000Z', severity: 'medium', status: 'new', source: 'microsoftDefenderForIdentity', category: 'CredentialAccess' }),
  fixtureAlert(CONTOSO_ID, 'c4', { created: '2026-11-24T12:00:00.000Z', severity: 'medium', status: 'resolved', assignedTo: 'bob@contoso.example', resolved: '2026-11-24T14:00:00.000Z', source: 'microsoftDefenderForEndpoint', category: 'Execution', device: 'srv-db-02' }),
  fixtureAlert(CONTOSO_ID, 'c5', { created: '2026-11-23T06:00:00.000Z', severity: 'low', status: 'inProgress', assignedTo: 'bob@contoso.example', source: 'microsoftDefenderForOffice365', category: 'InitialAccess' }),
  fixtureAlert(CONTOSO_ID, 'c6', { created: '2026-11-22T00:30:00.000Z', severity: 'informational', status: 'resolved', resolved: '2026-11-22T00:40:00.000Z', source: 'microsoftDefenderForEndpoint', category: 'Execution', device: 'srv-db-02' }),
  fixtureAlert(CONTOSO_ID, 'c7', { created: '2026-11-20T15:00:00.000Z', severity: 'high', status: 'new', source: 'microsoftDefenderForEndpoint', category: 'Ransomware', device: 'fin-pc-01' }),
  fixtureAlert(CONTOSO_ID, 'c8', { created: '2026-11-10T15:00:00.000Z', severity: 'high', status: 'new', source: 'microsoftDefenderForEndpoint', category: 'Ransomware', device: 'old-pc' }),
];
const FABRIKAM_ALERTS = [
  fixtureAlert(FABRIKAM_ID, 'f1', { created: '2026-11-25T09:00:00.000Z', severity: 'high', status: 'resolved', assignedTo: 'eve@fabrikam.example', resolved: '2026-11-25T12:00:00.000Z', source: 'microsoftDefenderForEndpoint', category: 'Ransomware', device: 'fab-ws-7' }),
  fixtureAlert(FABRIKAM_ID, 'f2', { created: '2026-11-26T06:00:00.000Z', severity: 'low', status: 'new', source: 'microsoftDefenderForCloudApps', category: 'Exfiltration' }),
];

/** Every fact on the card (FactSets, chart fallbacks included), title → value; a title seen twice keeps both, joined by " | ". */
function factsOf(card: unknown): Map<string, string> {
  const facts = new Map<string, string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, unknown>;
      if (element.type === 'FactSet') {
        for (const fact of element.facts as { title: string; value: string }[]) facts.set(fact.title, facts.has(fact.title) ? `${facts.get(fact.title)} | ${fact.value}` : fact.value);
      }
      Object.values(element).forEach(walk);
    }
  };
  walk(card);
  return facts;
}

/** The elements of `type` on the card. */
function elementsOf(card: unknown, type: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, unknown>;
      if (element.type === type) found.push(element);
      Object.values(element).forEach(walk);
    }
  };
  walk(card);
  return found;
}

/** The per-customer table's rows (header left out), as lists of cell texts. */
function tableRows(card: unknown): string[][] {
  const [table] = elementsOf(card, 'Table');
  if (!table) return [];
  const rows = table.rows as { cells: { items: { text: string }[] }[] }[];
  return rows.slice(1).map((r) => r.cells.map((c) => c.items.map((i) => i.text).join(' ')));
}

/** The analyst opens the alert's card and clicks `verb` on it; the card's message is edited in place. */
async function clickOnAlert(bot: BotHarness, alertId: string, verb: string, data: Record<string, unknown> = {}): Promise<number> {
  await bot.say(`alert contoso ${alertId}`, USERS.analyst);
  const messages = bot.connector.messagesIn('a:personal-chat');
  const messageId = messages[messages.length - 1]?.id;
  if (!messageId) throw new Error('no alert card was posted');
  const { status } = await bot.invoke(verb, { tenantId: CONTOSO_ID, alertId, ...data }, USERS.analyst, { kind: 'personal' }, messageId);
  return status;
}

describe('stats, against a hand-computed fixture', () => {
  let bot: BotHarness;
  const clock = new ManualClock(Date.parse('2026-11-26T09:00:00.000Z'));
  let contosoCard: Record<string, unknown>;
  let allCard: Record<string, unknown>;

  beforeAll(async () => {
    bot = await BotHarness.start({ clock, actionDeadlineMs: 10_000 });
    for (const [tenantId, alerts] of [[CONTOSO_ID, CONTOSO_ALERTS], [FABRIKAM_ID, FABRIKAM_ALERTS]] as const) {
      bot.graph.removeAlerts(tenantId, bot.graph.alerts(tenantId).map((a) => a.id));
      bot.graph.seedAlerts(tenantId, alerts);
    }
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso`);
    // Acknowledged in Teams: c1 assigned at 09:30, c2 in progress at 10:00, c3 resolved at 10:30.
    await clock.advance(30 * MINUTE);
    expect(await clickOnAlert(bot, 'c1', 'alert.assign')).toBe(200);
    // A refused change (the card was stale) acknowledges nothing: c7 stays unacknowledged.
    expect(await clickOnAlert(bot, 'c7', 'alert.assign', { version: '2020-01-01T00:00:00Z' })).toBe(200);
    await clock.advance(30 * MINUTE);
    expect(await clickOnAlert(bot, 'c2', 'alert.status', { status: 'inProgress' })).toBe(200);
    await clock.advance(30 * MINUTE);
    expect(await clickOnAlert(bot, 'c3', 'alert.status', { status: 'resolved' })).toBe(200);
    await clock.advance(30 * MINUTE);
    contosoCard = cardIn((await bot.say('stats contoso', USERS.viewer)).replies[0]!);
    allCard = cardIn((await bot.say('stats all since:7d', USERS.viewer)).replies[0]!);
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('counts one customer\'s alerts of the period by severity, state, source, category and device', () => {
    expect(elementsOf(contosoCard, 'Chart.Donut')[0]?.data).toEqual([
      { legend: 'High', value: 3, color: 'attention' }, { legend: 'Medium', value: 2, color: 'warning' }, { legend: 'Low', value: 1, color: 'categoricalLightBlue' }, { legend: 'Info', value: 1, color: 'neutral' },
    ]);
    expect(elementsOf(contosoCard, 'Chart.Pie')[0]?.data).toEqual([{ legend: 'New', value: 2, color: 'categoricalBlue' }, { legend: 'In progress', value: 2, color: 'categoricalPurple' }, { legend: 'Resolved', value: 3, color: 'good' }]);
    const [sources, categories, devices] = elementsOf(contosoCard, 'Chart.HorizontalBar');
    expect(sources?.data).toEqual([
      { x: 'Microsoft Defender for Endpoint', y: 5 }, { x: 'Microsoft Defender for Identity', y: 1 }, { x: 'Microsoft Defender for Office 365', y: 1 },
    ]);
    expect(categories?.data).toEqual([{ x: 'Ransomware', y: 3 }, { x: 'Execution', y: 2 }, { x: 'CredentialAccess', y: 1 }, { x: 'InitialAccess', y: 1 }]);
    expect(devices?.data).toEqual([{ x: 'fin-pc-01', y: 3 }, { x: 'srv-db-02', y: 2 }]);
    expect(cardText(contosoCard)).toContain('7 alerts by severity');
    expect(cardText(contosoCard)).toContain('Open and resolved: 4 open, 3 resolved');
    expect(cardText(contosoCard)).not.toContain('old-pc');
  });

  it('stacks the alerts by UTC day and severity, with a bar for every day of the period', () => {
    const [trend] = elementsOf(contosoCard, 'Chart.VerticalBar.Grouped');
    expect(trend?.stacked).toBe(true);
    const days = ['11-19', '11-20', '11-21', '11-22', '11-23', '11-24', '11-25', '11-26'];
    const series = trend?.data as { legend: string; values: { x: string; y: number }[] }[];
    expect(series.map((s) => s.legend)).toEqual(['High', 'Medium', 'Low', 'Info']);
    // Each severity keeps its colour from the donut above.
    expect((trend?.data as { color: string }[]).map((s) => s.color)).toEqual(['attention', 'warning', 'categoricalLightBlue', 'neutral']);
    expect(series.find((s) => s.legend === 'High')?.values).toEqual(days.map((x) => ({ x, y: x === '11-20' ? 1 : x === '11-26' ? 2 : 0 })));
    expect(series.find((s) => s.legend === 'Medium')?.values.filter((v) => v.y > 0)).toEqual([{ x: '11-24', y: 1 }, { x: '11-25', y: 1 }]);
    const facts = factsOf(contosoCard);
    expect(facts.get('11-26')).toBe('2 High');
    expect(facts.get('11-21')).toBe('none');
  });

  it('measures MTTA from the Teams actions in the audit trail and MTTR from Graph, as median and p90', () => {
    const facts = factsOf(contosoCard);
    // Acknowledged in Teams after 1 h 10 min (c2), 1 h 30 min (c1) and 24 h 30 min (c3).
    expect(facts.get('MTTA median / p90')).toBe('1 h 30 min / 1 d 0 h');
    expect(facts.get('MTTA measured on')).toBe('3 acknowledged in Teams; 3 acknowledged elsewhere (Graph keeps no time for it); 1 not acknowledged yet');
    // Resolved after 10 min (c6), 2 h (c4) and 24 h 30 min (c3, resolved from Teams).
    expect(facts.get('MTTR median / p90')).toBe('2 h 00 min / 1 d 0 h');
    expect(facts.get('MTTR measured on')).toBe('3 resolved alerts');
    const text = cardText(contosoCard);
    expect(text).toContain('MTTA (time to acknowledge): from the alert\'s creation in Defender (createdDateTime) to its first acknowledgement in Teams');
    expect(text).toContain('MTTR (time to resolve): from creation to Defender\'s resolvedDateTime');
    expect(text).toContain('MTTA: SOC Bridge\'s audit trail');
    expect(text).toContain('Microsoft Graph, the customers\' alerts');
  });

  it('adds up every customer for "all", with a row per customer', () => {
    const facts = factsOf(allCard);
    expect(elementsOf(allCard, 'Chart.Donut')[0]?.data).toEqual([
      { legend: 'High', value: 4, color: 'attention' }, { legend: 'Medium', value: 2, color: 'warning' }, { legend: 'Low', value: 2, color: 'categoricalLightBlue' }, { legend: 'Info', value: 1, color: 'neutral' },
    ]);
    // 10 min, 2 h, 3 h (f1), 24 h 30 min.
    expect(facts.get('MTTR median / p90')).toBe('2 h 00 min / 1 d 0 h');
    expect(facts.get('MTTA median / p90')).toBe('1 h 30 min / 1 d 0 h');
    expect(tableRows(allCard)).toEqual([
      ['Contoso Ltd', '7', '4', '1 h 30 min / 1 d 0 h', '2 h 00 min / 1 d 0 h'],
      ['Fabrikam Inc', '2', '1', '—', '3 h 00 min / 3 h 00 min'],
    ]);
  });

  it('sends valid Adaptive Cards 1.5 whose every chart has a fallback, well under the message limit', () => {
    for (const card of [contosoCard, allCard]) {
      expect(card.version).toBe('1.5');
      expect(adaptiveCardProblems(card)).toEqual([]);
      const charts = ['Chart.Donut', 'Chart.Pie', 'Chart.HorizontalBar', 'Chart.VerticalBar.Grouped'].flatMap((t) => elementsOf(card, t));
      expect(charts.length).toBeGreaterThanOrEqual(5);
      for (const chart of charts) expect((chart.fallback as { type: string }).type).toBe('FactSet');
      expect(utf16Bytes(card)).toBeLessThan(100 * 1024);
    }
  });

  it('colours every chart by name from Teams\' chart palette, never a fixed colour, legends shown', () => {
    // Chart text (axis labels, legends, values) is drawn by Teams in its theme's text colour: the
    // card can only choose palette names, which the host shades for light, dark and high contrast.
    const palette = ['attention', 'warning', 'good', 'neutral', 'categoricalBlue', 'categoricalLightBlue', 'categoricalPurple', 'divergingGray'];
    for (const card of [contosoCard, allCard]) {
      const charts = ['Chart.Donut', 'Chart.Pie', 'Chart.HorizontalBar', 'Chart.VerticalBar.Grouped'].flatMap((t) => elementsOf(card, t));
      for (const chart of charts) {
        const colors = [chart.color, ...(chart.data as { color?: unknown }[]).map((d) => d.color)].filter((c) => c !== undefined);
        expect(colors.length).toBeGreaterThan(0);
        for (const color of colors) expect(palette).toContain(color);
        if (chart.type !== 'Chart.HorizontalBar') expect(chart.showLegend).toBe(true);
      }
    }
    expect(elementsOf(contosoCard, 'Chart.HorizontalBar').map((c) => [c.color, c.showBarValues])).toEqual([['categoricalBlue', true], ['categoricalBlue', true], ['categoricalBlue', true]]);
  });

  it('repeats each chart\'s numbers in a line of ordinary text, which reads in any theme', () => {
    // A chart's own legend and axis labels take colours no card can set (dark on dark in some hosts).
    const lines = elementsOf(contosoCard, 'TextBlock').map((t) => t.text);
    expect(lines).toContain('High 3 · Medium 2 · Low 1 · Info 1');
    expect(lines).toContain('Busiest: 11-26 with 2 alerts');
    expect(lines).toContain('New 2 · In progress 2 · Resolved 3');
    expect(lines).toContain('Ransomware 3 · Execution 2 · CredentialAccess 1 · InitialAccess 1');
    expect(lines).toContain('fin-pc-01 3 · srv-db-02 2');
    for (const block of elementsOf(contosoCard, 'TextBlock')) expect(block.color).toBeUndefined();
  });

  it('reads each customer with one Graph request for the period, filtered on createdDateTime', () => {
    const requests = bot.graph.requests(CONTOSO_ID).filter((r) => r.method === 'GET' && r.url.includes('createdDateTime'));
    expect(requests).toHaveLength(2);
    expect(decodeURIComponent(requests[0]!.url)).toContain('createdDateTime ge 2026-11-19T11:00:00.000Z and createdDateTime lt 2026-11-26T11:00:00.000Z');
  });
});

describe('stats over customers that answer slowly', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    bot = await BotHarness.start({ actionDeadlineMs: 1000 });
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('answers at once with "Counting … across N customers", then edits that message into the statistics', async () => {
    const customers = bot.app.services.tenants.connected().length;
    bot.graph.injectFaults(FABRIKAM_ID, [{ delayMs: 4000 }]);
    const started = Date.now();
    const { replies } = await bot.say('stats all since:30d', USERS.admin);
    const answeredInMs = Date.now() - started;
    expect(replies).toHaveLength(1);
    expect(cardText(cardIn(replies[0]!))).toContain(`Counting alerts across ${customers} customers…`);
    expect(answeredInMs).toBeLessThan(3000);
    const [interim] = bot.connector.messagesIn('a:personal-chat').slice(-1);
    await bot.connector.waitFor(() => (bot.connector.message(interim!.id)?.updates ?? 0) > 0, 10_000);
    const card = cardIn(bot.connector.message(interim!.id)!.activity);
    expect(cardText(card)).toContain(`Alert statistics — all customers (${customers})`);
    expect(tableRows(card).map((r) => r[0])).toContain('Fabrikam Inc');
    expect(adaptiveCardProblems(card)).toEqual([]);
    // The answer replaced the interim message: nothing else was posted.
    expect(bot.connector.messagesIn('a:personal-chat').at(-1)?.id).toBe(interim!.id);
  });

  it('answers a quick count directly, without an interim message', async () => {
    const before = bot.connector.messagesIn('a:personal-chat').length;
    const { replies } = await bot.say('stats contoso since:24h', USERS.admin);
    expect(cardText(cardIn(replies[0]!))).toContain('Alert statistics — Contoso Ltd');
    expect(bot.connector.messagesIn('a:personal-chat')).toHaveLength(before + 1);
  });
});

describe('stats: who may ask, and bad input', () => {
  let bot: BotHarness;
  beforeAll(async () => {
    // A slow machine must not turn an answer into the interim message these tests do not look at.
    bot = await BotHarness.start({ actionDeadlineMs: 10_000 });
    await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso`);
  });
  afterAll(async () => {
    await bot?.stop();
  });

  it('lets a customer-admin see only their own tenant, also with "all"', async () => {
    const own = cardIn((await bot.say('stats contoso', USERS.customerAdmin)).replies[0]!);
    expect(cardText(own)).toContain('Alert statistics — Contoso Ltd');
    const all = cardIn((await bot.say('stats all', USERS.customerAdmin)).replies[0]!);
    expect(tableRows(all).map((r) => r[0])).toEqual(['Contoso Ltd']);
    const other = cardText(cardIn((await bot.say('stats fabrikam', USERS.customerAdmin)).replies[0]!));
    expect(other).toContain('There is no customer tenant "fabrikam"');
    expect(other).not.toContain('Fabrikam Inc');
  });

  it('refuses users without a role', async () => {
    const text = cardText(cardIn((await bot.say('stats all', USERS.nobody)).replies[0]!));
    expect(text).toContain('You can\'t use "stats"');
  });

  it.each([
    ['stats', 'Say which customer, or "all"'],
    ['stats contoso since:90d', '"since:90d" is not a period stats reports on. Use since:24h, since:7d or since:30d.'],
    ['stats contoso top:5', '"top:5" is not an option of stats'],
    ['stats since:7d', 'Name the customer (or "all") before the period'],
    ['stats contoso since:7d since:30d', 'at most one period'],
    ['stats northwind', 'Northwind Traders is not connected'],
  ])('answers "%s" with what is wrong', async (input, expected) => {
    const text = cardText(cardIn((await bot.say(input)).replies[0]!));
    expect(text).toContain(expected);
  });
});
