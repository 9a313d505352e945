import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { parseRuleOptions } from '../../src/routing/rule-syntax.js';
import { NotificationRuleSchema } from '../../src/routing/store-schema.js';
import { CHANNELS, RoutingWorld, alertWith } from './world.js';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.userMessage;
    throw error;
  }
  throw new Error('expected a UsageError');
};

describe('group: and notify: in the rule syntax', () => {
  it('reads group:incident|alert and notify:first|every', () => {
    expect(parseRuleOptions(['group:incident', 'notify:first'])).toEqual({ grouping: 'incident', notify: 'first' });
    expect(parseRuleOptions(['group:Alerts', 'notify:every'])).toEqual({ grouping: 'alert', notify: 'every' });
  });

  it('keeps device groups under groups: and devicegroups:', () => {
    expect(parseRuleOptions(['groups:Servers'])).toEqual({ deviceGroups: ['Servers'] });
    expect(parseRuleOptions(['devicegroups:Servers'])).toEqual({ deviceGroups: ['Servers'] });
  });

  it('answers group:<a device group> with where device groups went', () => {
    expect(refusal(() => parseRuleOptions(['group:Finance']))).toBe(
      'group: "Finance" is not a grouping. group: says how alerts are grouped: incident (one card per incident, later alerts as replies in its thread) or alert (one card per alert). For device groups use groups:Finance.',
    );
    expect(refusal(() => parseRuleOptions(['group:"Finance', 'laptops"']))).toMatch(/For device groups use groups:"Finance laptops"\.$/);
  });

  it('refuses an unknown notify mode', () => {
    expect(refusal(() => parseRuleOptions(['notify:sometimes']))).toBe('notify: "sometimes" is not a notify mode. Use every (each alert of an incident) or first (only the first alert of each incident: its incident card).');
  });

  it('reads a rule stored before grouping existed as one card per alert, every alert', () => {
    const stored = { id: 'r1', name: 'Old', enabled: true, tenants: { scope: 'all' }, severities: [], deviceGroups: ['Servers'], serviceSources: [], detectionSources: [], categories: [], content: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true }, targets: [{ kind: 'teams', value: 'channels' }], createdBy: 'x', createdByName: 'X', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };
    const rule = NotificationRuleSchema.parse(stored);
    expect(rule).toMatchObject({ grouping: 'alert', notify: 'every', deviceGroups: ['Servers'] });
  });
});

describe('grouping on the routed targets', () => {
  let world: RoutingWorld;
  beforeEach(async () => {
    world = await RoutingWorld.create();
    await world.link(CHANNELS.contosoAlerts, 'contoso');
  });
  afterEach(async () => {
    await world.close();
  });

  const routed = () => world.router.route(world.tenant('contoso'), alertWith({ severity: 'high' })).map((r) => ({ grouping: r.grouping, notify: r.notify }));

  it('gives a new rule group:incident notify:every by default, and the built-in default rule one card per alert', async () => {
    expect(routed()).toEqual([{ grouping: 'alert', notify: 'every' }]);
    await world.addRule('Threads severity:any to:channels');
    expect(routed()).toEqual([{ grouping: 'incident', notify: 'every' }]);
  });

  it('combines rules reaching one target towards more: a card per alert, every alert', async () => {
    const { rule } = await world.addRule('First only severity:any to:channels notify:first');
    expect(routed()).toEqual([{ grouping: 'incident', notify: 'first' }]);
    await world.addRule('Per alert severity:high to:channels group:alert');
    expect(routed()).toEqual([{ grouping: 'alert', notify: 'every' }]);
    await world.editRule(rule.id, 'group:alert');
    expect(world.rules.get(rule.id)).toMatchObject({ grouping: 'alert', notify: 'first' });
  });
});
