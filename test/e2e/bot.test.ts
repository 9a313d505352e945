import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { textsLostToMarkup } from '../helpers/card-checks.js';
import { BOT, BotHarness, cardIn, cardText, TEAMS_TENANT_ID, USERS } from '../helpers/harness.js';

let bot: BotHarness;

/** Gives the enclosing describe block a bot of its own, so no block depends on what another did. */
function freshBot(): void {
  beforeAll(async () => {
    bot = await BotHarness.start();
  });
  afterAll(async () => {
    await bot?.stop();
  });
}

describe('help and whoami', () => {
  freshBot();

  it('shows an admin every command, with examples', async () => {
    const { status, replies } = await bot.say('help');
    expect(status).toBe(200);
    expect(replies).toHaveLength(1);
    const text = cardText(cardIn(replies[0]!));
    for (const usage of ['whoami', 'roles', 'role grant', 'role revoke']) expect(text).toContain(usage);
    expect(text).toContain('Example:');
    expect(text).toContain('Your role: admin');
  });

  it('keeps every <placeholder> of the help card visible to the renderer', async () => {
    const { replies } = await bot.say('help');
    const card = cardIn(replies[0]!);
    expect(textsLostToMarkup(card)).toEqual([]);
    const shown = cardText(card).replaceAll('\u200b', '');
    for (const usage of ['alert <tenant> <alert-id>', 'link <tenant>', 'rule add <name>', 'tenants:all|<t1>,<t2>', 'except:<t1>', 'role grant <@user|object-id>']) expect(shown).toContain(usage);
  });

  it('shows a user without a role only help and whoami', async () => {
    const { replies } = await bot.say('help', USERS.nobody);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('whoami');
    expect(text).not.toContain('role grant <');
    expect(text).not.toContain('role revoke');
    expect(text).toContain('no SOC Bridge role');
  });

  it('whoami shows the Teams identity, object id, email and role', async () => {
    const { replies } = await bot.say('whoami', USERS.admin);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain(USERS.admin.name);
    expect(text).toContain(USERS.admin.aadObjectId);
    expect(text).toContain(USERS.admin.email);
    expect(text).toContain(USERS.admin.id);
    expect(text).toContain(TEAMS_TENANT_ID);
    expect(text).toContain('admin');
  });

  it('strips the @mention in a channel and answers in the thread', async () => {
    const { replies, calls } = await bot.say('whoami', USERS.admin, { kind: 'channel' });
    expect(cardText(cardIn(replies[0]!))).toContain(USERS.admin.aadObjectId);
    expect(calls[calls.length - 1]?.conversationId).toMatch(/^19:contoso-alerts@thread\.tacv2;messageid=\d+$/);
  });

  it('treats commands case-insensitively and tolerates rich-text markup', async () => {
    const { replies } = await bot.say('<p>WhoAmI&nbsp;</p>', USERS.admin);
    expect(cardText(cardIn(replies[0]!))).toContain(USERS.admin.aadObjectId);
  });
});

describe('unknown input', () => {
  freshBot();

  it('answers with the nearest command and a help button', async () => {
    const { replies } = await bot.say('whoamii');
    const card = cardIn(replies[0]!);
    expect(cardText(card)).toContain('Did you mean "whoami"?');
    const actions = card.actions as { verb: string; data: { command: string } }[];
    expect(actions.map((a) => a.data.command)).toEqual(['help whoami', 'help']);
  });

  it('does not run a command hidden inside other words (no substring routing)', async () => {
    const { replies } = await bot.say('please discard the roles');
    expect(cardText(cardIn(replies[0]!))).toContain("I don't know that command");
  });

  it('neutralizes hostile text echoed back', async () => {
    const { replies } = await bot.say('[click](https://evil.example) ${secret}');
    const text = cardText(cardIn(replies[0]!));
    expect(text).not.toContain('](');
    expect(text).not.toContain('${');
  });

  it('the help button runs help for the clicker', async () => {
    const { status, body } = await bot.invoke('command.run', { verb: 'command.run', command: 'help' }, USERS.nobody);
    expect(status).toBe(200);
    const response = body as { statusCode: number; type: string; value: unknown };
    expect(response.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(response.value)).toContain('no SOC Bridge role');
  });

  it('a button without a valid command says what is wrong with it', async () => {
    const { body } = await bot.invoke('command.run', { command: '' }, USERS.admin);
    const text = cardText((body as { value: unknown }).value);
    expect(text).toContain("This card's data is not valid (command:");
    expect(text).toContain('Type "help" instead.');
  });
});

