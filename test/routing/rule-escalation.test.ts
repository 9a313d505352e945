import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { parseRuleOptions } from '../../src/routing/rule-syntax.js';
import { describeEscalation } from '../../src/routing/rule-views.js';
import { CHANNELS, RoutingWorld, words } from './world.js';

const MEGAN = '6f1c3f0e-5a2b-4c1d-9e8f-000000000021';
const ALEX = '6f1c3f0e-5a2b-4c1d-9e8f-000000000022';
const VIEWER = '6f1c3f0e-5a2b-4c1d-9e8f-000000000023';
const STRANGER = '6f1c3f0e-5a2b-4c1d-9e8f-000000000024';
const ADMIN = { userId: 'admin-1', displayName: 'Alex Admin', role: 'admin' as const, bootstrap: true };

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error.userMessage;
    throw error;
  }
  throw new Error('expected a UsageError');
};

async function refusalOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof UsageError) return error.userMessage;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('escalate: and escalate-to: words', () => {
  it('reads one or two levels in minutes, hours or days', () => {
    expect(parseRuleOptions(words('escalate:15m')).escalateAfter).toEqual([15]);
    expect(parseRuleOptions(words('escalate:15m,1h')).escalateAfter).toEqual([15, 60]);
    expect(parseRuleOptions(words('escalate:90min,1d')).escalateAfter).toEqual([90, 1440]);
    expect(parseRuleOptions(words('escalate:off')).escalateAfter).toBeNull();
    expect(parseRuleOptions(words('escalation:2h')).escalateAfter).toEqual([120]);
  });

  it.each([
    ['escalate:15', /^escalate: "15" is not a duration\. Use minutes, hours or days: 15m, 2h, 1d/],
    ['escalate:15s', /^escalate: "15s" is not a duration/],
    ['escalate:soon', /^escalate: "soon" is not a duration/],
    ['escalate:0m', /^escalate: "0m" is out of range: an escalation waits from 1m to 7d\./],
    ['escalate:8d', /^escalate: "8d" is out of range/],
    ['escalate:60m,15m', /^escalate: the second level \(15m\) must come after the first \(60m\)/],
    ['escalate:1h,60m', /^escalate: the second level \(60m\) must come after the first \(1h\)/],
    ['escalate:5m,10m,20m', /^escalate: at most 2 levels \(a first follow-up and a second\), e\.g\. escalate:15m,60m; "5m,10m,20m" has 3\./],
    ['escalate-to:megan@mssp.example', /^escalate-to: "megan@mssp\.example" is not someone I can mention: @mention them/],
    ['escalate-to:@?Megan Analyst', /^escalate-to: I could not look up the Entra object id of @Megan/],
    ['escalate-to:"SOC one","SOC two"', /^escalate-to: name at most one channel \("SOC one" and "SOC two"\)/],
  ])('refuses %s', (text, message) => {
    expect(refusal(() => parseRuleOptions(words(text)))).toMatch(message);
  });

  it('reads people by object id (as chat mentions arrive) and one channel', () => {
    expect(parseRuleOptions(words(`escalate-to:@${MEGAN},${ALEX.toUpperCase()},"SOC escalations"`)).escalateTo).toEqual({
      people: [{ objectId: MEGAN }, { objectId: ALEX }],
      channel: 'SOC escalations',
    });
    expect(parseRuleOptions(words('escalate-to:none')).escalateTo).toBeNull();
  });
});

