import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { EMAIL_UNCONFIGURED_REASON } from '../../src/email/email-config.js';
import { ConflictError, NotFoundError, UsageError } from '../../src/errors.js';
import { DEFAULT_RULE_ID } from '../../src/routing/matcher.js';
import { kindsUsed } from '../../src/routing/rule-targets.js';
import { CHANNELS, RoutingWorld, TENANT_IDS, alertWith } from './world.js';

let world: RoutingWorld;

beforeEach(async () => {
  world = await RoutingWorld.create();
  await world.link(CHANNELS.contosoAlerts, 'contoso');
});
afterEach(async () => {
  await world.close();
});

describe('rule add', () => {
  it('stores a rule with the defaults filled in and who made it', async () => {
    const { rule } = await world.addRule('Plain');
    expect(rule).toMatchObject({
      name: 'Plain',
      enabled: true,
      tenants: { scope: 'all' },
      severities: ['high', 'medium'],
      deviceGroups: [],
      content: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true },
      targets: [{ kind: 'teams', value: 'channels' }],
      createdBy: 'admin-1',
      createdByName: 'Alex Admin',
      createdAt: '2026-11-26T09:00:00.000Z',
    });
    expect(rule.id).toMatch(/^r[a-z0-9]{4}$/);
    expect(world.rules.list()).toEqual([rule]);
  });

  it('resolves tenants by handle, domain or id into tenant ids', async () => {
    const { rule } = await world.addRule(`Some tenants:contoso,fabrikam.example,${TENANT_IDS.northwind} to:soc@mssp.example`);
    expect(rule.tenants).toEqual({ scope: 'only', tenantIds: [TENANT_IDS.contoso, TENANT_IDS.fabrikam, TENANT_IDS.northwind] });
  });

  it('uses every kind of target the rule names unless mode: says otherwise', async () => {
    const used = async (text: string) => kindsUsed(world.targets, (await world.addRule(text)).rule);
    expect(await used('A to:soc@mssp.example')).toEqual(['email']);
    expect(await used('B to:channels,soc@mssp.example')).toEqual(['teams', 'email']);
    expect(await used('C to:channels')).toEqual(['teams']);
    expect(await used('D to:channels,soc@mssp.example mode:teams')).toEqual(['teams']);
    expect(await used('E to:channels,soc@mssp.example mode:both')).toEqual(['teams', 'email']);
  });

  it('resolves "here" and channel names to conversation ids', async () => {
    const here = await world.addRule('Here to:here', { conversationId: CHANNELS.contosoAlerts, kind: 'channel' });
    expect(here.rule.targets).toEqual([{ kind: 'teams', value: CHANNELS.contosoAlerts }]);
    const named = await world.addRule('Named to:"SOC › contosoAlerts"');
    expect(named.rule.targets).toEqual([{ kind: 'teams', value: CHANNELS.contosoAlerts }]);
  });

  it.each([
    ['Bad tenants:nosuch', /^tenants: There is no customer tenant "nosuch"/],
    ['Bad to:here', /^to: "here" means this conversation, but alerts cannot go to a personal chat/],
    ['Bad to:"No such room"', /^to: "No such room" is not a linked channel or group chat\. Linked: "SOC › contosoAlerts"/],
    ['Bad mode:email', /^mode: email sends email, but the rule has no email address\. Add one with to:name@example\.com, or use mode:teams/],
    ['Bad to:soc@mssp.example mode:teams', /^mode: teams sends to Teams, but the rule has no Teams target\. .*or use mode:email/],
    ['Bad to:soc@mssp.example mode:both', /^mode: both sends to Teams, but the rule has no Teams target/],
  ])('refuses %s with the reason', async (text, message) => {
    const error = await world.addRule(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).userMessage).toMatch(message);
    expect(world.rules.list()).toEqual([]);
  });

  it('refuses a second rule with the same name, whatever the case', async () => {
    const { rule } = await world.addRule('Night shift');
    const error = await world.addRule('"night SHIFT" to:soc@mssp.example').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).userMessage).toBe(`Rule ${rule.id} is already called "Night shift"; choose another name.`);
  });

  it('warns about tenants whose linked channels are missing, and that the default no longer applies', async () => {
    const { warnings } = await world.addRule('Linked to:channels');
    expect(warnings.join(' ')).toContain('No channel is linked to fabrikam, northwind yet');
    expect(warnings.join(' ')).toContain('the built-in default (medium and higher to each tenant\'s linked channels) no longer applies');
    const second = await world.addRule('Second tenants:contoso to:channels');
    expect(second.warnings).toEqual([]);
  });
});

