import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ALERT_CATEGORIES } from '../../src/routing/rule-vocabulary.js';
import { CHANNELS, RoutingWorld, TENANT_IDS, alertWith, channelInfo, type Handle } from './world.js';

let world: RoutingWorld;

beforeEach(async () => {
  world = await RoutingWorld.create();
  await world.link(CHANNELS.contosoAlerts, 'contoso');
  await world.link(CHANNELS.fabrikamAlerts, 'fabrikam');
  await world.link(CHANNELS.shared, 'contoso');
  await world.link(CHANNELS.shared, 'fabrikam');
});
afterEach(async () => {
  await world.close();
});

describe('the default rule (no rules at all)', () => {
  it('sends medium and higher to every channel linked to the tenant, and nowhere else', () => {
    expect(world.route('contoso', alertWith({ severity: 'high' }))).toEqual([CHANNELS.contosoAlerts, CHANNELS.shared].sort());
    expect(world.route('contoso', alertWith({ severity: 'medium' }))).toEqual([CHANNELS.contosoAlerts, CHANNELS.shared].sort());
    expect(world.route('fabrikam', alertWith({ severity: 'high' }))).toEqual([CHANNELS.fabrikamAlerts, CHANNELS.shared].sort());
  });

  it('sends nothing below medium', () => {
    expect(world.route('contoso', alertWith({ severity: 'low' }))).toEqual([]);
    expect(world.route('contoso', alertWith({ severity: 'informational' }))).toEqual([]);
  });

  it('sends nothing for a tenant without linked channels', () => {
    expect(world.route('northwind', alertWith({ severity: 'high' }))).toEqual([]);
  });

  it('names itself, with every content option on', () => {
    const [first] = world.router.route(world.tenant('contoso'), alertWith({ severity: 'high' }));
    expect(first?.ruleId).toBe('default');
    expect(first?.options).toEqual({ includeOrgName: true, includePortalLink: true, includeDeviceInfo: true });
  });

  it('stops applying once any rule exists, even a paused one', async () => {
    const { rule } = await world.addRule('"Only email" to:soc@mssp.example');
    expect(world.route('contoso', alertWith({ severity: 'high' }))).toEqual(['soc@mssp.example']);
    await world.rules.setEnabled(rule.id, false, { actor: { userId: 'u', displayName: 'U', role: 'admin', bootstrap: false }, place: { conversationId: 'a:x', kind: 'personal' } });
    expect(world.route('contoso', alertWith({ severity: 'high' }))).toEqual([]);
  });
});

describe('filters', () => {
  it('selects by severity', async () => {
    await world.addRule('High severity:high to:soc@mssp.example');
    expect(world.route('contoso', alertWith({ severity: 'high' }))).toEqual(['soc@mssp.example']);
    expect(world.route('contoso', alertWith({ severity: 'medium' }))).toEqual([]);
  });

  it('"severity:any" selects every severity, informational included', async () => {
    await world.addRule('All severity:any to:soc@mssp.example');
    expect(world.route('contoso', alertWith({ severity: 'informational' }))).toEqual(['soc@mssp.example']);
  });

  it('selects by device group, case-insensitively, when any device of the alert is in a group', async () => {
    await world.addRule('Servers severity:any groups:servers,"Finance laptops" to:soc@mssp.example');
    expect(world.route('contoso', alertWith({ groups: ['Workstations', 'Servers'] }))).toEqual(['soc@mssp.example']);
    expect(world.route('contoso', alertWith({ groups: ['FINANCE LAPTOPS'] }))).toEqual(['soc@mssp.example']);
    expect(world.route('contoso', alertWith({ groups: ['Workstations'] }))).toEqual([]);
  });

  it('skips alerts with no device (or no device group) when the rule names device groups', async () => {
    await world.addRule('Servers severity:any groups:Servers to:soc@mssp.example');
    expect(world.route('contoso', alertWith({ groups: [] }))).toEqual([]);
    expect(world.route('contoso', alertWith({ groups: [null] }))).toEqual([]);
  });

  it('selects by service source, detection source and category', async () => {
    await world.addRule('Narrow severity:any source:identity detection:mdi category:lateralmovement to:soc@mssp.example');
    const hit = { serviceSource: 'microsoftDefenderForIdentity', detectionSource: 'microsoftDefenderForIdentity', category: 'LateralMovement' };
    expect(world.route('contoso', alertWith(hit))).toEqual(['soc@mssp.example']);
    expect(world.route('contoso', alertWith({ ...hit, serviceSource: 'microsoftDefenderForEndpoint' }))).toEqual([]);
    expect(world.route('contoso', alertWith({ ...hit, detectionSource: 'antivirus' }))).toEqual([]);
    expect(world.route('contoso', alertWith({ ...hit, category: 'Execution' }))).toEqual([]);
    expect(world.route('contoso', alertWith({ ...hit, serviceSource: null }))).toEqual([]);
  });

  it('selects by title text, case-insensitively', async () => {
    await world.addRule('Ransom severity:any title:RANSOM to:soc@mssp.example');
    expect(world.route('contoso', alertWith({ title: 'Ransomware behavior detected' }))).toEqual(['soc@mssp.example']);
    expect(world.route('contoso', alertWith({ title: 'Suspicious sign-in' }))).toEqual([]);
  });

  it('selects by tenant: a list, or all except a list', async () => {
    await world.addRule('Only tenants:contoso,northwind severity:any to:only@mssp.example');
    await world.addRule('Except except:contoso severity:any to:except@mssp.example');
    expect(world.route('contoso', alertWith())).toEqual(['only@mssp.example']);
    expect(world.route('fabrikam', alertWith())).toEqual(['except@mssp.example']);
    expect(world.route('northwind', alertWith())).toEqual(['except@mssp.example', 'only@mssp.example']);
  });

  it('skips paused rules', async () => {
    await world.addRule('Paused severity:any to:soc@mssp.example enabled:no');
    await world.addRule('Live severity:any to:live@mssp.example');
    expect(world.route('contoso', alertWith())).toEqual(['live@mssp.example']);
  });
});

