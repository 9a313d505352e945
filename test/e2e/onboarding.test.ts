import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsentStateSigner } from '../../src/onboarding/consent-state.js';
import type { EmulatedTenant } from '../../src/emulator/entra.js';
import { generateBacklog } from '../../src/emulator/demo-data.js';
import type { PostedMessage } from '../../src/emulator/bot-connector.js';
import { BotHarness, TEST_CONSENT_STATE_SECRET, USERS, cardIn, cardText, type Place, type TestUser } from '../helpers/harness.js';
import { TEST_APP } from '../helpers/entra.js';

/** The public origin Entra sends admins back to; a tunnel maps it onto the bot's local port. */
const PUBLIC_ORIGIN = 'https://socbridge.test';
const CALLBACK = `${PUBLIC_ORIGIN}/auth/consent/callback`;

const TAILSPIN: EmulatedTenant = { tenantId: '55555555-5555-4555-8555-555555555555', domains: ['tailspintoys.com'], displayName: 'Tailspin Toys' };
const WINGTIP: EmulatedTenant = { tenantId: '66666666-6666-4666-8666-666666666666', domains: ['wingtiptoys.com'], displayName: 'Wingtip Toys' };
const ADATUM: EmulatedTenant = { tenantId: '77777777-7777-4777-8777-777777777777', domains: ['adatum.com'], displayName: 'Adatum' };
const LITWARE: EmulatedTenant = { tenantId: '88888888-8888-4888-8888-888888888888', domains: ['litware.com'], displayName: 'Litware' };
const FOURTH_COFFEE: EmulatedTenant = { tenantId: '99999999-9999-4999-8999-999999999999', domains: ['fourthcoffee.com'], displayName: 'Fourth Coffee' };

const CUSTOMER_CHAT: Place = { kind: 'groupChat', conversationId: '19:tailspin-onboarding@thread.v2', title: 'Tailspin onboarding' };
const WINGTIP_CHAT: Place = { kind: 'groupChat', conversationId: '19:wingtip-onboarding@thread.v2', title: 'Wingtip onboarding' };
const FOURTH_COFFEE_CHAT: Place = { kind: 'groupChat', conversationId: '19:fourth-coffee-onboarding@thread.v2', title: 'Fourth Coffee onboarding' };
const SOC_CHANNEL = '19:soc-ops@thread.tacv2';

let bot: BotHarness;

/**
 * Gives the enclosing describe block a bot of its own: five customers Entra knows that are not
 * onboarded yet, an analyst, a viewer, a customer-admin of Contoso (Patti) and the SOC channel set.
 */
function freshBot(): void {
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { PUBLIC_BASE_URL: PUBLIC_ORIGIN }, actionDeadlineMs: 8000 });
    for (const tenant of [TAILSPIN, WINGTIP, ADATUM, LITWARE, FOURTH_COFFEE]) {
      bot.entra.addTenant(tenant);
      bot.graph.addTenant(tenant.tenantId);
      bot.graph.seedAlerts(tenant.tenantId, generateBacklog({ tenantId: tenant.tenantId, domain: tenant.domains[0]!, orgName: tenant.displayName }, 5, new Date(), tenant.tenantId));
    }
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    await bot.say(`role grant ${USERS.nobody.aadObjectId} customer-admin contoso`);
    await bot.say('soc-channel', USERS.admin, { kind: 'channel', channelId: SOC_CHANNEL, channelName: 'SOC ops' });
    expect(await bot.app.testing.socChannel()).toBe(SOC_CHANNEL);
  });
  afterAll(async () => {
    await bot?.stop();
  });
}

/**
 * An admin onboards `tenant` in `chat` (naming Isaiah as its customer admin when asked) and the
 * customer's administrator accepts on the consent page: the tenant is connected and the access
 * guide posted in `chat`.
 */
async function onboardAndConnect(tenant: EmulatedTenant, chat: Place, { withCustomerAdmin = false } = {}): Promise<void> {
  const admin = mention(USERS.customerAdmin);
  const text = `onboard ${tenant.domains[0]} "${tenant.displayName}"${withCustomerAdmin ? ` admin:${admin.text}` : ''}`;
  await bot.say(text, USERS.admin, chat, withCustomerAdmin ? [admin.entity] : []);
  const page = await openCallback(await answerConsent(grantUrlOf(cardIn(latestCard(chat, 'grant the SOC access').activity))!, 'accept'));
  expect(page.status).toBe(200);
  expect(await bot.app.testing.tenant(tenant.tenantId)).toMatchObject({ status: 'connected' });
}

