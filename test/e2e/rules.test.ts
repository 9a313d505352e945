import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText, type Place } from '../helpers/harness.js';
import { TestSmtpServer, parseMail } from '../helpers/smtp.js';

let bot: BotHarness;
let smtp: TestSmtpServer;

const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const FABRIKAM_ID = CUSTOMERS.fabrikam.tenant.tenantId;
const CONTOSO_ROOM = '19:contoso-room@thread.tacv2';
const FABRIKAM_ROOM = '19:fabrikam-room@thread.tacv2';
const SHARED_ROOM = '19:shared-room@thread.tacv2';
const QUIET_ROOM = '19:quiet-room@thread.tacv2';
const channel = (channelId: string, channelName: string): Place => ({ kind: 'channel', channelId, channelName, teamName: 'SOC' });
const IN = {
  contoso: channel(CONTOSO_ROOM, 'Contoso alerts'),
  fabrikam: channel(FABRIKAM_ROOM, 'Fabrikam alerts'),
  shared: channel(SHARED_ROOM, 'All customers'),
  quiet: channel(QUIET_ROOM, 'Quiet room'),
} as const;

beforeAll(async () => {
  smtp = await TestSmtpServer.start();
});
afterAll(async () => {
  await smtp?.close();
});

/**
 * Gives the enclosing describe block a bot of its own, with SMTP, the analyst, viewer and
 * Contoso customer-admin roles, and the bot in all four channels (the quiet room never linked).
 * With `linked`, Contoso's and Fabrikam's rooms receive their customer's alerts and the shared
 * room both customers'.
 */
