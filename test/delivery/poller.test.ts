import { afterEach, describe, expect, it } from '@jest/globals';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { pollOffsetMs } from '../../src/delivery/poller.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { ChatDeliveryError } from '../../src/conversations/messenger.js';
import { MemoryRecordSet, World, freshAlert, run, runUntil } from './support.js';

const teams = (conversationId: string) => ({ kind: 'teams' as const, conversationId });
const services: DeliveryService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

const INTERVAL = 10_000;
const settings = { pollIntervalMs: INTERVAL, pollOverlapMs: 60_000, stormThresholdMs: 0, retentionMs: 30 * 86_400_000, teamsGlobalRate: 50 };

async function started(world: World): Promise<DeliveryService> {
  const service = world.service();
  services.push(service);
  await service.start();
  return service;
}

describe('poller', () => {
  it('delivers alerts created after polling began, once, and leaves the backlog alone', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings);
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.route(tenant, teams('19:a'));
    const old = freshAlert(tenant, new Date(clock.nowMs() - 86_400_000), 'old');
    world.graph.put(tenant.tenantId, old);
    // An old alert someone touched a moment ago is still backlog, not news.
    world.graph.put(tenant.tenantId, { ...freshAlert(tenant, new Date(clock.nowMs() - 86_400_000), 'touched'), lastUpdateDateTime: clock.now().toISOString() });
    const service = await started(world);
    await run(clock, INTERVAL + 100);
    expect(world.graph.queries.length).toBeGreaterThanOrEqual(1);
    expect(world.messenger.sent).toHaveLength(0);
    const fresh = [1, 2, 3].map((n) => freshAlert(tenant, clock.now(), `new${n}`));
    for (const alert of fresh) world.graph.put(tenant.tenantId, alert);
    await run(clock, INTERVAL * 4);
    expect(world.messenger.alertIdsIn('19:a').sort()).toEqual(fresh.map((a) => a.id).sort());
    // Later polls overlapped the same alerts and posted nothing twice.
    expect(world.graph.queries.length).toBeGreaterThanOrEqual(5);
    const last = world.graph.queries.at(-1)!;
    const cursor = service.ledger.cursor(tenant.tenantId)!;
    expect(last.updatedSince?.getTime()).toBe(Date.parse(cursor.watermark) - settings.pollOverlapMs);
    expect(cursor.watermark).toBe(fresh[0]!.lastUpdateDateTime);
  });

  it('edits the posted card when the alert changes in the portal', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings);
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.route(tenant, teams('19:a'));
    await started(world);
    await run(clock, 100);
    const alert = freshAlert(tenant, clock.now(), 'x');
    world.graph.put(tenant.tenantId, alert);
    await run(clock, INTERVAL + 100);
    expect(world.messenger.sent).toHaveLength(1);
    world.graph.put(tenant.tenantId, { ...alert, status: 'resolved', classification: 'truePositive', lastUpdateDateTime: clock.now().toISOString() });
    await run(clock, INTERVAL * 2);
    expect(world.messenger.updates).toHaveLength(1);
    expect(world.messenger.updates[0]!.messageId).toBe(world.messenger.sent[0]!.messageId);
    const card = world.messenger.updates[0]!.reply;
    expect(card.kind === 'card' && card.card === 'alert-detail' && card.data.facts.find((f) => f.title === 'Status')?.value).toBe('Resolved');
    // The body was needed only until the edit; the store keeps the version alone.
    expect(world.store.onDisk().alerts[`${tenant.tenantId}/${alert.id}`]?.body).toBeUndefined();
  });

  it('has the outbox entries and the watermark on disk before the first post', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings);
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.route(tenant, teams('19:a'));
    const onDiskAtPost: number[] = [];
    const watermarks: string[] = [];
    world.messenger.onAttempt = () => {
      const disk = world.store.onDisk();
      onDiskAtPost.push(Object.values(disk.deliveries).length);
      watermarks.push(String(disk.cursors[tenant.tenantId]?.watermark ?? ''));
    };
    await started(world);
    await run(clock, INTERVAL);
    const alerts = [1, 2].map((n) => freshAlert(tenant, new Date(clock.nowMs() + n), `x${n}`));
    for (const alert of alerts) world.graph.put(tenant.tenantId, alert);
    await run(clock, INTERVAL);
    expect(onDiskAtPost).toEqual([2, 2]);
    expect(watermarks[0]).toBe(alerts[1]!.lastUpdateDateTime);
  });

  it('keeps polling the others while one tenant fails, and records that tenant’s failure', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings);
    const bad = world.addTenant(1);
    const good = world.addTenant(2);
    world.addChannel('19:a');
    world.route(bad, teams('19:a'));
    world.route(good, teams('19:a'));
    world.graph.failing.add(bad.tenantId);
    await started(world);
    await run(clock, 100);
    const alert = freshAlert(good, clock.now(), 'g');
    world.graph.put(good.tenantId, alert);
    await run(clock, INTERVAL * 2);
    expect(world.messenger.alertIdsIn('19:a')).toEqual([alert.id]);
    expect(world.failures.map((f) => f.tenantId)).toContain(bad.tenantId);
    expect(world.failures.every((f) => f.tenantId === bad.tenantId)).toBe(true);
  });

  it('waits for the next round when the tenant’s Graph budget is nearly spent', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings);
    const tenant = world.addTenant(1);
    world.graph.headroom = 10;
    const service = await started(world);
    const report = await service.pollNow(tenant);
    expect(report.outcome).toBe('deferred');
    expect(world.graph.queries).toHaveLength(0);
    world.graph.headroom = 150;
    expect((await service.pollNow(tenant)).outcome).toBe('ok');
  });

  it('reads a long page chain over several polls and moves the watermark only when it ends', async () => {
    const clock = new ManualClock();
    const world = new World(clock, settings, { maxPages: 2 });
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.route(tenant, teams('19:a'));
    world.graph.pageSize = 2;
    const service = world.service({ pollIntervalMs: 0 });
    services.push(service);
    await service.start();
    await service.pollNow(tenant);
    const startMark = service.ledger.cursor(tenant.tenantId)!.watermark;
    const alerts = Array.from({ length: 7 }, (_, n) => freshAlert(tenant, new Date(clock.nowMs() + 1 + n), `p${n}`));
    for (const alert of alerts) world.graph.put(tenant.tenantId, alert);
    expect((await service.pollNow(tenant)).complete).toBe(false);
    expect(service.ledger.cursor(tenant.tenantId)!.watermark).toBe(startMark);
    expect((await service.pollNow(tenant)).complete).toBe(true);
    expect(service.ledger.cursor(tenant.tenantId)!.watermark).toBe(alerts[6]!.lastUpdateDateTime);
    await runUntil(clock, () => world.messenger.sent.length === 7, 10_000);
    expect(world.messenger.alertIdsIn('19:a').sort()).toEqual(alerts.map((a) => a.id).sort());
  });

  it('spreads tenants over the interval', () => {
    const offsets = Array.from({ length: 500 }, (_, n) => pollOffsetMs(`tenant-${n}`, 10_000));
    expect(offsets.every((o) => o >= 0 && o < 10_000)).toBe(true);
    const perSecond = new Array<number>(10).fill(0);
    for (const o of offsets) perSecond[Math.floor(o / 1000)]! += 1;
    expect(Math.max(...perSecond)).toBeLessThan(80);
    expect(Math.min(...perSecond)).toBeGreaterThan(20);
    expect(pollOffsetMs('tenant-1', 10_000)).toBe(offsets[1]);
  });
});

