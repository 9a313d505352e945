import { afterEach, describe, expect, it } from '@jest/globals';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { alertKeyOf } from '../../src/delivery/ledger.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { MemoryRecordSet, World, freshAlert, run, runUntil } from './support.js';

/**
 * The ledger holds only its working set: alerts with work waiting or recent changes. The rest is
 * read from the store when a poll or a card action needs it, and an alert read back is judged as
 * if it had never left memory: a repeat is a duplicate, a change edits the card it became.
 */
const teams = (conversationId: string) => ({ kind: 'teams' as const, conversationId });
const HOUR = 3_600_000;
const settings = { pollIntervalMs: 0, pollOverlapMs: 60_000, stormThresholdMs: 0, retentionMs: 30 * 86_400_000, teamsGlobalRate: 50 };
const services: DeliveryService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

async function started(world: World): Promise<DeliveryService> {
  const service = world.service();
  services.push(service);
  await service.start();
  return service;
}

/** A world with one tenant routed to one channel, polled once so that new alerts are news. */
async function postedWorld(alertCount: number) {
  const clock = new ManualClock();
  const world = new World(clock, settings);
  const tenant = world.addTenant(1);
  world.addChannel('19:a');
  world.route(tenant, teams('19:a'));
  const service = await started(world);
  await service.pollNow(tenant);
  await run(clock, 1000);
  const alerts = Array.from({ length: alertCount }, (_, i) => freshAlert(tenant, clock.now(), `a${i}`));
  for (const alert of alerts) world.graph.put(tenant.tenantId, alert);
  await service.pollNow(tenant);
  await runUntil(clock, () => world.messenger.sent.length === alertCount, 10_000);
  return { clock, world, tenant, service, alerts, keys: alerts.map((a) => alertKeyOf(tenant.tenantId, a.id)) };
}