function freshBot({ linked }: { linked: boolean }): void {
  beforeAll(async () => {
    bot = await BotHarness.start({ env: { SMTP_URL: smtp.url(), MAIL_FROM: 'SOC Bridge <soc-bridge@mssp.example>' } });
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say(`role grant ${USERS.viewer.aadObjectId} viewer`);
    await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso`);
    for (const place of Object.values(IN)) await bot.say('whoami', USERS.admin, place);
    if (!linked) return;
    for (const [handle, place] of [['contoso', IN.contoso], ['fabrikam', IN.fabrikam], ['contoso', IN.shared], ['fabrikam', IN.shared]] as const) {
      expect(await say(`link ${handle}`, USERS.admin, place)).toContain('Linked to');
    }
  });
  afterAll(async () => {
    await bot?.stop();
  });
}

/** The text of the reply card (the last post: proactive posts the command made come first). */
async function say(text: string, user = USERS.admin, place: Place = { kind: 'personal' }): Promise<string> {
  const { replies } = await bot.say(text, user, place);
  return cardText(cardIn(replies.at(-1)!));
}

/** The targets (Teams conversation or email address) a new alert of the tenant would reach now. */
const routeOf = async (tenantRef: string, alert: Alert) => (await bot.app.testing.routeOf(tenantRef, alert)).map((r) => r.target);
const newAlert = (overrides: Partial<Alert> = {}): Alert => ({ ...bot.graph.alerts(CONTOSO_ID)[0]!, severity: 'high', ...overrides });

/** Rule id in a "Rule added: name (rxxxx)" reply. */
const ruleIdIn = (text: string): string => {
  const id = /Rule (?:added|changed): .* \((r[a-z0-9]+)\)/.exec(text)?.[1];
  if (!id) throw new Error(`no rule id in: ${text.slice(0, 300)}`);
  return id;
};

describe('link, unlink, channels', () => {
  freshBot({ linked: false });

  it('links a channel to a customer, for admins only, and never in a personal chat', async () => {
    expect(await say('link contoso', USERS.analyst, IN.contoso)).toContain('Not allowed');
    expect(await say('link contoso', USERS.admin)).toContain('Alerts go to Teams channels and group chats, not personal chats');
    const text = await say('link contoso', USERS.admin, IN.contoso);
    expect(text).toContain('Linked to Contoso Ltd');
    expect(text).toContain('SOC › Contoso alerts now receives Contoso Ltd\'s alerts');
    expect(text).toContain('the built-in default rule (medium and higher)');
    expect((await bot.app.testing.channelLinks()).map((l) => [l.conversationId, l.tenantId, l.health])).toEqual([[CONTOSO_ROOM, CONTOSO_ID, 'active']]);
    const probes = bot.connector.calls.filter((c) => c.method === 'POST' && c.conversationId === CONTOSO_ROOM && c.body?.type === 'typing');
    expect(probes).toHaveLength(1);
  });

  it('refuses a private channel Teams will not let it post to on its own, says what to do, and links once the app is in its team', async () => {
    const privateRoom = '19:private-room@thread.tacv2';
    const place = channel(privateRoom, 'Incident response (private)');
    await bot.say('whoami', USERS.admin, place);
    bot.connector.leaveRoster(privateRoom);
    const refused = await say('link contoso', USERS.admin, place);
    expect(refused).toContain('Not linked: Teams does not let SOC Bridge post alerts in this channel on its own (Teams answered 403 to a test post)');
    expect(refused).toContain('Link a standard channel or a group chat instead, or add SOC Bridge to this channel\'s team (for a shared channel, its host team) and type "link" here again.');
    expect(await bot.app.testing.channelLinks({ conversationId: privateRoom })).toEqual([]);
    expect(await routeOf('contoso', newAlert())).not.toContainEqual({ kind: 'teams', conversationId: privateRoom });
    bot.connector.joinRoster(privateRoom);
    expect(await say('link contoso', USERS.admin, place)).toContain('Linked to Contoso Ltd');
    expect((await bot.app.testing.channelLinks({ conversationId: privateRoom })).map((l) => [l.tenantId, l.health])).toEqual([[CONTOSO_ID, 'active']]);
    expect(await say('unlink contoso', USERS.admin, place)).toContain('Unlinked');
  });

  it('links many-to-many and says when a link already exists', async () => {
    await say('link fabrikam', USERS.admin, IN.fabrikam);
    await say('link contoso', USERS.admin, IN.shared);
    await say('link fabrikam', USERS.admin, IN.shared);
    expect(await say('link contoso', USERS.admin, IN.shared)).toContain('Already linked to Contoso Ltd');
    expect(await bot.app.testing.channelLinks()).toHaveLength(4);
  });

  it('refuses an unknown customer with a hint', async () => {
    expect(await say('link contosso', USERS.admin, IN.quiet)).toContain('There is no customer tenant "contosso". Did you mean "contoso"?');
    expect(await bot.app.testing.channelLinks({ conversationId: QUIET_ROOM })).toEqual([]);
  });

  it('tenants shows where each customer\'s alerts go', async () => {
    const text = await say('tenants', USERS.viewer);
    expect(text).toContain('SOC › Contoso alerts; SOC › All customers');
    expect(text).toContain('SOC › Fabrikam alerts; SOC › All customers');
    expect(text).toContain('none linked');
  });

  it('channels lists every link with its health for viewers, and a customer-admin only their own', async () => {
    const all = await say('channels', USERS.viewer);
    expect(all).toContain('4 links, all working.');
    expect(all).toContain('SOC › Fabrikam alerts');
    expect(all.match(/\nactive\n/g)).toHaveLength(4);
    const own = await say('channels', USERS.customerAdmin);
    expect(own).toContain('SOC › Contoso alerts');
    expect(own).toContain('SOC › All customers');
    expect(own).not.toContain('Fabrikam');
    expect(await say('channels fabrikam', USERS.customerAdmin)).toContain('There is no customer tenant "fabrikam"');
  });

  it('unlinks here, or elsewhere by conversation id', async () => {
    await say('link contoso', USERS.admin, IN.fabrikam);
    expect(await say('unlink contoso', USERS.admin, IN.fabrikam)).toContain('SOC › Fabrikam alerts no longer receives Contoso Ltd\'s alerts');
    expect(await say('unlink contoso', USERS.admin, IN.fabrikam)).toContain('is not linked to Contoso Ltd, so there is nothing to unlink');
    await say('link northwind', USERS.admin, IN.fabrikam);
    expect(await say(`unlink northwind ${FABRIKAM_ROOM}`, USERS.admin)).toContain('no longer receives Northwind Traders\'s alerts');
    expect((await bot.app.testing.channelLinks({ conversationId: FABRIKAM_ROOM })).map((l) => l.tenantId)).toEqual([FABRIKAM_ID]);
  });
});

describe('routing over the running app', () => {
  freshBot({ linked: true });

  it('routes with the default rule to linked channels only', async () => {
    expect(await routeOf('contoso', newAlert())).toEqual([
      { kind: 'teams', conversationId: CONTOSO_ROOM },
      { kind: 'teams', conversationId: SHARED_ROOM },
    ]);
    expect(await routeOf('contoso', newAlert({ severity: 'low' }))).toEqual([]);
  });

  it('rules shows the built-in default while there are no rules', async () => {
    const text = await say('rules', USERS.viewer);
    expect(text).toContain('Built-in default rule');
    expect(text).toContain('Default: medium and higher to linked channels');
  });
});

describe('rule commands', () => {
  freshBot({ linked: true });
  let highId: string;

  it('adds a rule in one line and describes it', async () => {
    const text = await say('rule add "Contoso high" tenants:contoso severity:high groups:Servers to:channels,soc@mssp.example include:org,link', USERS.admin, IN.contoso);
    highId = ruleIdIn(text);
    expect(text).toContain('Tenants: contoso');
    expect(text).toContain('Severity: High');
    expect(text).toContain('Device groups: Servers');
    expect(text).toContain("Sends to: Teams: each tenant's linked channels · Email: soc@mssp.example");
    expect(text).toContain('Mode: Teams and email');
    expect(text).toContain('Includes: organization name, tenant-specific portal link');
    expect(text).toContain('the built-in default (medium and higher to each tenant\'s linked channels) no longer applies');
    expect(await bot.app.testing.rule(highId)).toMatchObject({ name: 'Contoso high', createdByName: USERS.admin.name });
  });

  it('routes by the rule from now on: the default is gone', async () => {
    const servers = newAlert({ evidence: [{ '@odata.type': '#microsoft.graph.security.deviceEvidence', rbacGroupName: 'Servers', deviceDnsName: 'srv-01' } as never] });
    expect(await routeOf('contoso', servers)).toEqual([
      { kind: 'teams', conversationId: CONTOSO_ROOM },
      { kind: 'teams', conversationId: SHARED_ROOM },
      { kind: 'email', address: 'soc@mssp.example' },
    ]);
    expect(await routeOf('contoso', { ...servers, severity: 'medium' })).toEqual([]);
    expect(await routeOf('fabrikam', { ...servers, tenantId: FABRIKAM_ID })).toEqual([]);
  });

  it('refuses invalid rules with the exact reason, and stores nothing', async () => {
    const before = await bot.app.testing.rules();
    expect(await say('rule add Bad severity:urgent')).toContain('severity: "urgent" is not a severity. Use one or more of: high, medium, low, informational');
    expect(await say(`rule add Bad to:"${QUIET_ROOM}"`)).toContain('to: SOC › Quiet room is not linked to contoso, fabrikam, northwind');
    expect(await say('rule add Bad to:here')).toContain('to: "here" means this conversation, but alerts cannot go to a personal chat');
    expect(await say('rule add "Contoso HIGH"')).toContain(`Rule ${highId} is already called "Contoso high"`);
    expect(await bot.app.testing.rules()).toEqual(before);
  });

  it('is refused to analysts, viewers and customer-admins', async () => {
    for (const user of [USERS.analyst, USERS.viewer, USERS.customerAdmin]) expect(await say('rule add X', user)).toContain('Not allowed');
    expect(await say(`rule pause ${highId}`, USERS.viewer)).toContain('Not allowed');
  });

  it('lists rules, per customer, and a customer-admin only those covering them', async () => {
    await say('rule add "Fabrikam all" tenants:fabrikam severity:any to:channels');
    expect(await say('rules', USERS.viewer)).toContain('2 rules, 2 enabled');
    const fabrikam = await say('rules fabrikam', USERS.viewer);
    expect(fabrikam).toContain('Fabrikam all');
    expect(fabrikam).not.toContain('Contoso high');
    const own = await say('rules', USERS.customerAdmin);
    expect(own).toContain('Contoso high');
    expect(own).not.toContain('Fabrikam');
  });

  it('edits a rule field by field', async () => {
    const text = await say(`rule edit ${highId} severity:medium+ title:ransom`);
    expect(text).toContain(`Rule changed: Contoso high (${highId})`);
    expect(text).toContain('Severity: High, Medium');
    expect(text).toContain('Title contains: "ransom"');
    expect(await bot.app.testing.rule(highId)).toMatchObject({ severities: ['high', 'medium'], titleContains: 'ransom', deviceGroups: ['Servers'] });
  });

  it('pauses and resumes', async () => {
    expect(await say(`rule pause ${highId}`)).toContain('is paused: it delivers nothing until resumed');
    expect(await bot.app.testing.rule(highId)).toMatchObject({ enabled: false });
    expect(await say('rules', USERS.viewer)).toContain('Paused');
    expect(await say(`rule resume ${highId}`)).toContain('delivers new alerts again');
    expect(await bot.app.testing.rule(highId)).toMatchObject({ enabled: true });
  });

  it('documents the one-line syntax in help', async () => {
    // The card neutralizer puts an invisible zero-width space after "]" so "] [" cannot form a Markdown reference link.
    const text = (await say('help rule add')).replace(/\u200b/g, '');
    expect(text).toContain('rule add <name> [tenants:all|<t1>,<t2>] [except:<t1>,…] [severity:high,medium|medium+|any]');
    expect(text).toContain('rule add "Contoso high" tenants:contoso severity:high to:channels,soc@mssp.example');
  });
});

describe('rule test', () => {
  freshBot({ linked: true });

  it('sends one SAMPLE card to each linked channel the rule reaches, and a SAMPLE email, and nothing elsewhere', async () => {
    const id = ruleIdIn(await say('rule add "Test me" tenants:contoso,fabrikam to:channels,test@mssp.example'));
    const before = { contoso: bot.connector.messagesIn(CONTOSO_ROOM).length, fabrikam: bot.connector.messagesIn(FABRIKAM_ROOM).length, shared: bot.connector.messagesIn(SHARED_ROOM).length, quiet: bot.connector.messagesIn(QUIET_ROOM).length, mail: smtp.received.length };
    const text = await say(`rule test ${id}`);
    expect(text).toContain('A sample alert, marked SAMPLE, went to 4 of 4 targets.');
    expect(text).toContain('Sent: SOC › Contoso alerts (Teams)');
    expect(text).toContain('Sent: test@mssp.example (email)');
    for (const room of [CONTOSO_ROOM, FABRIKAM_ROOM, SHARED_ROOM]) {
      const posted = bot.connector.messagesIn(room).slice(room === CONTOSO_ROOM ? before.contoso : room === FABRIKAM_ROOM ? before.fabrikam : before.shared);
      expect(posted).toHaveLength(1);
      const card = cardText(cardIn(posted[0]!.activity));
      expect(card).toContain('SAMPLE ALERT — test of rule "Test me"');
      expect(card).toContain('It is not a real Defender alert.');
      expect(JSON.stringify(posted[0]!.activity)).not.toContain('alert.assign');
    }
    expect(bot.connector.messagesIn(QUIET_ROOM)).toHaveLength(before.quiet);
    await smtp.waitFor(before.mail + 1);
    const mails = smtp.received.slice(before.mail);
    expect(mails).toHaveLength(1);
    const mail = parseMail(mails[0]!.raw);
    expect(mail.header('to')).toBe('test@mssp.example');
    expect(mail.header('subject')).toMatch(/^\[SAMPLE\] High severity alert — (Contoso Ltd|Fabrikam Inc): SAMPLE ALERT — test of rule "Test me"$/);
    expect(mail.text).toContain('This is a sample, not a real Defender alert.');
    expect(mail.text).toContain('because of the notification rule "Test me"');
  });

  it('reports a channel Teams refuses, marks its links broken once, and channels shows why', async () => {
    const id = ruleIdIn(await say(`rule add "Shared only" tenants:contoso to:"${SHARED_ROOM}"`));
    bot.connector.injectFaults([403, 403, 403, 403].map((status) => ({ status, conversationId: SHARED_ROOM })));
    const text = await say(`rule test ${id}`);
    bot.connector.clearFaults();
    expect(text).toContain('went to 0 of 1 target');
    expect(text).toContain('Failed: SOC › All customers (Teams): Teams answered 403');
    const shared = await bot.app.testing.channelLinks({ conversationId: SHARED_ROOM });
    expect(shared.map((l) => [l.tenantId, l.health])).toEqual([[CONTOSO_ID, 'broken'], [FABRIKAM_ID, 'broken']]);
    for (const link of shared) expect(link.reason).toContain('Teams refused the post (403)');
    expect(await bot.app.services.links.markBroken(SHARED_ROOM, 'again')).toBe(false);
    const channels = await say('channels', USERS.viewer);
    expect(channels).toContain('2 not working');
    expect(channels).toContain('Teams refused the post (403)');
    expect(await routeOf('contoso', newAlert())).not.toContainEqual({ kind: 'teams', conversationId: SHARED_ROOM });
    expect(await say('link contoso', USERS.admin, IN.shared)).toContain('Broken links of this conversation are marked working again');
    expect((await bot.app.testing.channelLinks({ conversationId: SHARED_ROOM })).map((l) => l.health)).toEqual(['active', 'active']);
  });
});

describe('the rule form', () => {
  freshBot({ linked: true });

  it('opens with choice sets for tenants, severities, sources, categories and linked channels', async () => {
    const { replies } = await bot.say('rule new');
    const card = cardIn(replies[0]!);
    const inputs = new Map<string, { type: string; choices?: { value: string }[]; value?: string }>();
    JSON.stringify(card, (_k, v: unknown) => {
      if (v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string' && String((v as { type?: unknown }).type).startsWith('Input.')) inputs.set((v as { id: string }).id, v as never);
      return v;
    });
    expect([...inputs.keys()].sort()).toEqual(
      ['name', 'tenantScope', 'tenants', 'severities', 'deviceGroups', 'serviceSources', 'detectionSources', 'categories', 'title', 'linkedChannels', 'channels', 'emails', 'mode', 'includeOrgName', 'includePortalLink', 'includeDeviceInfo', 'enabled'].sort(),
    );
    expect(inputs.get('tenants')?.choices?.map((c) => c.value)).toEqual(expect.arrayContaining([CONTOSO_ID, FABRIKAM_ID]));
    expect(inputs.get('channels')?.choices?.map((c) => c.value)).toEqual(expect.arrayContaining([CONTOSO_ROOM, SHARED_ROOM]));
    expect(inputs.get('channels')?.choices?.map((c) => c.value)).not.toContain(QUIET_ROOM);
    expect(inputs.get('severities')?.value).toBe('high,medium');
    expect((card.actions as { verb: string }[])[0]?.verb).toBe('rule.save');
  });

  const form = {
    verb: 'rule.save', ruleId: '', name: 'From the form', tenantScope: 'only', tenants: `${CONTOSO_ID},${FABRIKAM_ID}`, severities: 'high', deviceGroups: 'Servers, Finance laptops',
    serviceSources: 'microsoftDefenderForEndpoint', detectionSources: 'antivirus,customDetection', categories: 'Ransomware', title: '', includeOrgName: 'true', includePortalLink: 'true',
    includeDeviceInfo: 'false', linkedChannels: 'false', channels: CONTOSO_ROOM, emails: 'form@mssp.example; second@mssp.example', mode: 'both', enabled: 'true',
  };

  it('creates the rule Action.Execute submits', async () => {
    const { body } = await bot.invoke('rule.save', form);
    const text = cardText((body as { value: unknown }).value);
    const id = ruleIdIn(text);
    expect(await bot.app.testing.rule(id)).toMatchObject({
      name: 'From the form',
      tenants: { scope: 'only', tenantIds: [CONTOSO_ID, FABRIKAM_ID] },
      severities: ['high'],
      deviceGroups: ['Servers', 'Finance laptops'],
      serviceSources: ['microsoftDefenderForEndpoint'],
      detectionSources: ['antivirus', 'customDetection'],
      categories: ['Ransomware'],
      content: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: false },
      targets: [
        { kind: 'teams', value: CONTOSO_ROOM },
        { kind: 'email', value: 'form@mssp.example' },
        { kind: 'email', value: 'second@mssp.example' },
      ],
      mode: ['teams', 'email'],
      enabled: true,
    });
  });

  it('returns the form with the exact reason and the submitted values when the rule is invalid', async () => {
    const before = await bot.app.testing.rules();
    const { body } = await bot.invoke('rule.save', { ...form, name: 'Invalid form', channels: QUIET_ROOM });
    const card = (body as { value: Record<string, unknown> }).value;
    const text = cardText(card);
    expect(text).toContain('to: SOC › Quiet room is not linked to contoso, fabrikam');
    expect(JSON.stringify(card)).toContain('"value":"Invalid form"');
    expect(await bot.app.testing.rules()).toEqual(before);
    const noTenants = cardText((await bot.invoke('rule.save', { ...form, name: 'No tenants', tenants: '' })).body as never);
    expect(noTenants).toContain('Customers: "only the customers chosen" needs at least one chosen customer.');
  });

  it('edits an existing rule: "rule edit <id>" opens the form filled in, Save changes it', async () => {
    const id = ruleIdIn(await say('rule add "Form edit" severity:high to:channels'));
    const { replies } = await bot.say(`rule edit ${id}`);
    const card = cardIn(replies[0]!);
    expect(cardText(card)).toContain(`Edit rule ${id}`);
    expect(JSON.stringify(card)).toContain('"value":"Form edit"');
    expect((card.actions as { data: { ruleId: string } }[])[0]?.data.ruleId).toBe(id);
    await bot.invoke('rule.save', { ...form, ruleId: id, name: 'Form edited', emails: '', mode: 'teams' });
    expect(await bot.app.testing.rule(id)).toEqual(expect.objectContaining({ name: 'Form edited', mode: ['teams'], targets: [{ kind: 'teams', value: CONTOSO_ROOM }] }));
  });

  it('refuses a viewer who submits the form', async () => {
    const before = await bot.app.testing.rules();
    const { body } = await bot.invoke('rule.save', { ...form, name: 'Viewer rule' }, USERS.viewer);
    expect(cardText((body as { value: unknown }).value)).toContain('Not allowed');
    expect(await bot.app.testing.rules()).toEqual(before);
  });
});

describe('rule remove', () => {
  freshBot({ linked: true });

  it('removes every rule, after which the default applies again', async () => {
    const ids = [ruleIdIn(await say('rule add "Contoso email" tenants:contoso to:soc@mssp.example')), ruleIdIn(await say('rule add "Fabrikam all" tenants:fabrikam severity:any to:channels'))];
    expect(await routeOf('contoso', newAlert())).toEqual([{ kind: 'email', address: 'soc@mssp.example' }]);
    let last = '';
    for (const id of ids) last = await say(`rule remove ${id}`);
    expect(last).toContain('No rules remain, so the built-in default applies again');
    expect(await bot.app.testing.rules()).toEqual([]);
    expect((await bot.app.testing.routeOf('contoso', newAlert())).map((r) => [r.ruleId, r.target])).toEqual([
      ['default', { kind: 'teams', conversationId: CONTOSO_ROOM }],
      ['default', { kind: 'teams', conversationId: SHARED_ROOM }],
    ]);
  });
});

describe('without SMTP in connected mode', () => {
  it('refuses rules that need email, saying how to configure it', async () => {
    const plain = await BotHarness.start();
    try {
      const { replies } = await plain.say('rule add Mail to:soc@mssp.example');
      expect(cardText(cardIn(replies[0]!))).toContain('mode: email needs email, and email is not configured: set SMTP_URL and MAIL_FROM');
      expect(await plain.app.testing.rules()).toEqual([]);
      const form = await plain.say('rule new');
      expect(cardText(cardIn(form.replies[0]!))).toContain('Email is unavailable: email is not configured: set SMTP_URL and MAIL_FROM');
    } finally {
      await plain.stop();
    }
  });
});
