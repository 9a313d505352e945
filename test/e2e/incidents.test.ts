import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EmulatedIncident } from '../../src/emulator/graph-security.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type TestUser } from '../helpers/harness.js';
import { TEST_APP } from '../helpers/entra.js';

let bot: BotHarness;
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;
const ALERT_ROLES = ['SecurityAlert.Read.All', 'SecurityAlert.ReadWrite.All'];

/** A bot of its own for the enclosing block, with an analyst, a viewer and a Contoso customer-admin. */
function freshBot(): void {
  beforeAll(async () => {
    bot = await BotHarness.start({ actionDeadlineMs: 2000 });
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso`);
  });
  afterAll(async () => {
    await bot?.stop();
  });
}

const isOpen = (i: EmulatedIncident) => ['active', 'inProgress', 'awaitingAction'].includes(i.status);
const newestActivityFirst = (a: EmulatedIncident, b: EmulatedIncident) => Date.parse(b.lastUpdateDateTime) - Date.parse(a.lastUpdateDateTime) || a.id.localeCompare(b.id);
const incidentOf = (tenantId: string, id: string) => bot.graph.incidents(tenantId).find((i) => i.id === id)!;

/** The incident ids a list card shows, in order. */
function idsOn(card: Record<string, unknown>): string[] {
  const body = card.body as { selectAction?: { data: { incidentId: string } } }[];
  return body.filter((b) => b.selectAction).map((b) => b.selectAction!.data.incidentId);
}

/** Every Action.Execute of the card (top level, in show-cards and in action sets), by verb. */
function executes(card: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, unknown>;
      if (element.type === 'Action.Execute') found.push(element);
      Object.values(element).forEach(walk);
    }
  };
  walk(card);
  return found;
}

function actionData(card: unknown, verb: string): Record<string, unknown> {
  const found = executes(card).find((a) => a.verb === verb);
  if (!found) throw new Error(`no ${verb} action on the card`);
  return found.data as Record<string, unknown>;
}

/** Types `incident contoso <id>`; returns the message holding the card and the card. */
async function openIncident(id: string, user: TestUser = USERS.analyst, tenant = 'contoso'): Promise<{ messageId: string; card: Record<string, unknown> }> {
  const { replies } = await bot.say(`incident ${tenant} ${id}`, user);
  const messages = bot.connector.messagesIn('a:personal-chat');
  return { messageId: messages[messages.length - 1]!.id, card: cardIn(replies[0]!) };
}

/** Clicks `verb` on the card with extra form values; returns the card it answers with. */
async function click(card: Record<string, unknown>, verb: string, form: Record<string, unknown>, messageId: string, user: TestUser = USERS.analyst): Promise<Record<string, unknown>> {
  const { body } = await bot.invoke(verb, { ...actionData(card, verb), ...form }, user, { kind: 'personal' }, messageId);
  return (body as { value: Record<string, unknown> }).value;
}

describe('incidents', () => {
  freshBot();

  it('lists the open incidents of one customer, newest activity first', async () => {
    const { replies } = await bot.say('incidents contoso top:25', USERS.viewer);
    const expected = bot.graph.incidents(CONTOSO_ID).filter(isOpen).sort(newestActivityFirst).map((i) => i.id).slice(0, 25);
    expect(expected.length).toBeGreaterThan(2);
    expect(idsOn(cardIn(replies[0]!))).toEqual(expected);
  });

  it('pages through every incident with "More", losing and repeating none', async () => {
    const first = await bot.say('incidents contoso status:any top:4', USERS.viewer);
    let card = cardIn(first.replies[0]!);
    const seen = idsOn(card);
    for (let page = 0; page < 50; page++) {
      const more = executes(card).find((a) => a.verb === 'incidents.more');
      if (!more) break;
      const { body } = await bot.invoke('incidents.more', more.data as Record<string, unknown>, USERS.viewer);
      card = (body as { value: Record<string, unknown> }).value;
      seen.push(...idsOn(card));
    }
    expect(seen).toEqual(bot.graph.incidents(CONTOSO_ID).sort(newestActivityFirst).map((i) => i.id));
  });

  it('filters by severity, status and owner', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => isOpen(i) && i.alertIds.length > 0)!;
    bot.graph.mutateIncident(CONTOSO_ID, incident.id, { assignedTo: USERS.analyst.email });
    const mine = await bot.say('incidents contoso assigned:me', USERS.analyst);
    expect(idsOn(cardIn(mine.replies[0]!))).toEqual([incident.id]);
    const unowned = await bot.say('incidents contoso assigned:none status:any top:25', USERS.viewer);
    expect(idsOn(cardIn(unowned.replies[0]!))).toEqual(bot.graph.incidents(CONTOSO_ID).filter((i) => !i.assignedTo).sort(newestActivityFirst).map((i) => i.id).slice(0, 25));
    const high = await bot.say('incidents contoso severity:high status:resolved top:25', USERS.viewer);
    expect(idsOn(cardIn(high.replies[0]!))).toEqual(bot.graph.incidents(CONTOSO_ID).filter((i) => i.severity === 'high' && i.status === 'resolved').sort(newestActivityFirst).map((i) => i.id).slice(0, 25));
  });

  it('"all" merges customers newest activity first, and shows a customer that fails without hiding the others', async () => {
    const { replies } = await bot.say('incidents all top:20', USERS.viewer);
    const merged = [...bot.graph.incidents(CONTOSO_ID), ...bot.graph.incidents(FABRIKAM_ID)].filter(isOpen).sort(newestActivityFirst).slice(0, 20).map((i) => i.id);
    const card = cardIn(replies[0]!);
    expect(idsOn(card)).toEqual(merged);
    expect(cardText(card)).toContain('Fabrikam Inc');
    bot.graph.injectFaults(FABRIKAM_ID, [{ status: 400, code: 'BadRequest', message: 'Nope' }]);
    const degraded = cardIn((await bot.say('incidents all top:25', USERS.viewer)).replies[0]!);
    expect(cardText(degraded)).toContain('Fabrikam Inc: Microsoft Graph rejected the request to list incidents');
    expect(idsOn(degraded)).toEqual(bot.graph.incidents(CONTOSO_ID).filter(isOpen).sort(newestActivityFirst).map((i) => i.id).slice(0, 25));
  });

  it('explains bad arguments precisely', async () => {
    const cases: [string, string][] = [
      ['incidents contoso status:closed', '"closed" is not a incident status. Use one or more of: active, inProgress, awaiting, resolved, merged, any'],
      ['incidents contoso assigned:bob', '"assigned:bob" is not an owner. Use assigned:me, assigned:none or an address'],
      ['incidents contoso source:endpoint', '"source:endpoint" is not an option here'],
      ['incidents all top:50', '"top:50" must be a whole number from 1 to 25'],
      ['incidents severity:high', 'Name the customer (or "all") before the options'],
      ['incident contoso', 'Give the customer and the incident id'],
      ['incident contoso !42', '"!42" is not an incident id'],
      ['incident contoso 99999999', "Contoso Ltd's Defender has no incident 99999999"],
      ['incidents northwind', 'Northwind Traders is not connected'],
    ];
    for (const [text, expected] of cases) {
      const { replies } = await bot.say(text, USERS.viewer);
      expect(cardText(cardIn(replies[0]!))).toContain(expected);
    }
  });

  it('is refused to a customer-admin', async () => {
    const { replies } = await bot.say('incidents contoso', USERS.customerAdmin);
    expect(cardText(cardIn(replies[0]!))).toContain('Not allowed');
  });
});

describe('an incident card', () => {
  freshBot();

  it('shows severity, status, owner, alerts by severity, devices, users, activity, and a portal link with the tenant id', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => i.alertIds.length > 1 && i.status !== 'redirected')!;
    const alerts = bot.graph.alerts(CONTOSO_ID).filter((a) => a.incidentId === incident.id);
    const { card } = await openIncident(incident.id, USERS.viewer);
    const text = cardText(card);
    expect(text).toContain(String(incident.displayName));
    expect(text).toContain(`incident #${incident.id} · Contoso Ltd (contoso)`);
    expect(text).toMatch(new RegExp(`Alerts\\s+${alerts.length} \\(`));
    for (const alert of alerts) expect(text).toContain(alert.title);
    const device = alerts.flatMap((a) => a.evidence).find((e) => e['@odata.type'].endsWith('deviceEvidence')) as { deviceDnsName?: string } | undefined;
    if (device?.deviceDnsName) expect(text).toContain(device.deviceDnsName);
    expect(JSON.stringify(card)).toContain(`https://security.microsoft.com/incidents/${incident.id}?tid=${CONTOSO_ID}`);
    // The card is the same for everyone who sees it (in a channel too); a click is checked against the clicker's role.
    expect(executes(card).map((a) => a.verb)).toEqual(expect.arrayContaining(['incident.assign', 'incident.status', 'incident.classify', 'incident.comment', 'incident.tags', 'incident.refresh']));
  });

  it('opens an alert card from an alert row', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => i.alertIds.length > 0)!;
    const { card } = await openIncident(incident.id, USERS.viewer);
    const row = executes(card).find((a) => a.verb === 'alert.open')!;
    expect(row.data).toMatchObject({ tenantId: CONTOSO_ID, alertId: incident.alertIds[0] });
    const before = bot.connector.messagesIn('a:personal-chat').length;
    await bot.invoke('alert.open', row.data as Record<string, unknown>, USERS.viewer);
    const posted = bot.connector.messagesIn('a:personal-chat').slice(before);
    const alert = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === incident.alertIds[0])!;
    expect(cardText(cardIn(posted[0]!.activity))).toContain(alert.title);
  });

  it('assigns to the analyst who clicked, for everyone, with the incident\'s alerts, and audits it', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => isOpen(i) && !i.assignedTo && i.alertIds.length > 0)!;
    const { messageId, card } = await openIncident(incident.id);
    const answer = await click(card, 'incident.assign', {}, messageId);
    expect(cardText(answer)).toContain(`Assigned by ${USERS.analyst.name}`);
    expect(incidentOf(CONTOSO_ID, incident.id).assignedTo).toBe(USERS.analyst.email);
    expect(bot.graph.alerts(CONTOSO_ID).filter((a) => a.incidentId === incident.id).every((a) => a.assignedTo === USERS.analyst.email)).toBe(true);
    expect(bot.connector.message(messageId)?.updates).toBe(1);
    const [entry] = await bot.app.testing.auditTrail({ tenant: 'contoso' });
    expect(entry).toMatchObject({ subject: 'incident', alertId: incident.id, actorId: USERS.analyst.aadObjectId, action: 'assign', outcome: 'done', before: { assignedTo: null }, after: { assignedTo: USERS.analyst.email } });
    const audit = await bot.say('audit contoso', USERS.admin);
    expect(cardText(cardIn(audit.replies[0]!))).toContain(`Incident "${incident.displayName}"`);
  });

  it('resolves, classifies, comments in the analyst\'s name and sets tags', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => isOpen(i) && !i.assignedTo && i.alertIds.length > 0)!;
    const { messageId, card: opened } = await openIncident(incident.id);
    let card = await click(opened, 'incident.status', { status: 'resolved' }, messageId);
    expect(cardText(card)).toContain('Status set to Resolved');
    expect(incidentOf(CONTOSO_ID, incident.id)).toMatchObject({ status: 'resolved', assignedTo: USERS.analyst.email });
    expect(bot.graph.alerts(CONTOSO_ID).filter((a) => a.incidentId === incident.id).every((a) => a.status === 'resolved')).toBe(true);
    card = await click(card, 'incident.classify', { 'determination-truePositive': 'compromisedAccount' }, messageId);
    expect(cardText(card)).toContain('Classified as True positive — Compromised account');
    card = await click(card, 'incident.comment', { comment: 'Reset the account.' }, messageId);
    expect(incidentOf(CONTOSO_ID, incident.id).comments).toEqual(expect.arrayContaining([expect.objectContaining({ comment: `${USERS.analyst.name} (via SOC Bridge): Reset the account.` })]));
    card = await click(card, 'incident.tags', { tags: 'Ransomware, VIP, ransomware' }, messageId);
    expect(incidentOf(CONTOSO_ID, incident.id).customTags).toEqual(['Ransomware', 'VIP']);
    expect(cardText(card)).toContain('Tags set to Ransomware, VIP');
    const trail = await bot.app.testing.auditTrail({ tenant: 'contoso' });
    expect(trail[0]).toMatchObject({ action: 'set tags', before: { customTags: [] }, after: { customTags: ['Ransomware', 'VIP'] } });
    expect(bot.connector.message(messageId)?.updates).toBe(4);
  });

  it('refuses tags it cannot keep, with the reason', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => isOpen(i))!;
    const { messageId, card } = await openIncident(incident.id);
    const tooMany = Array.from({ length: 21 }, (_, i) => `t${i}`).join(',');
    expect(cardText(await click(card, 'incident.tags', { tags: tooMany }, messageId))).toContain('At most 20 custom tags');
    expect(incidentOf(CONTOSO_ID, incident.id).customTags).toEqual([]);
  });

  it('refuses a change to an incident that changed since the card was shown, and shows its current state', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => i.status === 'active')!;
    const { messageId, card } = await openIncident(incident.id);
    bot.graph.mutateIncident(CONTOSO_ID, incident.id, { status: 'inProgress', assignedTo: 'someone@contoso.com' });
    const answer = await click(card, 'incident.status', { status: 'resolved' }, messageId);
    expect(cardText(answer)).toContain('after your card was shown, so nothing was changed');
    expect(cardText(answer)).toContain('someone@contoso.com');
    expect(incidentOf(CONTOSO_ID, incident.id).status).toBe('inProgress');
    expect((await bot.app.testing.auditTrail())[0]).toMatchObject({ subject: 'incident', outcome: 'refused', alertId: incident.id });
  });

  it('refuses viewers and customer-admins, and changes nothing', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => i.status === 'active')!;
    const { messageId, card } = await openIncident(incident.id);
    const auditBefore = await bot.app.testing.auditTrail();
    for (const user of [USERS.viewer, USERS.customerAdmin]) {
      const { body } = await bot.invoke('incident.status', { ...actionData(card, 'incident.status'), status: 'resolved' }, user, { kind: 'personal' }, messageId);
      expect(cardText((body as { value: unknown }).value)).toContain('needs the analyst role');
    }
    expect(incidentOf(CONTOSO_ID, incident.id).status).toBe('active');
    expect(await bot.app.testing.auditTrail()).toEqual(auditBefore);
    expect(bot.connector.message(messageId)?.updates).toBe(0);
  });

  it('says where a merged incident went, links to it, and offers no changes', async () => {
    const [from, into] = bot.graph.incidents(CONTOSO_ID).filter((i) => i.status === 'active' && i.alertIds.length > 0);
    bot.graph.mergeIncidents(CONTOSO_ID, from!.id, into!.id);
    const { card } = await openIncident(from!.id);
    expect(cardText(card)).toContain(`Defender merged this incident into incident ${into!.id}`);
    expect(actionData(card, 'incident.open')).toMatchObject({ incidentId: into!.id });
    expect(executes(card).some((a) => a.verb === 'incident.status')).toBe(false);
    const listed = await bot.say('incidents contoso status:merged', USERS.viewer);
    expect(idsOn(cardIn(listed.replies[0]!))).toContain(from!.id);
  });

  it('rejects a forged card payload', async () => {
    const { body } = await bot.invoke('incident.status', { tenantId: CONTOSO_ID, incidentId: '../x', status: 'resolved' }, USERS.analyst);
    expect(cardText((body as { value: unknown }).value)).toContain("This card's data is not valid");
  });
});

