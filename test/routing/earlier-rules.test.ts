import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleFacts } from '../../src/routing/rule-views.js';
import { STORE_FILE_NAME } from '../../src/store/embedded/embedded-storage.js';
import { CHANNELS, RoutingWorld, alertWith } from './world.js';

let world: RoutingWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A rule as SOC Bridge saved it before target kinds: fixed target fields and a mode word. */
function earlierRule(id: string, mode: 'teams' | 'email' | 'both', targets: { linkedChannels: boolean; channels: string[]; emails: string[] }) {
  const at = '2026-11-20T09:00:00.000Z';
  return {
    id, name: `Rule ${id}`, enabled: true, tenants: { scope: 'all' }, severities: [], deviceGroups: [], serviceSources: [], detectionSources: [], categories: [],
    content: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true }, targets, mode, createdBy: 'u', createdByName: 'U', createdAt: at, updatedAt: at,
  };
}

/** A data folder as an earlier SOC Bridge left it, holding these rules. */
function earlierDataFolder(rules: unknown[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-earlier-rules-'));
  writeFileSync(join(dir, STORE_FILE_NAME), JSON.stringify({ schemaVersion: 1, rules }));
  return dir;
}

const describeRule = (w: RoutingWorld, id: string) => {
  const facts = ruleFacts(w.rules.get(id), { visibleTenants: [], placeName: (cid) => w.links.placeName(cid), canChange: true, targets: w.targets, healthOf: () => undefined });
  return Object.fromEntries(facts.map((f) => [f.title, f.value]));
};

describe('rules saved before target kinds', () => {
  it('still load, say the same, and route the same', async () => {
    world = await RoutingWorld.create({
      dir: earlierDataFolder([
        earlierRule('ra1', 'both', { linkedChannels: true, channels: [], emails: ['soc@mssp.example'] }),
        earlierRule('ra2', 'teams', { linkedChannels: false, channels: [CHANNELS.shared], emails: ['kept@mssp.example'] }),
      ]),
    });
    await world.link(CHANNELS.contosoAlerts, 'contoso');
    await world.link(CHANNELS.shared, 'contoso');
    expect(describeRule(world, 'ra1')).toMatchObject({ 'Sends to': "Teams: each tenant's linked channels · Email: soc@mssp.example", Mode: 'Teams and email' });
    expect(describeRule(world, 'ra2')).toMatchObject({ 'Sends to': 'Teams: SOC › shared · Email: kept@mssp.example (not used: mode teams)', Mode: 'Teams' });
    expect(world.route('contoso', alertWith())).toEqual([CHANNELS.contosoAlerts, CHANNELS.shared, 'soc@mssp.example'].sort());
  });

  it('keep working after the next change is saved in the new shape', async () => {
    world = await RoutingWorld.create({ dir: earlierDataFolder([earlierRule('ra3', 'email', { linkedChannels: true, channels: [], emails: ['only@mssp.example'] })]) });
    await world.link(CHANNELS.contosoAlerts, 'contoso');
    world = await world.reopen();
    expect(describeRule(world, 'ra3')).toMatchObject({ Mode: 'Email' });
    expect(world.route('contoso', alertWith())).toEqual(['only@mssp.example']);
  });
});