describe('roles', () => {
  freshBot();

  it('lets an admin grant and revoke roles by object id and by @mention', async () => {
    const granted = await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    expect(cardText(cardIn(granted.replies[0]!))).toContain('is now analyst');

    const mention = { type: 'mention', text: `<at>${USERS.viewer.name}</at>`, mentioned: { id: USERS.viewer.id, name: USERS.viewer.name } };
    const byMention = await bot.say(`role grant <at>${USERS.viewer.name}</at> viewer`, USERS.admin, { kind: 'channel' }, [mention]);
    expect(cardText(cardIn(byMention.replies[0]!))).toContain(`${USERS.viewer.name} is now viewer`);

    const customer = await bot.say(`role grant ${USERS.customerAdmin.aadObjectId} customer-admin contoso`);
    expect(cardText(cardIn(customer.replies[0]!))).toContain('customer-admin for customer contoso');

    const holders = await bot.app.testing.roleHolders();
    expect(holders.map((r) => [r.userId, r.role, r.tenant, r.bootstrap])).toEqual([
      [USERS.admin.aadObjectId, 'admin', undefined, true],
      [USERS.analyst.aadObjectId, 'analyst', undefined, false],
      [USERS.viewer.aadObjectId, 'viewer', undefined, false],
      [USERS.customerAdmin.aadObjectId, 'customer-admin', 'contoso', false],
    ]);

    const list = await bot.say('roles');
    const text = cardText(cardIn(list.replies[0]!));
    expect(text).toContain('configuration (SOC_ADMIN_IDS)');
    expect(text).toContain('customer contoso');
    expect(text).toContain(USERS.viewer.name);
  });

  it('gives the analyst role to the analyst', async () => {
    const { replies } = await bot.say('whoami', USERS.analyst);
    expect(cardText(cardIn(replies[0]!))).toMatch(/SOC Bridge role\s+analyst/);
  });

  it('refuses a viewer who tries to grant, and changes nothing', async () => {
    const before = await bot.app.testing.roleHolders();
    const { replies } = await bot.say(`role grant ${USERS.nobody.aadObjectId} admin`, USERS.viewer);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain('Not allowed');
    expect(text).toContain('needs the admin role');
    expect(await bot.app.testing.roleHolders()).toEqual(before);
  });

  it('explains bad arguments precisely', async () => {
    const badRole = await bot.say(`role grant ${USERS.nobody.aadObjectId} superuser`);
    expect(cardText(cardIn(badRole.replies[0]!))).toContain('"superuser" is not a role. Roles: admin, analyst, viewer, customer-admin.');
    const noTenant = await bot.say(`role grant ${USERS.nobody.aadObjectId} customer-admin`);
    expect(cardText(cardIn(noTenant.replies[0]!))).toContain('limited to one customer tenant');
    const notUser = await bot.say('role grant bob analyst');
    expect(cardText(cardIn(notUser.replies[0]!))).toContain('"bob" is not a user');
  });

  it('refuses to change a bootstrap admin', async () => {
    const { replies } = await bot.say(`role revoke ${USERS.admin.aadObjectId}`);
    expect(cardText(cardIn(replies[0]!))).toContain('bootstrap admin from the SOC_ADMIN_IDS setting');
    expect(await bot.app.testing.roleOf(USERS.admin.aadObjectId)).toMatchObject({ role: 'admin', bootstrap: true });
  });

  it('revokes, and the user falls back to help and whoami only', async () => {
    const { replies } = await bot.say(`role revoke ${USERS.viewer.aadObjectId}`);
    expect(cardText(cardIn(replies[0]!))).toContain('no longer has the viewer role');
    const help = await bot.say('help', USERS.viewer);
    expect(cardText(cardIn(help.replies[0]!))).not.toContain('roles');
  });
});

