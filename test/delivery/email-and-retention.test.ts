import { afterEach, describe, expect, it } from '@jest/globals';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { DeliveryJournal } from '../../src/delivery/journal.js';
import { EmailDeliveryError } from '../../src/delivery/ports.js';
import { silentLogger } from '../../src/log.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { ALL_CONTENT, MemoryRecordSet, World, freshAlert, run, runUntil } from './support.js';

const services: DeliveryService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
});

async function started(world: World, tuning = {}): Promise<DeliveryService> {
  const service = world.service({}, tuning);
  services.push(service);
  await service.start();
  return service;
}

describe('email delivery', () => {
  it('retries a transient mail failure with backoff and sends once', async () => {
    const clock = new ManualClock();
    const world = new World(clock);
    const tenant = world.addTenant(1);
    world.mail.script.push(new EmailDeliveryError('transient', '421 try later'), new Error('ECONNRESET'));
    const service = await started(world, { senders: { email: { backoff: { baseMs: 1000, capMs: 10_000 } } } });
    const alert = freshAlert(tenant, clock.now(), 'm');
    await service.deliver(tenant, alert, [{ target: { kind: 'email', address: 'SOC@Customer1.example' }, ruleId: 'r', options: ALL_CONTENT }]);
    await run(clock, 100);
    expect(world.mail.attempts).toBe(1);
    await runUntil(clock, () => world.mail.sent.length === 1, 10_000);
    expect(world.mail.attempts).toBe(3);
    expect(world.mail.sent[0]!.to).toBe('SOC@Customer1.example');
    expect([...service.ledger.deliveries()][0]!.key).toContain('email:soc@customer1.example');
    expect([...service.ledger.deliveries()][0]!.state).toBe('sent');
  });

  it('gives up a rejected mail at once', async () => {
    const clock = new ManualClock();
    const world = new World(clock);
    const tenant = world.addTenant(1);
    world.mail.script.push(new EmailDeliveryError('rejected', '550 no such mailbox'));
    const service = await started(world);
    await service.deliver(tenant, freshAlert(tenant, clock.now(), 'm'), [{ target: { kind: 'email', address: 'nobody@customer1.example' }, ruleId: 'r', options: ALL_CONTENT }]);
    await run(clock, 60_000, 1000);
    expect(world.mail.attempts).toBe(1);
    expect([...service.ledger.deliveries()][0]!.state).toBe('failed');
    expect([...service.ledger.deliveries()][0]!.error).toContain('550');
  });

  it('never holds up Teams, however slow the mail server', async () => {
    const clock = new ManualClock();
    const world = new World(clock);
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.mail.hold = true;
    const service = await started(world);
    const alerts = [1, 2, 3, 4, 5, 6].map((n) => freshAlert(tenant, clock.now(), `s${n}`));
    for (const alert of alerts) {
      await service.deliver(tenant, alert, [
        { target: { kind: 'email', address: 'soc@customer1.example' }, ruleId: 'r', options: ALL_CONTENT },
        { target: { kind: 'teams', conversationId: '19:a' }, ruleId: 'r', options: ALL_CONTENT },
      ]);
    }
    await run(clock, 2000);
    expect(world.messenger.alertIdsIn('19:a')).toHaveLength(6);
    expect(world.mail.hanging).toBe(4);
    world.mail.release();
    await runUntil(clock, () => world.mail.sent.length === 6, 1000);
  });
});

describe('retention', () => {
  it.each([
    ['held in memory', false],
    ['only in the store (let go of by memory)', true],
  ])('prunes old finished records and snapshots %s, keeps pending ones, and never delivers a pruned alert again', async (_where, letGo) => {
    const clock = new ManualClock();
    const world = new World(clock, { pollIntervalMs: 0, pollOverlapMs: 60_000, stormThresholdMs: 0, retentionMs: 7 * 86_400_000, teamsGlobalRate: 50 });
    const tenant = world.addTenant(1);
    world.addChannel('19:a');
    world.route(tenant, { kind: 'teams', conversationId: '19:a' });
    const service = await started(world);
    await service.pollNow(tenant);
    const alert = freshAlert(tenant, new Date(clock.nowMs() + 1000), 'old');
    world.graph.put(tenant.tenantId, alert);
    await run(clock, 2000);
    await service.pollNow(tenant);
    await runUntil(clock, () => world.messenger.sent.length === 1, 5000);
    // Pending work is kept however old: this mail hangs on a server that stopped answering.
    world.mail.hold = true;
    const waiting = freshAlert(tenant, clock.now(), 'waiting');
    await service.deliver(tenant, waiting, [{ target: { kind: 'email', address: 'soc@customer1.example' }, ruleId: 'r', options: ALL_CONTENT }]);
    await run(clock, 1000);
    await clock.advance(8 * 86_400_000);
    if (letGo) {
      expect(service.ledger.evictIdle()).toBe(1);
      expect(service.ledger.holds(`${tenant.tenantId}/${alert.id}`)).toBe(false);
    }
    const report = await service.prune();
    expect(report).toEqual({ deliveries: 1, digests: 0, alerts: 1 });
    expect([...service.ledger.deliveries()].map((d) => d.alertId)).toEqual([waiting.id]);
    await service.ledger.journal.flush();
    expect(Object.keys(world.store.onDisk().alerts)).toEqual([`${tenant.tenantId}/${waiting.id}`]);
    world.mail.release();
    // The pruned alert changes again: it is not news, so it is not posted again.
    world.graph.put(tenant.tenantId, { ...alert, status: 'resolved', lastUpdateDateTime: clock.now().toISOString() });
    const poll = await service.pollNow(tenant);
    expect(poll.result?.backlog).toBe(1);
    expect(poll.result?.newDeliveries).toBe(0);
  });
});

describe('journal', () => {
  it('writes a burst of changes in few store updates and resolves flush only once they are on disk', async () => {
    const store = new MemoryRecordSet();
    const records = new Map<string, unknown>();
    const journal = new DeliveryJournal({ records: store, polls: store, logger: silentLogger, source: { current: (_section, key) => records.get(key) } }, { batchDelayMs: 20 });
    for (let i = 0; i < 500; i++) {
      records.set(`k${i}`, { key: `k${i}`, n: i });
      journal.mark('deliveries', `k${i}`);
    }
    await journal.flush();
    expect(store.writes).toBe(1);
    expect(Object.keys(store.onDisk().deliveries)).toHaveLength(500);
    records.delete('k1');
    journal.mark('deliveries', 'k1');
    await journal.flush();
    expect(store.onDisk().deliveries.k1).toBeUndefined();
    expect(store.writes).toBe(2);
    await journal.close();
  });

  it('keeps changes marked when a write fails and writes them with the next one', async () => {
    const store = new MemoryRecordSet();
    const records = new Map<string, unknown>([['a', { key: 'a' }]]);
    const journal = new DeliveryJournal({ records: store, polls: store, logger: silentLogger, source: { current: (_section, key) => records.get(key) } }, { batchDelayMs: 0 });
    store.failNext = 1;
    journal.mark('deliveries', 'a');
    await expect(journal.flush()).rejects.toThrow('disk full');
    expect(store.onDisk().deliveries.a).toBeUndefined();
    await journal.flush();
    expect(store.onDisk().deliveries.a).toEqual({ key: 'a' });
    await journal.close();
  });
});