describe('a customer that consented before incidents', () => {
  freshBot();

  beforeAll(() => {
    // Fabrikam's admin consented when the app listed the alert permissions only; Contoso's
    // consented to reading incidents but not to changing them.
    bot.entra.grantConsent(FABRIKAM_ID, TEST_APP.clientId, ALERT_ROLES);
    bot.entra.grantConsent(CONTOSO_ID, TEST_APP.clientId, [...ALERT_ROLES, 'SecurityIncident.Read.All']);
  });

  it('is told what is missing instead of failing, and stays healthy: its alerts still work', async () => {
    const { replies } = await bot.say('incidents fabrikam', USERS.viewer);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Fabrikam Inc consented before SOC Bridge read incidents');
    expect(text).toContain('SecurityIncident.Read.All');
    expect(text).toContain('consent fabrikam');
    expect(await bot.app.testing.tenant('fabrikam')).toMatchObject({ status: 'connected' });
    expect((await bot.app.testing.tenant('fabrikam'))?.lastError).toBeUndefined();
    const alerts = await bot.say('alerts fabrikam', USERS.viewer);
    expect(cardText(cardIn(alerts.replies[0]!))).toContain('Alerts — Fabrikam Inc');
    const all = cardText(cardIn((await bot.say('incidents all', USERS.viewer)).replies[0]!));
    expect(all).toContain('Fabrikam Inc: Fabrikam Inc consented before SOC Bridge read incidents');
    expect(all).toContain('Contoso Ltd');
  });

  it('shows the missing incident permissions in status, with a consent button', async () => {
    const { replies } = await bot.say('status fabrikam', USERS.admin);
    const card = cardIn(replies[0]!);
    const text = cardText(card);
    expect(text).toMatch(/Read incidents\s+SecurityIncident\.Read\.All: not granted, needed/);
    expect(text).toContain('consented before SOC Bridge used incidents');
    expect(JSON.stringify(card)).toContain('consent fabrikam');
  });

  it('shows an incident card without change buttons, and says why, when only reading was granted', async () => {
    const incident = bot.graph.incidents(CONTOSO_ID).find((i) => isOpen(i))!;
    const { card } = await openIncident(incident.id);
    expect(cardText(card)).toContain('SecurityIncident.ReadWrite.All is not granted, so this card has no buttons');
    expect(executes(card).some((a) => a.verb === 'incident.assign')).toBe(false);
  });
});