/** Ticks an access-guide step on the tenant's newest guide card in `chat`, as `user`. */
async function tickStep(chat: Place, step: string, user: TestUser): Promise<void> {
  const guide = latestCard(chat, "give the SOC's analysts access");
  const data = actionsOf(cardIn(guide.activity), 'checklist.done').find((d) => d.step === step)!;
  const { body } = await bot.invoke('checklist.done', data, user, chat, guide.id);
  expect(cardText((body as { value: unknown }).value)).toContain('marked done by');
}

/** Every tenant's onboarding record, to show an action changed none of them. */
async function everyOnboardingRecord() {
  return Promise.all((await bot.app.testing.tenants()).map((t) => bot.app.testing.onboarding(t.tenantId)));
}

function mention(user: TestUser): { text: string; entity: Record<string, unknown> } {
  const text = `<at>${user.name}</at>`;
  return { text, entity: { type: 'mention', text, mentioned: { id: user.id, name: user.name, aadObjectId: user.aadObjectId } } };
}

function conversationIdOf(place: Place): string {
  if (place.kind === 'groupChat') return place.conversationId ?? '';
  throw new Error('only group chats in these tests');
}

/** The newest message in the conversation whose card text contains `marker`. */
function latestCard(place: Place, marker: string): PostedMessage {
  const found = bot.connector
    .messagesIn(conversationIdOf(place))
    .filter((m) => textOf(m).includes(marker))
    .at(-1);
  if (!found) throw new Error(`no card with "${marker}" in ${conversationIdOf(place)}`);
  return found;
}

function socNotices(marker: string): PostedMessage[] {
  return bot.connector.messagesIn(SOC_CHANNEL).filter((m) => textOf(m).includes(marker));
}

function textOf(message: PostedMessage): string {
  return Array.isArray(message.activity.attachments) ? cardText(cardIn(message.activity)) : String(message.activity.text ?? '');
}

function grantUrlOf(card: Record<string, unknown>): string | undefined {
  let url: string | undefined;
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.type === 'Action.OpenUrl' && n.title === 'Grant access') url = n.url as string;
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return url;
}

function actionsOf(card: Record<string, unknown>, verb: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Record<string, unknown>;
      if (n.verb === verb && n.data) found.push(n.data as Record<string, unknown>);
      Object.values(n).forEach(walk);
    }
  };
  walk(card);
  return found;
}

const decode = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');

/** Opens the consent link at the Entra emulator, clicks Accept or Cancel, and returns where Entra redirects to. */
async function answerConsent(grantUrl: string, decision: 'accept' | 'cancel'): Promise<string> {
  const page = await fetch(grantUrl);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error('no consent form on the page');
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) form.set(match[1]!, decode(match[2]!));
  form.set('decision', decision);
  const answer = await fetch(new URL(decode(action), grantUrl), { method: 'POST', body: form, redirect: 'manual' });
  expect(answer.status).toBe(302);
  return answer.headers.get('location') ?? '';
}

/** What a browser gets at the callback (the public origin is the bot's port behind a tunnel). */
async function openCallback(location: string): Promise<{ status: number; html: string; headers: Headers }> {
  const url = new URL(location);
  expect(url.origin).toBe(PUBLIC_ORIGIN);
  const response = await fetch(`${bot.app.url}${url.pathname}${url.search}`);
  return { status: response.status, html: await response.text(), headers: response.headers };
}

function callbackWith(params: Record<string, string>): Promise<{ status: number; html: string; headers: Headers }> {
  return openCallback(`${CALLBACK}?${new URLSearchParams(params).toString()}`);
}

const signer = new ConsentStateSigner(TEST_CONSENT_STATE_SECRET);