describe('the delivery ledger’s working set', () => {
  it('keeps alerts while they are recent and lets them go once idle, keeping their counts', async () => {
    const { clock, service, keys } = await postedWorld(3);
    expect(service.ledger.evictIdle()).toBe(0);
    expect(keys.every((k) => service.ledger.holds(k))).toBe(true);
    await clock.advance(HOUR + 1000);
    expect(service.ledger.evictIdle()).toBe(3);
    expect(keys.some((k) => service.ledger.holds(k))).toBe(false);
    expect([...service.ledger.deliveries()]).toHaveLength(0);
    expect(service.ledger.deliveryCounts()).toEqual([{ kind: 'teams', state: 'sent', count: 3 }]);
  });

  it('judges an alert read back from the store as before: a repeat is a duplicate, a change edits its card', async () => {
    const { clock, world, tenant, service, alerts, keys } = await postedWorld(2);
    await clock.advance(HOUR + 1000);
    service.ledger.evictIdle();
    const loadsBefore = world.store.groupLoads;
    const repeat = await service.pollNow(tenant);
    expect(repeat.result).toMatchObject({ duplicates: 2, newAlerts: 0, newDeliveries: 0 });
    expect(world.store.groupLoads).toBe(loadsBefore + 1);
    expect(keys.every((k) => service.ledger.holds(k))).toBe(true);

    await clock.advance(HOUR + 1000);
    service.ledger.evictIdle();
    const changed = { ...alerts[0]!, status: 'resolved', lastUpdateDateTime: clock.now().toISOString() };
    world.graph.put(tenant.tenantId, changed);
    const poll = await service.pollNow(tenant);
    expect(poll.result).toMatchObject({ changedAlerts: 1, newDeliveries: 0 });
    await runUntil(clock, () => world.messenger.updates.length === 1, 5000);
    expect(world.messenger.updates[0]?.messageId).toBe(world.messenger.sent[0]?.messageId);
    expect(world.messenger.sent).toHaveLength(2);
  });

  it('follows a change made from a card on an alert it had let go', async () => {
    const { clock, world, tenant, service, alerts, keys } = await postedWorld(1);
    await clock.advance(HOUR + 1000);
    service.ledger.evictIdle();
    expect(service.ledger.holds(keys[0]!)).toBe(false);
    await service.alertChanged(tenant, { ...alerts[0]!, assignedTo: 'ana@mssp.example', lastUpdateDateTime: clock.now().toISOString() });
    await runUntil(clock, () => world.messenger.updates.length === 1, 5000);
    expect(service.ledger.holds(keys[0]!)).toBe(true);
  });

  it('after a restart holds only what waits or changed lately, and still posts nothing twice', async () => {
    const { clock, world, tenant, service, alerts } = await postedWorld(3);
    await clock.advance(2 * HOUR);
    // A fourth alert, fresh when the process stops.
    const fresh = freshAlert(tenant, clock.now(), 'fresh');
    world.graph.put(tenant.tenantId, fresh);
    await service.pollNow(tenant);
    await runUntil(clock, () => world.messenger.sent.length === 4, 5000);
    await service.stop();
    world.store = world.store.reopen();
    const second = await started(world);
    expect([...second.ledger.deliveries()].map((d) => d.alertId)).toEqual([fresh.id]);
    expect(second.ledger.deliveryCounts()).toEqual([{ kind: 'teams', state: 'sent', count: 4 }]);
    // The poll overlaps the last one: the fresh alert again, a duplicate.
    const poll = await second.pollNow(tenant);
    expect(poll.result).toMatchObject({ duplicates: 1, newAlerts: 0, newDeliveries: 0 });
    // An older alert, not in memory after the restart, changes: its card is edited, not posted again.
    world.graph.put(tenant.tenantId, { ...alerts[1]!, status: 'inProgress', lastUpdateDateTime: clock.now().toISOString() });
    const change = await second.pollNow(tenant);
    expect(change.result).toMatchObject({ changedAlerts: 1, newAlerts: 0, newDeliveries: 0 });
    await runUntil(clock, () => world.messenger.updates.length === 1, 5000);
    expect(world.messenger.updates[0]?.messageId).toBe(world.messenger.sent[1]?.messageId);
    expect(world.messenger.sent).toHaveLength(4);
  });

  it('keeps pending work in memory however old it is', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings);
    const tenant = world.addTenant(1);
    world.mail.hold = true;
    const service = await started(world);
    await service.deliver(tenant, freshAlert(tenant, clock.now(), 'held'), [{ target: { kind: 'email', address: 'soc@customer1.example' }, ruleId: 'r', options: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true } }]);
    await clock.advance(3 * HOUR);
    expect(service.ledger.evictIdle()).toBe(0);
    expect([...service.ledger.deliveries()].map((d) => d.state)).toEqual(['pending']);
    world.mail.release();
  });

  it('refuses to judge an alert whose records it has not read', async () => {
    const { clock, tenant, service, keys } = await postedWorld(1);
    await clock.advance(HOUR + 1000);
    service.ledger.evictIdle();
    expect(() => service.ledger.requireHeld(keys[0]!)).toThrow(/not in memory/);
    expect(() => service.ledger.putSnapshot({ tenantId: tenant.tenantId, alertId: 'a0', version: clock.now().toISOString(), createdDateTime: clock.now().toISOString(), firstSeenAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() })).toThrow(/not in memory/);
  });

  it('reads every record whole when asked for what is stored', async () => {
    const { clock, world, service } = await postedWorld(2);
    await clock.advance(HOUR + 1000);
    service.ledger.evictIdle();
    const stored = [];
    for await (const record of service.ledger.stored()) if (record.section === 'deliveries') stored.push(record.record.state);
    expect(stored).toEqual(['sent', 'sent']);
    expect(Object.keys(world.store.onDisk().deliveries)).toHaveLength(2);
    expect(new MemoryRecordSet(world.store.onDisk()).groupLoads).toBe(0);
  });
});