describe('targets', () => {
  it('merges several rules reaching one target into one, content options ORed, first rule named', async () => {
    const first = await world.addRule('First severity:any include:org to:channels,soc@mssp.example');
    await world.addRule('Second severity:high include:devices to:channels,SOC@mssp.example');
    const routed = world.router.route(world.tenant('contoso'), alertWith({ severity: 'high' }));
    expect(routed.map((r) => world.targets.keyOf(r.target)).sort()).toEqual([`email:soc@mssp.example`, `teams:${CHANNELS.contosoAlerts}`, `teams:${CHANNELS.shared}`].sort());
    for (const r of routed) {
      expect(r.ruleId).toBe(first.rule.id);
      expect(r.options).toEqual({ includeOrgName: true, includePortalLink: false, includeDeviceInfo: true });
    }
  });

  it('keeps content options of a single rule as they are', async () => {
    await world.addRule('Bare severity:any include:none to:soc@mssp.example');
    expect(world.router.route(world.tenant('contoso'), alertWith())[0]?.options).toEqual({ includeOrgName: false, includePortalLink: false, includeDeviceInfo: false });
  });

  it('uses only the targets its mode allows', async () => {
    await world.addRule('Teams only severity:any to:channels,soc@mssp.example mode:teams');
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts, CHANNELS.shared].sort());
    const { rule } = await world.addRule('Mail only severity:any to:channels,mail@mssp.example mode:email');
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts, CHANNELS.shared, 'mail@mssp.example'].sort());
    await world.rules.remove(rule.id, { actor: { userId: 'u', displayName: 'U', role: 'admin', bootstrap: false }, place: { conversationId: 'a:x', kind: 'personal' } });
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts, CHANNELS.shared].sort());
  });

  it('sends a specific channel only the tenants it is linked to', async () => {
    await world.addRule(`Contoso room severity:any to:"${CHANNELS.contosoAlerts}"`);
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts]);
    expect(world.route('fabrikam', alertWith())).toEqual([]);
    expect(world.route('northwind', alertWith())).toEqual([]);
  });
});