describe('restart', () => {
  it('resumes a burst after a restart without losing or repeating a card', async () => {
    const clock = new ManualClock();
    const world = new World(clock, { ...settings, stormThresholdMs: 0 });
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.route(tenant, teams('19:a'));
    const first = world.service();
    await first.start();
    await run(clock, 100);
    const alerts = Array.from({ length: 70 }, (_, n) => freshAlert(tenant, new Date(clock.nowMs() + n), `b${n}`));
    for (const alert of alerts) world.graph.put(tenant.tenantId, alert);
    await runUntil(clock, () => world.messenger.sent.length >= 20, 60_000);
    await first.stop();
    const postedBefore = world.messenger.sent.length;
    expect(postedBefore).toBeLessThan(70);
    world.store = world.store.reopen();
    const second = world.service();
    services.push(second);
    await second.start();
    await runUntil(clock, () => world.messenger.sent.length >= 70, 120_000);
    await run(clock, INTERVAL * 3);
    const ids = world.messenger.alertIdsIn('19:a');
    expect(ids).toHaveLength(70);
    expect(new Set(ids)).toEqual(new Set(alerts.map((a) => a.id)));
  });
});

describe('stored alert bodies', () => {
  it('are kept packed while a post waits, and a body that cannot be read fails that delivery alone', async () => {
    const clock = new ManualClock();
    const world = new World(clock, { ...settings, pollIntervalMs: 0 });
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.messenger.scriptFor.set('19:a', [new ChatDeliveryError('throttled', 429, 60_000, 'Teams answered 429')]);
    const first = world.service();
    await first.start();
    const alerts = [1, 2].map((n) => freshAlert(tenant, clock.now(), `k${n}`));
    for (const alert of alerts) await first.deliver(tenant, alert, [{ target: teams('19:a'), ruleId: 'r', options: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true } }]);
    await run(clock, 100);
    // Nothing could be posted yet (Teams said wait a minute), so both bodies wait on disk.
    await first.stop();
    const disk = world.store.onDisk();
    const keys = alerts.map((a) => `${tenant.tenantId}/${a.id}`);
    expect(disk.alerts[keys[0]!]?.body).toMatch(/^[A-Za-z0-9+/=]+$/);
    expect(Object.values(disk.deliveries).map((d) => d.state)).toEqual(['pending', 'pending']);
    disk.alerts[keys[1]!]!.body = 'not a packed alert';
    world.store = new MemoryRecordSet(disk);
    const second = world.service();
    services.push(second);
    await second.start();
    await runUntil(clock, () => [...second.ledger.deliveries()].every((d) => d.state !== 'pending'), 5000);
    expect(world.messenger.alertIdsIn('19:a')).toEqual([alerts[0]!.id]);
    expect(second.ledger.delivery(`${keys[1]!}|teams:19:a`)).toMatchObject({ state: 'failed', error: 'the alert data was lost before posting' });
  });
});