describe('rule emails', () => {
  it('name the rule that sent them, and the built-in default names none', async () => {
    const { rule } = await world.addRule('"Contoso high" tenants:contoso severity:high to:channels,soc@mssp.example include:org,link');
    const input = { tenant: world.tenant('contoso'), alert: alertWith({ severity: 'high' }), options: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: false }, to: 'soc@mssp.example' };
    expect(world.emailComposer.compose({ ...input, ruleId: rule.id }).text).toContain('because of the notification rule "Contoso high"');
    expect(world.emailComposer.compose({ ...input, ruleId: DEFAULT_RULE_ID }).text).not.toContain('because of the notification rule');
  });
});

describe('email availability', () => {
  it('refuses rules that need email when it is not configured, with the reason', async () => {
    const offline = await RoutingWorld.create({ emailAvailable: false });
    try {
      await expect(offline.addRule('Mail to:soc@mssp.example')).rejects.toThrow(`mode: email needs email, and ${EMAIL_UNCONFIGURED_REASON}`);
      await expect(offline.addRule('Both to:channels,soc@mssp.example')).rejects.toThrow(/mode: both needs email/);
      const { rule } = await offline.addRule('Teams only to:channels');
      expect(kindsUsed(offline.targets, rule)).toEqual(['teams']);
    } finally {
      await offline.close();
    }
  });
});

describe('rule edit', () => {
  it('replaces only the fields given', async () => {
    const { rule } = await world.addRule('Edit me severity:high groups:Servers to:channels');
    await world.clock.advance(3_600_000);
    const { rule: edited } = await world.editRule(rule.id, 'severity:low+ name:"Edited"');
    expect(edited).toMatchObject({ id: rule.id, name: 'Edited', severities: ['high', 'medium', 'low'], deviceGroups: ['Servers'], targets: rule.targets, updatedByName: 'Alex Admin', updatedAt: '2026-11-26T10:00:00.000Z' });
    expect(world.rules.get(rule.id)).toEqual(edited);
  });

  it('uses every kind of the new targets when only the targets change', async () => {
    const { rule } = await world.addRule('Switch to:channels,soc@mssp.example mode:teams');
    const { rule: edited } = await world.editRule(rule.id, 'to:soc@mssp.example');
    expect(kindsUsed(world.targets, edited)).toEqual(['email']);
    expect(edited.targets).toEqual([{ kind: 'email', value: 'soc@mssp.example' }]);
  });

  it('clears the title filter with title:none', async () => {
    const { rule } = await world.addRule('Titled title:ransom');
    expect(rule.titleContains).toBe('ransom');
    expect((await world.editRule(rule.id, 'title:none')).rule.titleContains).toBeUndefined();
  });

  it('refuses an edit that leaves the rule invalid, and keeps the rule as it was', async () => {
    const { rule } = await world.addRule('Keep to:channels');
    await expect(world.editRule(rule.id, 'mode:email')).rejects.toThrow(/^mode: email sends email, but the rule has no email address/);
    expect(world.rules.get(rule.id)).toEqual(rule);
  });

  it('refuses a rename onto another rule\'s name', async () => {
    await world.addRule('One');
    const { rule } = await world.addRule('Two');
    await expect(world.editRule(rule.id, 'name:ONE')).rejects.toThrow(/is already called "One"/);
  });

  it('says which rules exist when the id is unknown', async () => {
    const { rule } = await world.addRule('Exists');
    const error = (await world.editRule('rzzzz', 'severity:high').catch((e: unknown) => e)) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.userMessage).toBe(`There is no rule "rzzzz". Rules: ${rule.id} ("rules" lists them).`);
  });
});

describe('pause, resume, remove', () => {
  const ctx = { actor: { userId: 'u', displayName: 'U', role: 'admin' as const, bootstrap: false }, place: { conversationId: 'a:x', kind: 'personal' as const } };

  it('pauses and resumes, saying whether anything changed', async () => {
    const { rule } = await world.addRule('Toggle');
    expect((await world.rules.setEnabled(rule.id, false, ctx)).changed).toBe(true);
    expect((await world.rules.setEnabled(rule.id, false, ctx)).changed).toBe(false);
    expect(world.rules.get(rule.id).enabled).toBe(false);
    expect((await world.rules.setEnabled(rule.id, true, ctx)).changed).toBe(true);
    expect(world.rules.get(rule.id).enabled).toBe(true);
  });

  it('removes, reporting how many remain', async () => {
    const a = await world.addRule('A');
    await world.addRule('B');
    expect((await world.rules.remove(a.rule.id, ctx)).remaining).toBe(1);
    expect(world.rules.list().map((r) => r.name)).toEqual(['B']);
    await expect(world.rules.remove(a.rule.id, ctx)).rejects.toThrow(NotFoundError);
  });
});