describe('isolation: customer data only reaches conversations linked to that customer', () => {
  it('never routes to an unlinked conversation, or across customers, whatever the rules say', async () => {
    await world.addRule(`Everything severity:any to:channels,"${CHANNELS.contosoAlerts}","${CHANNELS.fabrikamAlerts}","${CHANNELS.shared}"`);
    await world.addRule(`Shared severity:high tenants:all to:"${CHANNELS.shared}"`);
    const links = new Set(world.linkViews().map((v) => `${v.link.tenantId}|${v.link.conversationId}`));
    expect(links.size).toBe(4);
    let teamsTargets = 0;
    for (const handle of Object.keys(TENANT_IDS) as Handle[]) {
      for (const severity of ['high', 'medium', 'low', 'informational']) {
        for (const category of ALERT_CATEGORIES) {
          for (const routed of world.router.route(world.tenant(handle), alertWith({ severity, category }))) {
            if (routed.target.kind !== 'teams') continue;
            teamsTargets++;
            expect(routed.target.conversationId).not.toBe(CHANNELS.unlinked);
            expect(links.has(`${TENANT_IDS[handle]}|${routed.target.conversationId}`)).toBe(true);
          }
        }
      }
    }
    expect(teamsTargets).toBeGreaterThan(0);
  });

  it('refuses a rule naming a conversation not linked to any tenant it covers', async () => {
    await expect(world.addRule(`Leak severity:any to:"${CHANNELS.unlinked}"`)).rejects.toThrow(/is not linked to .*Run "link <tenant>" there first/);
    await expect(world.addRule(`Leak tenants:northwind severity:any to:"${CHANNELS.contosoAlerts}"`)).rejects.toThrow(/SOC › contosoAlerts is not linked to northwind/);
  });

  it('stops routing to a channel the moment it is unlinked, even one a rule names', async () => {
    await world.addRule(`Room severity:any to:"${CHANNELS.shared}"`);
    expect(world.route('fabrikam', alertWith())).toEqual([CHANNELS.shared]);
    await world.links.unlink(CHANNELS.shared, world.tenant('fabrikam'), { userId: 'u', displayName: 'U', role: 'admin', bootstrap: false });
    expect(world.route('fabrikam', alertWith())).toEqual([]);
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.shared]);
  });

  it('skips a conversation the bot was removed from, and picks it up again when re-added', async () => {
    expect(world.route('contoso', alertWith())).toContain(CHANNELS.contosoAlerts);
    await world.conversations.recordRemoval(CHANNELS.contosoAlerts);
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.shared]);
    await world.conversations.recordInstall(channelInfo(CHANNELS.contosoAlerts, 'contosoAlerts'));
    expect(world.route('contoso', alertWith())).toContain(CHANNELS.contosoAlerts);
  });

  it('routes nothing for an offboarded tenant', async () => {
    await world.tenants.change(TENANT_IDS.contoso, { status: 'offboarded' });
    expect(world.route('contoso', alertWith({ severity: 'high' }))).toEqual([]);
  });
});

describe('LinkHealth.markBroken', () => {
  it('marks every link of the conversation once, returns true only the first time, and routing skips it', async () => {
    expect(await world.links.markBroken(CHANNELS.shared, 'Teams answered 403')).toBe(true);
    expect(await world.links.markBroken(CHANNELS.shared, 'Teams answered 404')).toBe(false);
    const links = world.linkViews().filter((v) => v.link.conversationId === CHANNELS.shared);
    expect(links).toHaveLength(2);
    for (const l of links) expect(l).toMatchObject({ health: 'broken', link: { broken: { reason: 'Teams answered 403' } } });
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts]);
    expect(world.route('fabrikam', alertWith())).toEqual([CHANNELS.fabrikamAlerts]);
  });

  it('returns false for a conversation with no links', async () => {
    expect(await world.links.markBroken(CHANNELS.unlinked, 'gone')).toBe(false);
  });

  it('is repaired by linking again there, and can then break (and be reported) again', async () => {
    await world.links.markBroken(CHANNELS.shared, 'gone');
    await world.link(CHANNELS.shared, 'contoso');
    expect(world.linkViews().filter((v) => v.link.conversationId === CHANNELS.shared && v.health !== 'active')).toEqual([]);
    expect(world.route('fabrikam', alertWith())).toContain(CHANNELS.shared);
    expect(await world.links.markBroken(CHANNELS.shared, 'gone again')).toBe(true);
  });

  it('survives a reload of the store', async () => {
    await world.links.markBroken(CHANNELS.shared, 'Teams answered 403');
    world = await world.reopen();
    const broken = world.linkViews().filter((v) => v.health === 'broken');
    expect(broken.map((v) => [v.link.conversationId, v.link.broken?.reason])).toEqual([
      [CHANNELS.shared, 'Teams answered 403'],
      [CHANNELS.shared, 'Teams answered 403'],
    ]);
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts]);
  });
});
