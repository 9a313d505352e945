import { describe, expect, it } from '@jest/globals';
import { backoffDelayMs, parseRetryAfterMs } from '../src/rate-limit/backoff.js';
import { SlidingWindowLimiter } from '../src/rate-limit/sliding-window.js';
import { ManualClock } from './helpers/manual-clock.js';

describe('SlidingWindowLimiter', () => {
  it('admits at most the limit of every window', () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter([{ limit: 7, periodMs: 1000 }, { limit: 8, periodMs: 2000 }], clock);
    const admitted = Array.from({ length: 10 }, () => limiter.tryAcquire()).filter(Boolean).length;
    expect(admitted).toBe(7);
    expect(limiter.delayMs()).toBe(1000);
  });

  it('lets the tighter long window hold events back after the short one frees up', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter([{ limit: 7, periodMs: 1000 }, { limit: 8, periodMs: 2000 }], clock);
    for (let i = 0; i < 7; i++) expect(limiter.tryAcquire()).toBe(true);
    await clock.advance(1000);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    expect(limiter.delayMs()).toBe(1000);
  });

  it('acquire waits in simulated time, first come first served', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter([{ limit: 2, periodMs: 60_000 }], clock);
    const order: number[] = [];
    const done = [1, 2, 3, 4].map((n) => limiter.acquire().then(() => order.push(n)));
    await clock.advance(0);
    expect(order).toEqual([1, 2]);
    await clock.advance(60_000);
    await Promise.all(done);
    expect(order).toEqual([1, 2, 3, 4]);
  });

  it('pauseUntil blocks admissions until the given moment', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter([{ limit: 100, periodMs: 1000 }], clock);
    limiter.pauseUntil(clock.nowMs() + 5000);
    expect(limiter.tryAcquire()).toBe(false);
    expect(limiter.delayMs()).toBe(5000);
    await clock.advance(5000);
    expect(limiter.tryAcquire()).toBe(true);
  });

  it('reports headroom in the tightest window', () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter([{ limit: 150, periodMs: 60_000 }], clock);
    for (let i = 0; i < 40; i++) limiter.tryAcquire();
    expect(limiter.headroom()).toBe(110);
  });

  it('plans how long a backlog takes under every window, matching what acquire does', async () => {
    const clock = new ManualClock();
    const teams = [{ limit: 7, periodMs: 1000 }, { limit: 8, periodMs: 2000 }, { limit: 60, periodMs: 30_000 }, { limit: 1800, periodMs: 3_600_000 }];
    const planner = new SlidingWindowLimiter(teams, clock);
    expect(planner.timeToAdmitMs(7)).toBe(0);
    expect(planner.timeToAdmitMs(8)).toBe(1000);
    expect(planner.timeToAdmitMs(60)).toBe(14_000);
    expect(planner.timeToAdmitMs(61)).toBe(30_000);
    const real = new SlidingWindowLimiter(teams, clock);
    const started = clock.nowMs();
    let finishedAt = 0;
    const all = Promise.all(Array.from({ length: 61 }, () => real.acquire())).then(() => (finishedAt = clock.nowMs()));
    for (let step = 0; step < 310; step++) await clock.advance(100);
    await all;
    expect(finishedAt - started).toBe(30_000);
    expect(real.timeToAdmitMs(1)).toBe(0);
    real.pauseUntil(clock.nowMs() + 5000);
    expect(real.timeToAdmitMs(1)).toBe(5000);
  });

  it('counts events from before it existed, as a restarted process must', async () => {
    const clock = new ManualClock();
    const limiter = new SlidingWindowLimiter([{ limit: 7, periodMs: 1000 }, { limit: 60, periodMs: 30_000 }], clock);
    const now = clock.nowMs();
    limiter.recordPast([now - 40_000, now - 500, now - 400, now - 300, now - 200, now - 100, now - 50]);
    expect(limiter.tryAcquire()).toBe(true);
    expect(limiter.tryAcquire()).toBe(false);
    expect(limiter.delayMs()).toBe(500);
    expect(limiter.headroom()).toBe(0);
  });
});

describe('backoff', () => {
  it('grows exponentially, jittered, and stays under the cap', () => {
    const opts = { baseMs: 500, capMs: 8000 };
    expect(backoffDelayMs(0, opts, () => 1)).toBe(500);
    expect(backoffDelayMs(3, opts, () => 1)).toBe(4000);
    expect(backoffDelayMs(10, opts, () => 1)).toBe(8000);
    expect(backoffDelayMs(3, opts, () => 0)).toBe(2000);
  });

  it('reads Retry-After as decimal seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-26T09:00:00Z');
    expect(parseRetryAfterMs('10', now)).toBe(10_000);
    expect(parseRetryAfterMs('2.128', now)).toBe(2128);
    expect(parseRetryAfterMs('Thu, 26 Nov 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
