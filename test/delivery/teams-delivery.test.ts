import { afterEach, describe, expect, it } from '@jest/globals';
import { ChatDeliveryError } from '../../src/conversations/messenger.js';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { TEAMS_CONVERSATION_WINDOWS, cardReserve } from '../../src/delivery/pacing.js';
import type { RateWindow } from '../../src/rate-limit/sliding-window.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { ALL_CONTENT, World, alertIdsOn, freshAlert, run, runUntil, windowBroken } from './support.js';

const teams = (conversationId: string) => ({ kind: 'teams' as const, conversationId });
let service: DeliveryService | undefined;

afterEach(async () => {
  await service?.stop();
  service = undefined;
});

/** A world on a manual clock with one tenant and the given channels. */
function setUp(...channels: string[]) {
  const clock = new ManualClock();
  const world = new World(clock);
  const tenant = world.addTenant(1);
  for (const channel of channels) world.addChannel(channel);
  return { clock, world, tenant };
}

/** Delivers one alert to channels 19:a and 19:b and lets both cards go out. */
async function postToBoth(s: DeliveryService, tenant: TenantRecord, clock: ManualClock) {
  const alert = freshAlert(tenant, clock.now(), 'x');
  await s.deliver(tenant, alert, [
    { target: teams('19:a'), ruleId: 'r', options: ALL_CONTENT },
    { target: teams('19:b'), ruleId: 'r', options: ALL_CONTENT },
  ]);
  await run(clock, 500);
  return alert;
}

async function deliverMany(world: World, s: DeliveryService, tenant: TenantRecord, conversationId: string, count: number, prefix = 'a') {
  const alerts = Array.from({ length: count }, (_, i) => freshAlert(tenant, world.clock.now(), `${prefix}${i}`));
  // All recorded together, as one poll records what it found.
  await Promise.all(alerts.map((alert) => s.deliver(tenant, alert, [{ target: teams(conversationId), ruleId: 'r1', options: ALL_CONTENT }])));
  return alerts.map((a) => a.id);
}

describe('Teams delivery pacing', () => {
  it('posts a burst into one channel as fast as Teams allows and no faster', async () => {
    const { clock, world, tenant } = setUp('19:a');
    service = world.service({ stormThresholdMs: 0 });
    await service.start();
    const ids = await deliverMany(world, service, tenant, '19:a', 70);
    await runUntil(clock, () => world.messenger.sent.length === 70, 60_000);
    const times = world.messenger.timesIn('19:a');
    // Cards leave a tenth of every window (at least a slot) to replies: 6 at once, then 7 every 2 s
    // up to 54 in the first 30 s; the 55th waits for the 30-second window.
    expect(windowBroken(times, withoutReserve(TEAMS_CONVERSATION_WINDOWS))).toBeUndefined();
    expect(times[5]! - times[0]!).toBe(0);
    expect(times[6]! - times[0]!).toBe(1000);
    expect(times[53]! - times[0]!).toBe(14_000);
    expect(times[54]! - times[0]!).toBe(30_000);
    expect(world.messenger.alertIdsIn('19:a')).toEqual(ids);
    expect(service.ledger.delivery([...service.ledger.deliveries()][0]!.key)?.state).toBe('sent');
  });

  it('keeps every conversation together under the global limit', async () => {
    const clock = new ManualClock();
    const world = new World(clock, { pollIntervalMs: 0, pollOverlapMs: 60_000, stormThresholdMs: 0, retentionMs: 86_400_000, teamsGlobalRate: 10 });
    const tenant = world.addTenant(1);
    service = world.service();
    await service.start();
    for (let c = 0; c < 6; c++) await deliverMany(world, service, tenant, world.addChannel(`19:c${c}`), 7, `c${c}-`);
    await runUntil(clock, () => world.messenger.sent.length === 42, 60_000);
    expect(windowBroken(world.messenger.allTimes(), [{ limit: 10, periodMs: 1000 }])).toBeUndefined();
    expect(windowBroken(world.messenger.allTimes(), [{ limit: 11, periodMs: 1000 }])).toBeUndefined();
    // 10 a second, but each conversation's seventh card waits for its own 1-second window (6 of 7 with the replies' slot).
    expect(world.messenger.allTimes().at(-1)! - world.messenger.allTimes()[0]!).toBe(4250);
  });
});

/** The windows as alert cards use them: a tenth of each (at least a slot) left to replies. */
function withoutReserve(windows: readonly RateWindow[]): RateWindow[] {
  const reserve = cardReserve(windows);
  return windows.map((w, i) => ({ ...w, limit: w.limit - reserve[i]! }));
}