describe('onboarding a customer, end to end over HTTP', () => {
  freshBot();
  let grantUrl: string;
  let consentMessageId: string;
  let checklistMessageId: string;
  let callbackLocation: string;

  it('onboard creates a pending tenant with a derived handle, a customer admin, and a consent card here', async () => {
    const admin = mention(USERS.customerAdmin);
    const { replies } = await bot.say(`onboard tailspintoys.com Tailspin Toys admin:${admin.text}`, USERS.admin, CUSTOMER_CHAT, [admin.entity]);
    expect(replies).toHaveLength(2);
    expect(cardText(cardIn(replies[1]!))).toContain('Tailspin Toys (tailspin-toys) is waiting for consent');
    expect(await bot.app.testing.tenant('tailspintoys.com')).toMatchObject({ handle: 'tailspin-toys', tenantId: TAILSPIN.tenantId, status: 'pending-consent', writeAccess: false });
    expect(await bot.app.testing.roleOf(USERS.customerAdmin.aadObjectId)).toMatchObject({ role: 'customer-admin', tenant: 'tailspin-toys' });
    expect(await bot.app.testing.onboarding('tailspin-toys')).toMatchObject({ consent: { state: 'waiting' }, customerAdmin: { id: USERS.customerAdmin.aadObjectId } });

    const message = latestCard(CUSTOMER_CHAT, 'access to your Microsoft Defender alerts');
    consentMessageId = message.id;
    const card = cardIn(message.activity);
    const text = cardText(card);
    expect(text).toContain('Alex Admin');
    expect(text).toContain('SecurityAlert.Read.All');
    expect(text).toContain('SecurityAlert.ReadWrite.All');
    expect(text).toMatch(/will not: read mail/);
    expect(text).toContain('This link works once, until');
    grantUrl = grantUrlOf(card) ?? '';
    const url = new URL(grantUrl);
    expect(url.origin).toBe(bot.entra.authorityHost);
    expect(url.pathname).toBe(`/${TAILSPIN.tenantId}/v2.0/adminconsent`);
    expect(url.searchParams.get('client_id')).toBe(TEST_APP.clientId);
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK);
    expect(url.searchParams.get('scope')).toBe('https://graph.microsoft.com/.default');
    expect(url.searchParams.get('state')).toMatch(/^v1\./);
  });

  it('Accept at Entra brings the admin back; access is proven and the tenant connected', async () => {
    const graphCallsBefore = bot.graph.requests(TAILSPIN.tenantId).length;
    callbackLocation = await answerConsent(grantUrl, 'accept');
    const page = await openCallback(callbackLocation);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(page.html).toContain('SOC Bridge is connected to Tailspin Toys');
    expect(page.html).not.toContain(TEST_APP.secret);
    expect(page.html).not.toContain(new URL(callbackLocation).searchParams.get('state') ?? 'no state');

    expect(await bot.app.testing.tenant('tailspin-toys')).toMatchObject({ status: 'connected', writeAccess: true });
    expect(bot.graph.requests(TAILSPIN.tenantId).length).toBeGreaterThan(graphCallsBefore);
    expect(bot.entra.tokenRequests(TAILSPIN.tenantId)).toBeGreaterThan(0);
  });

  it('edits the consent card in place, tells the SOC and posts the access guide', async () => {
    const edited = bot.connector.message(consentMessageId)!;
    expect(edited.updates).toBeGreaterThan(0);
    const card = cardIn(edited.activity);
    expect(cardText(card)).toMatch(/Connected by an administrator of Tailspin Toys at .* UTC, permissions: SecurityAlert\.Read\.All, SecurityAlert\.ReadWrite\.All/);
    expect(grantUrlOf(card)).toBeUndefined();
    expect(socNotices('Tailspin Toys is connected')).toHaveLength(1);

    const guide = latestCard(CUSTOMER_CHAT, "give the SOC's analysts access");
    checklistMessageId = guide.id;
    const guideCard = cardIn(guide.activity);
    const text = cardText(guideCard);
    expect(text).toContain('0 of 8 steps done');
    for (const step of ['Create three Entra security groups', 'Turn on Defender roles', 'connected organization', 'catalog', 'access packages', 'My Access', 'tenant-specific portal', 'email notification rule']) {
      expect(text).toContain(step);
    }
    const json = JSON.stringify(guideCard);
    expect(json).toContain(`https://security.microsoft.com/?tid=${TAILSPIN.tenantId}`);
    expect(json).toContain('https://myaccess.microsoft.com/@tailspintoys.com');
    expect(actionsOf(guideCard, 'checklist.done')).toHaveLength(8);
    expect(actionsOf(guideCard, 'checklist.help')).toHaveLength(8);
  });

  it('refuses the same answer a second time and changes nothing', async () => {
    const before = await everyOnboardingRecord();
    const replay = await openCallback(callbackLocation);
    expect(replay.status).toBe(400);
    expect(replay.html).toContain('already used');
    expect(await everyOnboardingRecord()).toEqual(before);
  });

  it('the customer admin and a SOC admin tick steps; progress is stored and shown for everyone', async () => {
    const guide = cardIn(bot.connector.message(checklistMessageId)!.activity);
    const groups = actionsOf(guide, 'checklist.done').find((d) => d.step === 'groups')!;
    const first = await bot.invoke('checklist.done', groups, USERS.customerAdmin, CUSTOMER_CHAT, checklistMessageId);
    expect(first.status).toBe(200);
    expect(cardText((first.body as { value: unknown }).value)).toContain('Step 1 marked done by Isaiah Customer');
    const rbac = actionsOf(guide, 'checklist.done').find((d) => d.step === 'rbac')!;
    await bot.invoke('checklist.done', rbac, USERS.admin, CUSTOMER_CHAT, checklistMessageId);

    const shared = bot.connector.message(checklistMessageId)!;
    expect(shared.updates).toBe(2);
    const text = cardText(cardIn(shared.activity));
    expect(text).toContain('2 of 8 steps done');
    expect(text).toContain('Done by Isaiah Customer');
    expect(text).toContain('Done by Alex Admin');
    const steps = (await bot.app.testing.onboarding(TAILSPIN.tenantId))?.checklist.steps;
    expect(steps?.groups?.doneBy).toEqual({ id: USERS.customerAdmin.aadObjectId, name: USERS.customerAdmin.name });
    expect(steps?.rbac?.doneBy?.name).toBe(USERS.admin.name);
  });

  it('Need help tells the SOC channel once, with who and which step', async () => {
    const guide = cardIn(bot.connector.message(checklistMessageId)!.activity);
    const help = actionsOf(guide, 'checklist.help').find((d) => d.step === 'catalog')!;
    const { body } = await bot.invoke('checklist.help', help, USERS.customerAdmin, CUSTOMER_CHAT, checklistMessageId);
    expect(cardText((body as { value: unknown }).value)).toContain('The SOC was told');
    await bot.invoke('checklist.help', help, USERS.customerAdmin, CUSTOMER_CHAT, checklistMessageId);
    const notices = socNotices('asks for help with the access guide');
    expect(notices).toHaveLength(1);
    expect(cardText(cardIn(notices[0]!.activity))).toContain('Isaiah Customer needs help with step 4');
  });

  it('status shows consent, the live check, permissions, headroom and the ticked steps', async () => {
    const { replies } = await bot.say('status tailspin-toys', USERS.analyst);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Status: Tailspin Toys (tailspin-toys)');
    expect(text).toContain('Connected');
    expect(text).toContain('granted and verified');
    expect(text).toContain('reading alerts works');
    expect(text).toContain(`issued for ${TAILSPIN.tenantId}`);
    expect(text).toMatch(/Change alerts\s+SecurityAlert\.ReadWrite\.All: granted, needed/);
    expect(text).toMatch(/\d+ of 150 requests left this minute/);
    expect(text).toContain('2 of 8 steps done');
    expect(text).toContain('1. Create three Entra security groups: done by Isaiah Customer');
    expect(text).toContain('4. Create a catalog for MSSP access: help asked by Isaiah Customer');
  });

  it('tenants shows the access-guide progress', async () => {
    const { replies } = await bot.say('tenants', USERS.viewer);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toMatch(/Tailspin Toys \(tailspin-toys\)[\s\S]*2 of 8 steps done/);
  });
});

