import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type TestUser } from '../helpers/harness.js';
import { TEST_APP } from '../helpers/entra.js';

let bot: BotHarness;
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;

/**
 * Gives the enclosing describe block a bot of its own (Contoso's and Fabrikam's alerts as seeded),
 * with an analyst, a viewer and a Contoso customer-admin, so no block depends on what another did.
 */
function freshBot(): void {
  beforeAll(async () => {
    bot = await BotHarness.start({ actionDeadlineMs: 400 });
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso`);
  });
  afterAll(async () => {
    await bot?.stop();
  });
}

const newestFirst = (a: Alert, b: Alert) => b.createdDateTime.localeCompare(a.createdDateTime) || a.id.localeCompare(b.id);
const open = (a: Alert) => a.status === 'new' || a.status === 'inProgress';

/** The alert ids a list card shows, in order. */
function idsOn(card: Record<string, unknown>): string[] {
  const body = card.body as { selectAction?: { data: { alertId: string } } }[];
  return body.filter((b) => b.selectAction).map((b) => b.selectAction!.data.alertId);
}

function moreAction(card: Record<string, unknown>): Record<string, unknown> | undefined {
  const actions = (card.actions ?? []) as { verb: string; data: Record<string, unknown> }[];
  return actions.find((a) => a.verb === 'alerts.more')?.data;
}

/** Types `alert <tenant> <id>` and returns the id of the message that holds the detail card. */
async function openAlert(id: string, user: TestUser = USERS.analyst): Promise<{ messageId: string; card: Record<string, unknown> }> {
  const { replies } = await bot.say(`alert contoso ${id}`, user);
  const messages = bot.connector.messagesIn('a:personal-chat');
  const last = messages[messages.length - 1];
  if (!last) throw new Error('no card was posted');
  return { messageId: last.id, card: cardIn(replies[0]!) };
}

/** The Action.Execute button carrying `verb` on the card. */
function findAction(card: Record<string, unknown>, verb: string): Record<string, unknown> {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const element = node as Record<string, unknown>;
      if (element.type === 'Action.Execute' && element.verb === verb) found.push(element);
      Object.values(element).forEach(walk);
    }
  };
  walk(card);
  if (!found[0]) throw new Error(`no ${verb} button on the card`);
  return found[0];
}

function actionData(card: Record<string, unknown>, verb: string): Record<string, unknown> {
  const all: { verb?: string; data?: Record<string, unknown>; card?: { actions?: unknown[] }; actions?: unknown[] }[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      all.push(node as never);
      Object.values(node).forEach(walk);
    }
  };
  walk(card);
  const found = all.find((n) => n.verb === verb);
  if (!found?.data) throw new Error(`no ${verb} action on the card`);
  return found.data;
}

describe('tenants', () => {
  freshBot();

  it('shows each customer with status and open alerts by severity', async () => {
    const { replies } = await bot.say('tenants', USERS.viewer);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Contoso Ltd (contoso)');
    expect(text).toContain('Northwind Traders (northwind)');
    expect(text).toContain('Waiting for consent');
    const highOpen = bot.graph.alerts(CONTOSO_ID).filter((a) => open(a) && a.severity === 'high').length;
    expect(highOpen).toBeGreaterThan(0);
    expect(text).toContain(`${highOpen} high`);
  });

  it('shows a customer-admin only their own tenant', async () => {
    const { replies } = await bot.say('tenants', USERS.customerAdmin);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Contoso Ltd');
    expect(text).not.toContain('Fabrikam');
    expect(text).not.toContain('Northwind');
  });

  it('does not let a customer-admin list alerts', async () => {
    const { replies } = await bot.say('alerts contoso', USERS.customerAdmin);
    expect(cardText(cardIn(replies[0]!))).toContain('Not allowed');
  });
});

describe('alerts', () => {
  freshBot();

  it('lists exactly the open high-severity alerts of one customer, newest first', async () => {
    const { replies } = await bot.say('alerts contoso severity:high top:50', USERS.viewer);
    const expected = bot.graph.alerts(CONTOSO_ID).filter((a) => open(a) && a.severity === 'high').sort(newestFirst).map((a) => a.id);
    expect(idsOn(cardIn(replies[0]!))).toEqual(expected);
  });

  it('combines filters: status, source and time', async () => {
    const { replies } = await bot.say('alerts contoso status:resolved source:endpoint since:7d top:50', USERS.viewer);
    const since = Date.now() - 7 * 86_400_000;
    const expected = bot.graph
      .alerts(CONTOSO_ID)
      .filter((a) => a.status === 'resolved' && a.serviceSource === 'microsoftDefenderForEndpoint' && Date.parse(a.createdDateTime) >= since)
      .sort(newestFirst)
      .map((a) => a.id);
    expect(idsOn(cardIn(replies[0]!))).toEqual(expected);
  });

  it('pages through every alert with "More", losing and repeating none, ties included', async () => {
    const at = new Date(Date.now() - 3600_000).toISOString();
    const template = bot.graph.alerts(CONTOSO_ID)[0]!;
    for (const suffix of ['a', 'b', 'c']) bot.graph.raiseAlert(CONTOSO_ID, { ...template, id: `tie-${suffix}`, createdDateTime: at, status: 'new' });
    const first = await bot.say('alerts contoso status:any top:4', USERS.viewer);
    let card = cardIn(first.replies[0]!);
    const seen = idsOn(card);
    for (let page = 0; page < 50; page++) {
      const data = moreAction(card);
      if (!data) break;
      const { body } = await bot.invoke('alerts.more', data, USERS.viewer);
      card = (body as { value: Record<string, unknown> }).value;
      seen.push(...idsOn(card));
    }
    const expected = bot.graph.alerts(CONTOSO_ID).sort(newestFirst).map((a) => a.id);
    expect(seen).toEqual(expected);
  });

  it('"all" labels each alert with its customer and merges newest first', async () => {
    const { replies } = await bot.say('alerts all top:20', USERS.viewer);
    const card = cardIn(replies[0]!);
    const merged = [...bot.graph.alerts(CONTOSO_ID), ...bot.graph.alerts(FABRIKAM_ID)].filter(open).sort(newestFirst).slice(0, 20).map((a) => a.id);
    expect(idsOn(card)).toEqual(merged);
    const text = cardText(card);
    expect(text).toContain('Contoso Ltd');
    expect(text).toContain('Fabrikam Inc');
  });

  it('explains bad arguments precisely', async () => {
    const severity = await bot.say('alerts contoso severity:critical', USERS.viewer);
    expect(cardText(cardIn(severity.replies[0]!))).toContain('"critical" is not a severity. Use one or more of: high, medium, low, informational');
    const tenant = await bot.say('alerts contosso', USERS.viewer);
    expect(cardText(cardIn(tenant.replies[0]!))).toContain('There is no customer tenant "contosso". Did you mean "contoso"?');
    const option = await bot.say('alerts contoso colour:red', USERS.viewer);
    expect(cardText(cardIn(option.replies[0]!))).toContain('"colour:red" is not an option here');
    const pending = await bot.say('alerts northwind', USERS.viewer);
    expect(cardText(cardIn(pending.replies[0]!))).toContain('Northwind Traders is not connected');
  });
});

describe('an alert card', () => {
  freshBot();

  it('shows the details and portal links with the tenant id', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && a.evidence.length > 0)!;
    const { card } = await openAlert(target.id);
    const text = cardText(card);
    expect(text).toContain(target.title);
    expect(text).toContain('Contoso Ltd (contoso)');
    expect(JSON.stringify(card)).toContain(`tid=${CONTOSO_ID}`);
    for (const technique of target.mitreTechniques.slice(0, 2)) expect(text).toContain(technique);
  });

  it('assigns to the analyst who clicked, for everyone, with an audit entry', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && !a.assignedTo)!;
    const { messageId, card } = await openAlert(target.id);
    const { status, body } = await bot.invoke('alert.assign', actionData(card, 'alert.assign'), USERS.analyst, { kind: 'personal' }, messageId);
    expect(status).toBe(200);
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.assignedTo).toBe(USERS.analyst.email);
    expect(cardText((body as { value: unknown }).value)).toContain(`Assigned by ${USERS.analyst.name}`);
    const edited = bot.connector.message(messageId);
    expect(edited?.updates).toBe(1);
    expect(cardText(cardIn(edited!.activity))).toContain(USERS.analyst.email);
    const [entry] = await bot.app.testing.auditTrail({ tenant: 'contoso' });
    expect(entry).toMatchObject({ actorId: USERS.analyst.aadObjectId, action: 'assign', alertId: target.id, outcome: 'done', before: { assignedTo: null }, after: { assignedTo: USERS.analyst.email } });
  });

  it('resolves as a true positive, and comments in the analyst\'s name', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => a.status === 'new')!;
    const opened = await openAlert(target.id);
    const messageId = opened.messageId;
    let card = opened.card;
    let result = await bot.invoke('alert.status', { ...actionData(card, 'alert.status'), status: 'resolved' }, USERS.analyst, { kind: 'personal' }, messageId);
    card = (result.body as { value: Record<string, unknown> }).value;
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)).toMatchObject({ status: 'resolved', assignedTo: USERS.analyst.email });
    expect(cardText(card)).toContain('Status set to Resolved');

    result = await bot.invoke('alert.classify', { ...actionData(card, 'alert.classify'), classification: 'truePositive', determination: 'malware' }, USERS.analyst, { kind: 'personal' }, messageId);
    card = (result.body as { value: Record<string, unknown> }).value;
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)).toMatchObject({ classification: 'truePositive', determination: 'malware' });

    result = await bot.invoke('alert.comment', { ...actionData(card, 'alert.comment'), comment: 'Contained; host reimaged.' }, USERS.analyst, { kind: 'personal' }, messageId);
    const comments = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.comments ?? [];
    expect(comments.at(-1)?.comment).toBe(`${USERS.analyst.name} (via SOC Bridge): Contained; host reimaged.`);
    expect(bot.connector.message(messageId)?.updates).toBe(3);
  });

  it('comments in two Graph requests (post, then one read for the new version), audited with the state it found', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a))!;
    const { messageId, card } = await openAlert(target.id);
    const before = bot.graph.requests(CONTOSO_ID).length;
    const { body } = await bot.invoke('alert.comment', { ...actionData(card, 'alert.comment'), comment: 'Looking into it.' }, USERS.analyst, { kind: 'personal' }, messageId);
    expect(bot.graph.requests(CONTOSO_ID).slice(before).map((r) => r.method)).toEqual(['POST', 'GET']);
    const answered = (body as { value: Record<string, unknown> }).value;
    const now = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)!;
    // The card carries the version the comment made, so the next click on it is not refused as stale.
    expect(actionData(answered, 'alert.assign').version).toBe(now.lastUpdateDateTime);
    expect(cardText(answered)).toContain('Comment added');
    const [entry] = await bot.app.testing.auditTrail({ tenant: 'contoso' });
    const state = { status: now.status, assignedTo: now.assignedTo ?? null };
    expect(entry).toMatchObject({ actorId: USERS.analyst.aadObjectId, action: 'comment', alertId: target.id, outcome: 'done', before: state, after: { ...state, comment: 'Looking into it.' } });
  });

  it('shows the card as it is, and audits the failure, when Graph refuses a comment', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a))!;
    const { messageId, card } = await openAlert(target.id);
    bot.graph.injectFaults(CONTOSO_ID, [{ status: 400, code: 'BadRequest', message: 'Comment refused.' }]);
    const { body } = await bot.invoke('alert.comment', { ...actionData(card, 'alert.comment'), comment: 'Not this time.' }, USERS.analyst, { kind: 'personal' }, messageId);
    expect(cardText((body as { value: unknown }).value)).toContain('Could not comment');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.comments?.some((c) => c.comment.includes('Not this time.'))).toBe(false);
    const [entry] = await bot.app.testing.auditTrail({ tenant: 'contoso' });
    expect(entry).toMatchObject({ action: 'comment', alertId: target.id, outcome: 'failed' });
  });

  it('answers a comment on an alert Defender no longer has with what is missing', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a))!;
    const { messageId, card } = await openAlert(target.id);
    bot.graph.removeAlerts(CONTOSO_ID, [target.id]);
    const { body } = await bot.invoke('alert.comment', { ...actionData(card, 'alert.comment'), comment: 'Too late.' }, USERS.analyst, { kind: 'personal' }, messageId);
    expect(JSON.stringify(body)).toContain(`has no alert ${target.id}`);
  });

  it('classifies from the card form: the determination input of the classification chosen', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && !a.classification)!;
    const { messageId, card } = await openAlert(target.id);
    const data = actionData(card, 'alert.classify');
    expect(data.classification).toBe('truePositive');
    const { body } = await bot.invoke('alert.classify', { ...data, 'determination-truePositive': 'phishing' }, USERS.analyst, { kind: 'personal' }, messageId);
    expect(cardText((body as { value: unknown }).value)).toContain('Classified as True positive — Phishing');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)).toMatchObject({ classification: 'truePositive', determination: 'phishing' });
  });

  it('refuses a determination that does not go with the classification, and changes nothing', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && !a.classification)!;
    const { messageId, card } = await openAlert(target.id);
    const { body } = await bot.invoke('alert.classify', { ...actionData(card, 'alert.classify'), determination: 'notMalicious' }, USERS.analyst, { kind: 'personal' }, messageId);
    expect(cardText((body as { value: unknown }).value)).toContain('"notMalicious" does not go with truePositive');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.classification).toBeFalsy();
  });

  it('does not assign again to the analyst who already owns the alert', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && !a.assignedTo)!;
    bot.graph.mutateAlert(CONTOSO_ID, target.id, { assignedTo: USERS.analyst.email });
    const { messageId, card } = await openAlert(target.id);
    const before = bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)!.lastUpdateDateTime;
    const auditBefore = (await bot.app.testing.auditTrail({})).length;
    const { body } = await bot.invoke('alert.assign', actionData(card, 'alert.assign'), USERS.analyst, { kind: 'personal' }, messageId);
    expect(cardText((body as { value: unknown }).value)).toContain('already assigned to you');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)!.lastUpdateDateTime).toBe(before);
    expect(await bot.app.testing.auditTrail({})).toHaveLength(auditBefore);
  });

  it('refuses a viewer and changes nothing', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => a.status === 'new')!;
    const before = JSON.stringify(target);
    const auditBefore = await bot.app.testing.auditTrail();
    const { messageId, card } = await openAlert(target.id, USERS.viewer);
    const { body } = await bot.invoke('alert.status', { ...actionData(card, 'alert.status'), status: 'resolved' }, USERS.viewer, { kind: 'personal' }, messageId);
    expect(cardText((body as { value: unknown }).value)).toContain('needs the analyst role');
    expect(JSON.stringify(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id))).toBe(before);
    expect(await bot.app.testing.auditTrail()).toEqual(auditBefore);
    expect(bot.connector.message(messageId)?.updates).toBe(0);
  });

  it('refuses a change to an alert that changed since the card was shown, and shows its current state', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => a.status === 'new')!;
    const { messageId, card } = await openAlert(target.id);
    bot.graph.mutateAlert(CONTOSO_ID, target.id, { status: 'inProgress', assignedTo: 'someone@contoso.com' });
    const { body } = await bot.invoke('alert.status', { ...actionData(card, 'alert.status'), status: 'resolved' }, USERS.analyst, { kind: 'personal' }, messageId);
    const text = cardText((body as { value: unknown }).value);
    expect(text).toContain('after your card was shown, so nothing was changed');
    expect(text).toContain('someone@contoso.com');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.status).toBe('inProgress');
    expect((await bot.app.testing.auditTrail())[0]).toMatchObject({ outcome: 'refused', alertId: target.id, actorId: USERS.analyst.aadObjectId });
  });

  it('answers at once when Graph is slow, then edits the message with the result', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => a.status === 'new')!;
    const { messageId, card } = await openAlert(target.id);
    bot.graph.injectFaults(CONTOSO_ID, [{ delayMs: 1500 }]);
    const started = Date.now();
    const { body } = await bot.invoke('alert.status', { ...actionData(card, 'alert.status'), status: 'inProgress' }, USERS.analyst, { kind: 'personal' }, messageId);
    const answeredInMs = Date.now() - started;
    expect(cardText((body as { value: unknown }).value)).toContain('Working on it');
    expect(answeredInMs).toBeLessThan(1500);
    await bot.connector.waitFor(() => (bot.connector.message(messageId)?.updates ?? 0) > 0, 10_000);
    expect(cardText(cardIn(bot.connector.message(messageId)!.activity))).toContain('Status set to In progress');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.status).toBe('inProgress');
  });

  it('rejects a forged card payload', async () => {
    const { body } = await bot.invoke('alert.status', { tenantId: '../../etc', alertId: 'x', status: 'resolved' }, USERS.analyst);
    expect(cardText((body as { value: unknown }).value)).toContain("This card's data is not valid");
  });
});

describe('consent problems', () => {
  freshBot();

  it('names the missing consent when Entra refuses a token, and the tenant needs attention', async () => {
    const litware = { tenantId: '44444444-4444-4444-8444-444444444444', domains: ['litware.onmicrosoft.com'], displayName: 'Litware' };
    bot.entra.addTenant(litware);
    bot.graph.addTenant(litware.tenantId);
    await bot.app.services.tenants.add({ handle: 'litware', displayName: 'Litware', tenantId: litware.tenantId, domain: litware.domains[0]!, status: 'connected', writeAccess: true });
    const { replies } = await bot.say('alerts litware', USERS.viewer);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Litware: ');
    expect(text).toMatch(/not consented|consent/i);
    expect(await bot.app.testing.tenant('litware')).toMatchObject({ status: 'needs-attention', lastError: { code: 'entra.700016' } });
    const overview = await bot.say('tenants', USERS.viewer);
    const overviewText = cardText(cardIn(overview.replies[0]!));
    expect(overviewText).toContain('Needs attention');
    expect(overviewText).toMatch(/consent/i);
  });

  it('reports a permission Graph refuses, and recovers when it works again', async () => {
    bot.graph.injectFaults(CONTOSO_ID, [{ status: 403, code: 'Forbidden', message: 'Missing role' }]);
    const refused = await bot.say('alerts contoso', USERS.viewer);
    expect(cardText(cardIn(refused.replies[0]!))).toMatch(/SecurityAlert\.Read\.All|permission/);
    expect(await bot.app.testing.tenant('contoso')).toMatchObject({ status: 'needs-attention' });
    await bot.say('alerts contoso', USERS.viewer);
    const recovered = await bot.app.testing.tenant('contoso');
    expect(recovered).toMatchObject({ status: 'connected' });
    expect(recovered?.lastError).toBeUndefined();
  });
});

describe('audit', () => {
  freshBot();

  it('lists who did what for admins, newest first', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => a.status === 'new')!;
    const { messageId, card } = await openAlert(target.id);
    const resolved = await bot.invoke('alert.status', { ...actionData(card, 'alert.status'), status: 'resolved' }, USERS.analyst, { kind: 'personal' }, messageId);
    const classifyData = actionData((resolved.body as { value: Record<string, unknown> }).value, 'alert.classify');
    const classified = await bot.invoke('alert.classify', { ...classifyData, classification: 'truePositive', determination: 'multiStagedAttack' }, USERS.analyst, { kind: 'personal' }, messageId);
    const commentData = actionData((classified.body as { value: Record<string, unknown> }).value, 'alert.comment');
    await bot.invoke('alert.comment', { ...commentData, comment: 'Closed after review.' }, USERS.analyst, { kind: 'personal' }, messageId);
    const { replies } = await bot.say('audit contoso top:5');
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain(`${USERS.analyst.name} — comment — contoso`);
    expect(text).toContain('Comment: "Closed after review."');
    expect(text).toContain(`Owner: nobody → ${USERS.analyst.email}, Status: New → Resolved`);
    expect(text).toContain('Classification: not classified → True positive, Determination: none → Multistage attack');
    expect(text).not.toMatch(/assignedTo|truePositive|multiStagedAttack|\bresolved\b/);
    expect(text.indexOf(`${USERS.analyst.name} — comment — contoso`)).toBeLessThan(text.indexOf('Status: New → Resolved'));
  });

  it('is for admins only', async () => {
    const { replies } = await bot.say('audit', USERS.analyst);
    expect(cardText(cardIn(replies[0]!))).toContain('needs the admin role');
  });
});

describe('clients without Universal Actions', () => {
  freshBot();

  it('send an alert button\'s Action.Submit fallback and get the answer as a new message', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && !a.assignedTo)!;
    const { card } = await openAlert(target.id);
    const assign = findAction(card, 'alert.assign');
    const fallback = assign.fallback as { type: string; data: Record<string, unknown> };
    expect(fallback.type).toBe('Action.Submit');
    const { status, replies } = await bot.submit(fallback.data, USERS.analyst);
    expect(status).toBe(200);
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.assignedTo).toBe(USERS.analyst.email);
    expect(replies).toHaveLength(1);
    expect(cardText(cardIn(replies[0]!))).toContain(`Assigned by ${USERS.analyst.name}`);
  });

  it('are refused like any click when their role does not allow it', async () => {
    const target = bot.graph.alerts(CONTOSO_ID).find((a) => open(a) && !a.assignedTo)!;
    const { card } = await openAlert(target.id);
    const fallback = findAction(card, 'alert.assign').fallback as { data: Record<string, unknown> };
    const { replies } = await bot.submit(fallback.data, USERS.viewer);
    expect(cardText(cardIn(replies[0]!))).toContain('Not allowed');
    expect(bot.graph.alerts(CONTOSO_ID).find((a) => a.id === target.id)?.assignedTo).toBeFalsy();
  });
});