describe('Teams delivery failures', () => {
  it('pauses every conversation when a 429 outlasts the client retries, then posts each card once', async () => {
    const { clock, world, tenant } = setUp('19:a', '19:b');
    world.messenger.scriptFor.set('19:a', [new ChatDeliveryError('throttled', 429, 5000, 'Teams answered 429')]);
    service = world.service();
    await service.start();
    const a = await deliverMany(world, service, tenant, '19:a', 3, 'a');
    await run(clock, 100);
    const b = await deliverMany(world, service, tenant, '19:b', 3, 'b');
    await run(clock, 4000);
    expect(world.messenger.sent).toHaveLength(0);
    await runUntil(clock, () => world.messenger.sent.length === 6, 10_000);
    expect(world.messenger.sent[0]!.at - clock.nowMs()).toBeLessThanOrEqual(0);
    expect(world.messenger.alertIdsIn('19:a')).toEqual(a);
    expect(world.messenger.alertIdsIn('19:b')).toEqual(b);
    expect(Math.min(...world.messenger.sent.map((s) => s.at)) - Date.parse('2026-11-26T09:00:00Z')).toBeGreaterThanOrEqual(5000);
    expect(service.stats().targets.teams?.globalPauses).toBe(1);
  });

  it('backs off a conversation whose posts fail transiently while the others carry on', async () => {
    const { clock, world, tenant } = setUp('19:a', '19:b');
    world.messenger.scriptFor.set('19:a', [new ChatDeliveryError('transient', 502, undefined, '502'), new ChatDeliveryError('transient', 504, undefined, '504')]);
    service = world.service({}, { backoff: { baseMs: 2000, capMs: 60_000 } });
    await service.start();
    await deliverMany(world, service, tenant, '19:a', 1, 'a');
    await deliverMany(world, service, tenant, '19:b', 1, 'b');
    await run(clock, 500);
    expect(world.messenger.alertIdsIn('19:b')).toHaveLength(1);
    expect(world.messenger.alertIdsIn('19:a')).toHaveLength(0);
    await runUntil(clock, () => world.messenger.alertIdsIn('19:a').length === 1, 20_000);
    // Two failures: 2 s · (0.5 + 0.5/2) then 4 s · 0.75 with random() = 0.5.
    expect(world.messenger.sent.find((s) => s.conversationId === '19:a')!.at - Date.parse('2026-11-26T09:00:00Z')).toBe(4500);
    expect(world.messenger.attempts).toBe(4);
  });

  it('marks the link broken on 403, tells the SOC once, and closes what waited there', async () => {
    const { clock, world, tenant } = setUp('19:gone', '19:ok');
    world.messenger.gone.add('19:gone');
    service = world.service();
    await service.start();
    await deliverMany(world, service, tenant, '19:gone', 4, 'g');
    await deliverMany(world, service, tenant, '19:ok', 2, 'k');
    await run(clock, 2000);
    // The first refusal closes the four waiting cards together.
    expect(world.links.calls).toBe(1);
    await deliverMany(world, service, tenant, '19:gone', 1, 'later');
    await run(clock, 2000);
    expect(world.links.broken.get('19:gone')).toContain('403');
    expect(world.links.calls).toBe(2);
    expect(world.soc.notices).toHaveLength(1);
    expect(world.soc.notices[0]!.event).toBe('delivery.link_broken');
    expect(world.messenger.alertIdsIn('19:ok')).toHaveLength(2);
    expect(world.messenger.alertIdsIn('19:gone')).toHaveLength(0);
    const states = [...service.ledger.deliveries()].filter((d) => d.target.kind === 'teams' && d.target.conversationId === '19:gone').map((d) => d.state);
    expect(states).toEqual(['gone', 'gone', 'gone', 'gone', 'gone']);
  });

  it('gives up a card Teams rejects (400) without retrying it', async () => {
    const { clock, world, tenant } = setUp('19:a');
    world.messenger.script.push(new ChatDeliveryError('rejected', 400, undefined, 'Teams answered 400: card too large'));
    service = world.service();
    await service.start();
    await deliverMany(world, service, tenant, '19:a', 2);
    await run(clock, 3000);
    expect(world.messenger.attempts).toBe(2);
    expect([...service.ledger.deliveries()].map((d) => d.state)).toEqual(['failed', 'sent']);
    expect([...service.ledger.deliveries()][0]!.error).toContain('card too large');
  });

  it('accepts a post Teams answered 202 without an id, never posts it again, and posts a fresh card when it changes', async () => {
    const { clock, world, tenant } = setUp('19:a');
    world.messenger.script.push({ noId: true });
    service = world.service();
    await service.start();
    const alert = freshAlert(tenant, clock.now(), 'x');
    await service.deliver(tenant, alert, [{ target: teams('19:a'), ruleId: 'r', options: ALL_CONTENT }]);
    await run(clock, 2000);
    expect(world.messenger.sent).toHaveLength(1);
    expect([...service.ledger.deliveries()][0]!.state).toBe('sent-no-id');
    await service.deliver(tenant, alert, [{ target: teams('19:a'), ruleId: 'r', options: ALL_CONTENT }]);
    await run(clock, 2000);
    expect(world.messenger.sent).toHaveLength(1);
    service.alertChanged(tenant, { ...alert, status: 'inProgress', lastUpdateDateTime: new Date(clock.nowMs()).toISOString() });
    await run(clock, 2000);
    expect(world.messenger.sent).toHaveLength(2);
    expect(world.messenger.updates).toHaveLength(0);
    const fresh = world.messenger.sent[1]!.reply;
    expect(fresh.kind === 'card' && fresh.card === 'alert-detail' && fresh.data.facts.find((f) => f.title === 'Status')?.value).toBe('In progress');
    expect([...service.ledger.deliveries()][0]!.state).toBe('sent');
  });
});