describe('who may tick steps', () => {
  freshBot();
  beforeAll(() => onboardAndConnect(TAILSPIN, CUSTOMER_CHAT, { withCustomerAdmin: true }));

  it('refuses a customer-admin of another tenant, an analyst and a viewer, and changes nothing', async () => {
    const message = latestCard(CUSTOMER_CHAT, "give the SOC's analysts access");
    const data = actionsOf(cardIn(message.activity), 'checklist.done').find((d) => d.step === 'my-access')!;
    const updatesBefore = message.updates;
    const recordsBefore = await everyOnboardingRecord();
    for (const [user, expected] of [
      [USERS.nobody, "Only this customer's own admins"],
      [USERS.analyst, 'needs the admin role'],
      [USERS.viewer, 'needs the admin role'],
    ] as const) {
      const { status, body } = await bot.invoke('checklist.done', data, user, CUSTOMER_CHAT, message.id);
      expect(status).toBe(200);
      expect(cardText((body as { value: unknown }).value)).toContain(expected);
    }
    expect(bot.connector.message(message.id)?.updates).toBe(updatesBefore);
    expect(await everyOnboardingRecord()).toEqual(recordsBefore);
  });

  it('refuses a forged step payload', async () => {
    const { body } = await bot.invoke('checklist.done', { tenantId: TAILSPIN.tenantId, step: '../../x' }, USERS.admin, CUSTOMER_CHAT, 'x');
    expect(cardText((body as { value: unknown }).value)).toContain("This card's data is not valid");
  });
});