describe('escalations on rules', () => {
  let world: RoutingWorld;
  beforeEach(async () => {
    world = await RoutingWorld.create();
    await world.link(CHANNELS.contosoAlerts, 'contoso');
    await world.roles.grant({ userId: MEGAN, displayName: 'Megan Bowen', role: 'analyst', by: ADMIN });
    await world.roles.grant({ userId: ALEX, role: 'admin', by: ADMIN });
    await world.roles.grant({ userId: VIEWER, displayName: 'Adele Vance', role: 'viewer', by: ADMIN });
  });
  afterEach(async () => {
    await world.close();
  });

  it('stores levels, people with their names and the channel, and shows them', async () => {
    const { rule } = await world.addRule(`High tenants:contoso severity:high escalate:15m,1h escalate-to:@${MEGAN},"SOC › contosoAlerts"`);
    expect(rule.escalation).toEqual({ afterMinutes: [15, 60], mention: [{ userId: MEGAN, name: 'Megan Bowen' }], channel: CHANNELS.contosoAlerts });
    expect(describeEscalation(rule.escalation!, { placeName: (id) => world.links.placeName(id) })).toBe(
      'Still new and unowned after 15m, then 1h: a follow-up in SOC › contosoAlerts, mentions Megan Bowen',
    );
  });

  it('without escalate-to: follows up in the card thread and mentions nobody; a person without a stored name shows their id', async () => {
    const { rule } = await world.addRule('Plain escalate:30m');
    expect(rule.escalation).toEqual({ afterMinutes: [30], mention: [] });
    const edited = await world.editRule(rule.id, `escalate-to:${ALEX}`);
    expect(edited.rule.escalation).toEqual({ afterMinutes: [30], mention: [{ userId: ALEX, name: ALEX }] });
  });

  it('edits levels and people separately, and removes the escalation with escalate:off', async () => {
    const { rule } = await world.addRule(`Edit escalate:15m escalate-to:${MEGAN}`);
    const levels = await world.editRule(rule.id, 'escalate:10m,20m');
    expect(levels.rule.escalation).toEqual({ afterMinutes: [10, 20], mention: [{ userId: MEGAN, name: 'Megan Bowen' }] });
    const nobody = await world.editRule(rule.id, 'escalate-to:none');
    expect(nobody.rule.escalation).toEqual({ afterMinutes: [10, 20], mention: [] });
    const off = await world.editRule(rule.id, 'escalate:off');
    expect(off.rule.escalation).toBeUndefined();
    expect(world.rules.get(rule.id).escalation).toBeUndefined();
  });

  it.each([
    [`A escalate:15m escalate-to:${STRANGER}`, /^escalate-to: 6f1c3f0e-5a2b-4c1d-9e8f-000000000024 has no SOC Bridge role, so SOC Bridge does not know them\. Give them one first/],
    [`B escalate:15m escalate-to:${VIEWER}`, /^escalate-to: Adele Vance is a viewer and cannot take an alert; an escalation mentions analysts and admins\./],
    [`C escalate-to:${MEGAN}`, /^escalate-to: says whom an escalation mentions, and this rule has none: add escalate:<duration> too/],
    [`D escalate:off escalate-to:${MEGAN}`, /^escalate-to: needs an escalation; "escalate:off" removes it/],
    ['E to:soc@mssp.example escalate:15m', /^escalate: the follow-up goes in the thread of the alert's card in Teams, and this rule posts no cards there/],
    ['F tenants:fabrikam escalate:15m escalate-to:"SOC › contosoAlerts"', /^escalate-to: SOC › contosoAlerts is not linked to fabrikam, and an escalation shows the alert there\. Run "link <tenant>" there first/],
    ['G escalate:15m escalate-to:"No such room"', /^escalate-to: "No such room" is not a linked channel or group chat\. Linked: "SOC › contosoAlerts"\. Name here, a linked channel's name or its id; people are @mentioned/],
    ['H escalate:15m escalate-to:here', /^escalate-to: "here" means this conversation, but escalations cannot go to a personal chat/],
  ])('refuses %s with the reason', async (text, message) => {
    expect(await refusalOf(world.addRule(text))).toMatch(message);
    expect(world.rules.list()).toEqual([]);
  });

  it('an email-only rule with a linked channel in escalate-to: may escalate there', async () => {
    const { rule, warnings } = await world.addRule('Mail tenants:all to:soc@mssp.example escalate:15m escalate-to:"SOC › contosoAlerts"');
    expect(rule.escalation?.channel).toBe(CHANNELS.contosoAlerts);
    expect(warnings).toContain(`escalate-to: SOC › contosoAlerts is not linked to fabrikam, northwind, so their escalations go in the card's thread instead.`);
    // Changing targets re-checks: the escalation still has its channel, so Teams cards are not needed.
    expect((await world.editRule(rule.id, 'to:ops@mssp.example')).rule.escalation?.afterMinutes).toEqual([15]);
  });

  it('refuses removing the Teams targets of an escalating rule that names no channel', async () => {
    const { rule } = await world.addRule('Teams escalate:15m');
    expect(await refusalOf(world.editRule(rule.id, 'to:soc@mssp.example'))).toMatch(/^escalate: the follow-up goes in the thread of the alert's card in Teams/);
    expect(world.rules.get(rule.id).targets).toEqual([{ kind: 'teams', value: 'channels' }]);
  });
});