describe('install bookkeeping', () => {
  freshBot();

  const teamPlace = { kind: 'channel', channelId: '19:general@thread.tacv2', teamId: '19:general@thread.tacv2', channelName: 'General', teamName: 'SOC' } as const;

  it('stores the reference on install and welcomes once, though Teams sends two events', async () => {
    const added: Record<string, unknown> = { ...bot.baseActivity('conversationUpdate', USERS.admin, teamPlace), membersAdded: [{ id: BOT.id }] };
    (added.conversation as { id: string }).id = '19:general@thread.tacv2';
    const first = await bot.post(added);
    expect(first.status).toBe(200);
    const install: Record<string, unknown> = { ...bot.baseActivity('installationUpdate', USERS.admin, teamPlace), action: 'add' };
    (install.conversation as { id: string }).id = '19:general@thread.tacv2';
    const second = await bot.post(install);
    const welcomes = [...first.calls, ...second.calls].filter((c) => c.method === 'POST');
    expect(welcomes).toHaveLength(1);
    expect(cardText(cardIn(welcomes[0]!.body!))).toContain('Hello from SOC Bridge');

    const record = await bot.app.testing.conversation('19:general@thread.tacv2');
    expect(record).toMatchObject({
      kind: 'channel',
      serviceUrl: bot.connector.serviceUrl,
      teamsTenantId: TEAMS_TENANT_ID,
      teamName: 'SOC',
      channelName: 'General',
      active: true,
    });
  });

  it('marks the reference inactive on removal, and active again on re-install', async () => {
    const removed: Record<string, unknown> = { ...bot.baseActivity('installationUpdate', USERS.admin, teamPlace), action: 'remove' };
    (removed.conversation as { id: string }).id = '19:general@thread.tacv2';
    await bot.post(removed);
    expect(await bot.app.testing.conversation('19:general@thread.tacv2')).toMatchObject({ active: false });

    const again: Record<string, unknown> = { ...bot.baseActivity('installationUpdate', USERS.admin, teamPlace), action: 'add' };
    (again.conversation as { id: string }).id = '19:general@thread.tacv2';
    const { calls } = await bot.post(again);
    expect(await bot.app.testing.conversation('19:general@thread.tacv2')).toMatchObject({ active: true });
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('learns a channel from a message even without an install event', async () => {
    await bot.say('help', USERS.admin, { kind: 'channel', channelId: '19:fabrikam@thread.tacv2', channelName: 'Fabrikam alerts' });
    expect(await bot.app.testing.conversation('19:fabrikam@thread.tacv2')).toMatchObject({ kind: 'channel', channelName: 'Fabrikam alerts', active: true });
  });

  it('names a channel that Teams identifies by id only, asking the Bot Connector once per team', async () => {
    const team = '19:names-team@thread.tacv2';
    const place = { kind: 'channel', teamId: team, channelId: '19:names-contoso@thread.tacv2', idsOnly: true } as const;
    bot.connector.addTeam({ id: team, name: 'SOC', channels: [{ id: team }, { id: place.channelId, name: 'Contoso alerts' }] });
    const lookups = () => bot.connector.calls.filter((c) => c.method === 'GET' && c.path.startsWith('/v3/teams/')).length;
    const { replies } = await bot.say('link contoso', USERS.admin, place);
    expect(cardText(cardIn(replies[0]!))).toContain("SOC › Contoso alerts now receives Contoso Ltd's alerts");
    expect(await bot.app.testing.conversation(place.channelId)).toMatchObject({ teamName: 'SOC', channelName: 'Contoso alerts' });
    expect(lookups()).toBe(2);
    await bot.say('help', USERS.admin, place);
    await bot.say('help', USERS.admin, { ...place, channelId: team });
    expect(lookups()).toBe(2);
  });

  it('says "This channel" when the Bot Connector cannot name it, and does not ask again on every message', async () => {
    const place = { kind: 'channel', teamId: '19:unknown-team@thread.tacv2', channelId: '19:unnamed@thread.tacv2', idsOnly: true } as const;
    const { replies } = await bot.say('link contoso', USERS.admin, place);
    const text = cardText(cardIn(replies[0]!));
    expect(text).toContain("This channel now receives Contoso Ltd's alerts");
    expect(text).not.toContain('a channel');
    const asked = () => bot.connector.calls.filter((c) => decodeURIComponent(c.path).startsWith(`/v3/teams/${place.teamId}`)).length;
    expect(asked()).toBe(2);
    await bot.say('help', USERS.admin, place);
    expect(asked()).toBe(2);
  });

  it('renames the channel a channelRenamed event is about, not the team\'s General channel it arrives on', async () => {
    const team = '19:rename-team@thread.tacv2';
    const channel = '19:rename-me@thread.tacv2';
    await bot.say('help', USERS.admin, { kind: 'channel', teamId: team, channelId: channel, channelName: 'Old name', teamName: 'SOC' });
    await bot.say('help', USERS.admin, { kind: 'channel', teamId: team, channelId: team, channelName: 'General', teamName: 'SOC' });
    const renamed: Record<string, unknown> = { ...bot.baseActivity('conversationUpdate', USERS.admin, { kind: 'channel', teamId: team, channelId: team }) };
    renamed.conversation = { id: team, conversationType: 'channel', isGroup: true, tenantId: TEAMS_TENANT_ID };
    renamed.channelData = { eventType: 'channelRenamed', tenant: { id: TEAMS_TENANT_ID }, team: { id: team }, channel: { id: channel, name: 'Contoso escalations' } };
    expect((await bot.post(renamed)).status).toBe(200);
    expect(await bot.app.testing.conversation(channel)).toMatchObject({ channelName: 'Contoso escalations', teamName: 'SOC' });
    expect(await bot.app.testing.conversation(team)).toMatchObject({ channelName: 'General' });
  });

  it('records personal and group chats with their kind', async () => {
    await bot.post({ ...bot.baseActivity('installationUpdate', USERS.analyst, { kind: 'groupChat' }), action: 'add' });
    expect(await bot.app.testing.conversation('19:group-chat@thread.v2')).toMatchObject({ kind: 'groupChat', title: 'Contoso onboarding' });
    await bot.post({ ...bot.baseActivity('conversationUpdate', USERS.analyst, { kind: 'personal', conversationId: 'a:analyst-chat' }), membersAdded: [{ id: BOT.id }] });
    expect(await bot.app.testing.conversation('a:analyst-chat')).toMatchObject({ kind: 'personal', active: true });
  });
});

describe('HTTP surface', () => {
  freshBot();

  it('answers health and readiness', async () => {
    expect(await (await fetch(`${bot.app.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${bot.app.url}/readyz`);
    expect(ready.status).toBe(200);
  });

  it('answers unknown routes with JSON 404', async () => {
    const response = await fetch(`${bot.app.url}/nope`);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toMatchObject({ code: 'ResourceNotFound' });
  });

  it('refuses a body that is not an activity with 400, without internals', async () => {
    const { status, body } = await bot.post({ hello: 'world' });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain('Bot Framework activity');
  });

  it('refuses an oversized body with 413', async () => {
    const response = await fetch(`${bot.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) }),
    });
    expect(response.status).toBe(413);
  });
});