describe('consent links that must not work', () => {
  freshBot();
  let state: string;

  beforeAll(async () => {
    await bot.say('onboard wingtiptoys.com "Wingtip Toys"', USERS.admin, WINGTIP_CHAT);
    state = new URL(grantUrlOf(cardIn(latestCard(WINGTIP_CHAT, 'access to your Microsoft Defender alerts').activity))!).searchParams.get('state')!;
  });

  const untouched = async () => {
    expect(await bot.app.testing.tenant('wingtip-toys')).toMatchObject({ status: 'pending-consent' });
    const record = await bot.app.testing.onboarding('wingtip-toys');
    expect(record?.link).toBeDefined();
    expect(record?.link?.usedAt).toBeUndefined();
  };
  const currentNonce = async () => (await bot.app.testing.onboarding(WINGTIP.tenantId))!.link!.nonce;

  it('refuses a forged, tampered or missing state with a 400 page', async () => {
    const other = new ConsentStateSigner('another-secret-that-is-long-enough-0123456789');
    const nonce = await currentNonce();
    const forged = other.sign({ tenantId: WINGTIP.tenantId, nonce, expiresAtMs: Date.now() + 3600_000 });
    const [version, body, mac] = state.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${version}.${Buffer.from(JSON.stringify({ ...payload, e: Date.now() + 9e9 })).toString('base64url')}.${mac}`;
    for (const bad of [forged, tampered, 'v1.abc.def', '<script>alert(1)</script>']) {
      const page = await callbackWith({ admin_consent: 'True', tenant: WINGTIP.tenantId, state: bad });
      expect(page.status).toBe(400);
      expect(page.html).toMatch(/not valid|not a consent answer/);
      expect(page.html).not.toContain('<script>');
    }
    expect((await callbackWith({ admin_consent: 'True', tenant: WINGTIP.tenantId })).status).toBe(400);
    untouched();
  });

  it('refuses an expired state', async () => {
    const nonce = await currentNonce();
    const expired = signer.sign({ tenantId: WINGTIP.tenantId, nonce, expiresAtMs: Date.now() - 1000 });
    const page = await callbackWith({ admin_consent: 'True', tenant: WINGTIP.tenantId, state: expired });
    expect(page.status).toBe(400);
    expect(page.html).toContain('expired');
    untouched();
  });

  it('refuses a state answered from another tenant', async () => {
    const page = await callbackWith({ admin_consent: 'True', tenant: TAILSPIN.tenantId, state });
    expect(page.status).toBe(400);
    expect(page.html).toContain('different organisation');
    untouched();
  });

  it('explains a declined consent to the admin, edits the card and tells the SOC', async () => {
    const message = latestCard(WINGTIP_CHAT, 'access to your Microsoft Defender alerts');
    const grantUrl = grantUrlOf(cardIn(message.activity))!;
    const location = await answerConsent(grantUrl, 'cancel');
    expect(new URL(location).searchParams.get('error')).toBe('access_denied');
    const page = await openCallback(location);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Access was not granted');
    expect(page.html).toContain('You declined');
    expect(await bot.app.testing.tenant('wingtip-toys')).toMatchObject({ status: 'pending-consent' });
    const edited = cardIn(bot.connector.message(message.id)!.activity);
    expect(cardText(edited)).toContain('Declined or failed at');
    expect(grantUrlOf(edited)).toBe(grantUrl);
    expect(actionsOf(edited, 'command.run').map((d) => d.command)).toContain('consent wingtip-toys');
    expect(socNotices('Wingtip Toys did not grant consent')).toHaveLength(1);
  });

  it('a fresh card replaces older links; the old one is refused, the new one works', async () => {
    const first = latestCard(WINGTIP_CHAT, 'access to your Microsoft Defender alerts');
    await bot.say('consent wingtip-toys', USERS.admin, WINGTIP_CHAT);
    const second = latestCard(WINGTIP_CHAT, 'access to your Microsoft Defender alerts');
    expect(second.id).not.toBe(first.id);
    const secondUrl = grantUrlOf(cardIn(second.activity))!;
    await bot.say('consent wingtip-toys', USERS.admin, WINGTIP_CHAT);
    const third = latestCard(WINGTIP_CHAT, 'access to your Microsoft Defender alerts');
    expect(cardText(cardIn(bot.connector.message(second.id)!.activity))).toContain('Replaced by a newer consent card');

    const stale = await openCallback(await answerConsent(secondUrl, 'accept'));
    expect(stale.status).toBe(400);
    expect(stale.html).toContain('was replaced');
    expect(await bot.app.testing.tenant('wingtip-toys')).toMatchObject({ status: 'pending-consent' });

    const fresh = await openCallback(await answerConsent(grantUrlOf(cardIn(third.activity))!, 'accept'));
    expect(fresh.status).toBe(200);
    expect(await bot.app.testing.tenant('wingtip-toys')).toMatchObject({ status: 'connected' });
  });
});

describe('a refusal sent with a valid link and no tenant', () => {
  // Entra names no tenant on an error answer and no token can prove a refusal, so anyone holding
  // the link can send one: it is recorded once, but the link stays usable for the real admin.
  freshBot();
  let grantUrl: string;
  let state: string;
  const record = async () => (await bot.app.testing.onboarding(FOURTH_COFFEE.tenantId))!;

  beforeAll(async () => {
    await bot.say('onboard fourthcoffee.com "Fourth Coffee"', USERS.admin, FOURTH_COFFEE_CHAT);
    grantUrl = grantUrlOf(cardIn(latestCard(FOURTH_COFFEE_CHAT, 'grant the SOC access').activity))!;
    state = new URL(grantUrl).searchParams.get('state')!;
  });

  it('is recorded and shown once, and does not use the link up', async () => {
    const page = await callbackWith({ state, error: 'access_denied', error_description: 'AADSTS65004: User declined to consent to access the app.' });
    expect(page.status).toBe(200);
    expect(page.html).toContain('Access was not granted');
    expect(page.html).toContain('its link still works until it expires');
    const stored = await record();
    expect(stored.link?.usedAt).toBeUndefined();
    expect(stored.consent.state).toBe('declined');
    const card = cardIn(latestCard(FOURTH_COFFEE_CHAT, 'grant the SOC access').activity);
    expect(cardText(card)).toContain('Declined or failed at');
    expect(grantUrlOf(card)).toBe(grantUrl);
    expect(socNotices('Fourth Coffee did not grant consent')).toHaveLength(1);
  });

  it('replayed, changes nothing and tells no one again', async () => {
    const before = JSON.stringify(await record());
    for (let i = 0; i < 3; i++) {
      const page = await callbackWith({ state, error: 'access_denied' });
      expect(page.status).toBe(200);
    }
    expect(JSON.stringify(await record())).toBe(before);
    expect(socNotices('Fourth Coffee did not grant consent')).toHaveLength(1);
  });

  it('leaves the real administrator able to grant access with the same link, which is then used up', async () => {
    const page = await openCallback(await answerConsent(grantUrl, 'accept'));
    expect(page.status).toBe(200);
    expect((await bot.app.testing.tenant('fourth-coffee'))?.status).toBe('connected');
    const late = await callbackWith({ state, error: 'access_denied' });
    expect(late.status).toBe(400);
    expect(late.html).toContain('already used');
    expect((await bot.app.testing.tenant('fourth-coffee'))?.status).toBe('connected');
  });
});

describe('read-only customers and other onboarding choices', () => {
  freshBot();
  beforeAll(async () => {
    await bot.say('onboard tailspintoys.com "Tailspin Toys"', USERS.admin, CUSTOMER_CHAT);
  });

  it('onboards by tenant id with access:read; connects read-only even though write was granted', async () => {
    const { replies } = await bot.say(`onboard ${ADATUM.tenantId} "Adatum Corporation" access:read`, USERS.admin, WINGTIP_CHAT);
    expect(cardText(cardIn(replies.at(-1)!))).toContain('Adatum Corporation (adatum) is waiting for consent');
    const card = cardIn(latestCard(WINGTIP_CHAT, 'Adatum Corporation: grant').activity);
    expect(cardText(card)).toContain('Not requested: this customer chose read only');
    const page = await openCallback(await answerConsent(grantUrlOf(card)!, 'accept'));
    expect(page.status).toBe(200);
    expect(page.html).toContain('read only was chosen');
    expect(await bot.app.testing.tenant('adatum')).toMatchObject({ status: 'connected', writeAccess: false, domain: ADATUM.tenantId });
    const guide = cardIn(latestCard(WINGTIP_CHAT, 'Adatum Corporation: give').activity);
    expect(JSON.stringify(guide)).toContain('https://myaccess.microsoft.com/"');
  });

  it('refuses to onboard a tenant twice, an unknown domain, and an admin who holds a SOC role', async () => {
    const twice = await bot.say('onboard tailspintoys.com Tailspin', USERS.admin, CUSTOMER_CHAT);
    expect(cardText(cardIn(twice.replies[0]!))).toContain('already set up as "tailspin-toys"');
    const unknown = await bot.say('onboard no-such-customer.example Nobody', USERS.admin, CUSTOMER_CHAT);
    expect(cardText(cardIn(unknown.replies[0]!))).toContain('Entra ID does not know tenant no-such-customer.example');
    const analyst = mention(USERS.analyst);
    const tenantsBefore = await bot.app.testing.tenants();
    const refused = await bot.say(`onboard litware.com Litware admin:${analyst.text}`, USERS.admin, CUSTOMER_CHAT, [analyst.entity]);
    expect(cardText(cardIn(refused.replies[0]!))).toContain('Megan Analyst already holds the analyst role');
    expect(await bot.app.testing.tenants()).toEqual(tenantsBefore);
    expect(await bot.app.testing.roleOf(USERS.analyst.aadObjectId)).toMatchObject({ role: 'analyst' });
  });

  it('is for admins only', async () => {
    const { replies } = await bot.say('onboard tailspintoys.com Tailspin', USERS.analyst, CUSTOMER_CHAT);
    expect(cardText(cardIn(replies[0]!))).toContain('needs the admin role');
  });
});

describe('consent revoked later', () => {
  freshBot();
  beforeAll(async () => {
    await onboardAndConnect(TAILSPIN, CUSTOMER_CHAT, { withCustomerAdmin: true });
    await tickStep(CUSTOMER_CHAT, 'groups', USERS.customerAdmin);
    await tickStep(CUSTOMER_CHAT, 'rbac', USERS.admin);
  });

  it('marks the tenant needs-attention, tells the SOC once, and a fresh card connects it again', async () => {
    bot.entra.revokeConsent(TAILSPIN.tenantId, TEST_APP.clientId);
    const first = await bot.say('status tailspin-toys', USERS.analyst);
    const text = cardText(cardIn(first.replies[0]!));
    expect(text).toContain('Needs attention');
    expect(text).toMatch(/not consented/);
    expect(await bot.app.testing.tenant('tailspin-toys')).toMatchObject({ status: 'needs-attention', lastError: { code: 'entra.700016' } });
    await bot.connector.waitFor(() => socNotices('Tailspin Toys needs attention').length > 0);
    await bot.say('status tailspin-toys', USERS.analyst);

    await bot.say('consent tailspin-toys', USERS.admin, CUSTOMER_CHAT);
    const card = cardIn(latestCard(CUSTOMER_CHAT, 'access to your Microsoft Defender alerts').activity);
    const page = await openCallback(await answerConsent(grantUrlOf(card)!, 'accept'));
    expect(page.status).toBe(200);
    const reconnected = await bot.app.testing.tenant('tailspin-toys');
    expect(reconnected).toMatchObject({ status: 'connected' });
    expect(reconnected?.lastError).toBeUndefined();
    // The SOC was told of the reconnection, which came after the second failed check: by now a
    // second needs-attention notice would have arrived too.
    expect(socNotices('Tailspin Toys is connected')).toHaveLength(2);
    expect(socNotices('Tailspin Toys needs attention')).toHaveLength(1);
    const record = await bot.app.testing.onboarding('tailspin-toys');
    expect(Object.keys(record?.checklist.steps ?? {}).filter((step) => record?.checklist.steps[step]?.doneAt)).toEqual(['groups', 'rbac']);
    const events = record?.history.map((h) => h.event) ?? [];
    expect(events.filter((e) => ['onboarded', 'connected', 'needs attention'].includes(e))).toEqual(['onboarded', 'connected', 'needs attention', 'connected']);
  });
});

describe('offboarding', () => {
  freshBot();
  beforeAll(async () => {
    await onboardAndConnect(WINGTIP, WINGTIP_CHAT);
    await onboardAndConnect(TAILSPIN, CUSTOMER_CHAT, { withCustomerAdmin: true });
  });

  it('asks first; cancel changes nothing', async () => {
    const { replies } = await bot.say('offboard wingtip-toys', USERS.admin, WINGTIP_CHAT);
    const card = cardIn(replies[0]!);
    expect(cardText(card)).toContain('Offboard Wingtip Toys (wingtip-toys)?');
    const messageId = bot.connector.messagesIn(conversationIdOf(WINGTIP_CHAT)).at(-1)!.id;
    const { body } = await bot.invoke('offboard.cancel', actionsOf(card, 'offboard.cancel')[0]!, USERS.admin, WINGTIP_CHAT, messageId);
    expect(cardText((body as { value: unknown }).value)).toContain('nothing was changed');
    expect(await bot.app.testing.tenant('wingtip-toys')).toMatchObject({ status: 'connected' });
  });

  it('stops serving the tenant, removes its links and customer admins, keeps the audit trail, and says how to remove the app', async () => {
    await bot.say('link tailspin-toys', USERS.admin, CUSTOMER_CHAT);
    expect(await bot.app.testing.channelLinks({ tenant: 'tailspin-toys' })).toHaveLength(1);
    const auditBefore = await bot.app.testing.auditTrail();
    const refused = await bot.say('offboard tailspin-toys', USERS.analyst, CUSTOMER_CHAT);
    expect(cardText(cardIn(refused.replies[0]!))).toContain('needs the admin role');

    const { replies } = await bot.say('offboard tailspin-toys', USERS.admin, CUSTOMER_CHAT);
    const card = cardIn(replies[0]!);
    expect(cardText(card)).toContain('Isaiah Customer');
    const messageId = bot.connector.messagesIn(conversationIdOf(CUSTOMER_CHAT)).at(-1)!.id;
    const denied = await bot.invoke('offboard.confirm', actionsOf(card, 'offboard.confirm')[0]!, USERS.analyst, CUSTOMER_CHAT, messageId);
    expect(cardText((denied.body as { value: unknown }).value)).toContain('needs the admin role');
    expect(await bot.app.testing.tenant('tailspin-toys')).toMatchObject({ status: 'connected' });

    const { body } = await bot.invoke('offboard.confirm', actionsOf(card, 'offboard.confirm')[0]!, USERS.admin, CUSTOMER_CHAT, messageId);
    const text = cardText((body as { value: unknown }).value);
    expect(text).toContain('Tailspin Toys (tailspin-toys) is offboarded');
    expect(text).toContain('Enterprise applications');
    expect(text).toContain(TEST_APP.clientId);
    expect(text).toContain('Channel link removed');
    expect(bot.connector.message(messageId)?.updates).toBe(1);

    expect(await bot.app.testing.tenant('tailspin-toys')).toMatchObject({ status: 'offboarded' });
    const tenants = cardText(cardIn((await bot.say('tenants', USERS.viewer)).replies[0]!));
    expect(tenants).toContain('Wingtip Toys');
    expect(tenants).not.toContain('Tailspin');
    expect(await bot.app.testing.channelLinks({ tenant: 'tailspin-toys' })).toEqual([]);
    expect(await bot.app.testing.roleOf(USERS.customerAdmin.aadObjectId)).toBeUndefined();
    expect(await bot.app.testing.auditTrail()).toEqual(auditBefore);
    expect((await bot.app.testing.onboarding('tailspin-toys'))?.history.map((h) => h.event)).toEqual(expect.arrayContaining(['onboarded', 'connected', 'offboarded']));
  });

  it('closes its consent links and its access guide', async () => {
    const nonce = ConsentStateSigner.newNonce();
    const page = await callbackWith({ admin_consent: 'True', tenant: TAILSPIN.tenantId, state: signer.sign({ tenantId: TAILSPIN.tenantId, nonce, expiresAtMs: Date.now() + 60_000 }) });
    expect(page.status).toBe(400);
    const guide = latestCard(CUSTOMER_CHAT, "give the SOC's analysts access");
    const data = actionsOf(cardIn(guide.activity), 'checklist.done')[0]!;
    const { body } = await bot.invoke('checklist.done', data, USERS.admin, CUSTOMER_CHAT, guide.id);
    // A refusal on a card the conversation shares is a sentence for the clicker; the card stays.
    expect((body as { value: unknown }).value).toEqual(expect.stringContaining('offboarded'));
  });
});