describe('cards stay current', () => {
  it('coalesces a burst of changes into one edit showing the newest state', async () => {
    const { clock, world, tenant } = setUp('19:a', '19:b');
    service = world.service();
    await service.start();
    const alert = await postToBoth(service, tenant, clock);
    const statuses = ['inProgress', 'inProgress', 'resolved'];
    for (const [i, status] of statuses.entries()) {
      service.alertChanged(tenant, { ...alert, status, assignedTo: 'megan@mssp.example', lastUpdateDateTime: new Date(clock.nowMs() + i + 1).toISOString() });
      await run(clock, 200);
    }
    await run(clock, 3000);
    expect(world.messenger.updates).toHaveLength(2);
    for (const update of world.messenger.updates) {
      expect(update.reply.kind === 'card' && update.reply.card === 'alert-detail' && update.reply.data.facts.find((f) => f.title === 'Status')?.value).toBe('Resolved');
    }
    expect(new Set(world.messenger.updates.map((u) => u.messageId))).toEqual(new Set(world.messenger.sent.map((s) => s.messageId)));
  });

  it('does not edit the card the analyst clicked, only the other copies', async () => {
    const { clock, world, tenant } = setUp('19:a', '19:b');
    service = world.service();
    await service.start();
    const alert = await postToBoth(service, tenant, clock);
    const clicked = world.messenger.sent.find((s) => s.conversationId === '19:a')!;
    service.alertChanged(tenant, { ...alert, assignedTo: 'megan@mssp.example', lastUpdateDateTime: new Date(clock.nowMs()).toISOString() }, { conversationId: '19:a', messageId: clicked.messageId! });
    await run(clock, 3000);
    expect(world.messenger.updates.map((u) => u.conversationId)).toEqual(['19:b']);
  });
});

describe('storm mode', () => {
  it('posts digests when a backlog would take longer than the threshold, and edits a digest when an alert in it changes', async () => {
    const { clock, world, tenant } = setUp('19:storm');
    service = world.service({ stormThresholdMs: 60_000 });
    await service.start();
    const ids = await deliverMany(world, service, tenant, '19:storm', 200);
    const elapsed = await runUntil(clock, () => world.messenger.alertIdsIn('19:storm').length === 200, 60_000);
    // 200 cards one by one would take 1,800 s's worth of windows (over 3 minutes); 8 digests go out
    // within 2 s (6 at once: cards leave a slot of every window to replies).
    expect(elapsed).toBeLessThanOrEqual(2050);
    expect(world.messenger.sent.every((s) => s.reply.kind === 'card' && s.reply.card === 'alert-digest')).toBe(true);
    expect(world.messenger.sent).toHaveLength(8);
    expect(world.messenger.alertIdsIn('19:storm').sort()).toEqual([...ids].sort());
    expect(new Set(world.messenger.alertIdsIn('19:storm')).size).toBe(200);
    expect(world.store.onDisk().digests).not.toEqual({});
    const target = freshAlert(tenant, new Date(Date.parse('2026-11-26T09:00:00Z')), 'a42');
    service.alertChanged(tenant, { ...target, status: 'resolved', lastUpdateDateTime: new Date(clock.nowMs()).toISOString() });
    await run(clock, 3000);
    expect(world.messenger.updates).toHaveLength(1);
    const edited = world.messenger.updates[0]!.reply;
    expect(alertIdsOn(edited)).toContain(target.id);
    const row = edited.kind === 'card' && edited.card === 'alert-digest' ? edited.data.items.find((i) => i.actionData.alertId === target.id) : undefined;
    expect(row?.line).toContain('Resolved');
  });

  it('posts cards one by one while the backlog drains within the threshold', async () => {
    const { clock, world, tenant } = setUp('19:calm');
    service = world.service({ stormThresholdMs: 60_000 });
    await service.start();
    await deliverMany(world, service, tenant, '19:calm', 30);
    await runUntil(clock, () => world.messenger.sent.length === 30, 60_000);
    expect(world.messenger.sent.every((s) => s.reply.kind === 'card' && s.reply.card === 'alert-detail')).toBe(true);
  });
});
