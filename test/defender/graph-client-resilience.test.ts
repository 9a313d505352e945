import { afterEach, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateBacklog } from '../../src/emulator/demo-data.js';
import { ExternalUnreachableError } from '../../src/errors.js';
import { maxInWindow, startGraphHarness, type GraphHarness } from '../helpers/graph.js';

const A = { tenantId: 'aaaaaaaa-5555-4000-8000-00000000000a', domain: 'contoso.com', orgName: 'Contoso' };
const B = { tenantId: 'bbbbbbbb-6666-4000-8000-00000000000b', domain: 'fabrikam.com', orgName: 'Fabrikam' };
const MINUTE = 60_000;

let h: GraphHarness | undefined;

async function harness(options: Parameters<typeof startGraphHarness>[0] = {}): Promise<{ h: GraphHarness; alertA: Alert; alertB: Alert }> {
  h = await startGraphHarness(options);
  const [alertA] = generateBacklog(A, 1, h.clock.now(), 1);
  const [alertB] = generateBacklog(B, 1, h.clock.now(), 2);
  h.emulator.seedAlerts(A.tenantId, [alertA as Alert]);
  h.emulator.seedAlerts(B.tenantId, [alertB as Alert]);
  return { h, alertA: alertA as Alert, alertB: alertB as Alert };
}

afterEach(async () => {
  await h?.close();
  h = undefined;
});

const arrivals = (g: GraphHarness, tenantId: string) => g.emulator.requests(tenantId).map((r) => r.atMs);
const gaps = (times: number[]) => times.slice(1).map((t, i) => t - (times[i] as number));

describe('riding out throttling', () => {
  it('waits out a storm of 429s for the Retry-After each one names', async () => {
    const { h, alertA } = await harness();
    h.emulator.injectFaults(A.tenantId, Array.from({ length: 5 }, () => ({ status: 429, retryAfterSeconds: 2.5 })));
    const alert = await h.drive(h.client.getAlert(A.tenantId, alertA.id), 250);
    expect(alert.id).toBe(alertA.id);
    expect(h.emulator.counters(A.tenantId).byStatus).toEqual({ 200: 1, 429: 5 });
    for (const gap of gaps(arrivals(h, A.tenantId))) expect(gap).toBeGreaterThanOrEqual(2500);
  });

  it('backs off on a 429 without Retry-After', async () => {
    const { h, alertA } = await harness({ client: { backoff: { baseMs: 1000, capMs: 4000 } } });
    h.emulator.injectFaults(A.tenantId, [{ status: 429 }, { status: 429 }]);
    await h.drive(h.client.getAlert(A.tenantId, alertA.id), 250);
    // random() is 0.5, so the jittered waits are 75% of 1 s and 2 s.
    expect(gaps(arrivals(h, A.tenantId))).toEqual([750, 1500]);
  });

  it('gives up after maxThrottledRetries with an unreachable error', async () => {
    const { h, alertA } = await harness({ client: { maxThrottledRetries: 2 } });
    h.emulator.injectFaults(A.tenantId, Array.from({ length: 5 }, () => ({ status: 429, retryAfterSeconds: 1 })));
    const error = await h.drive(h.client.getAlert(A.tenantId, alertA.id).catch((e: unknown) => e), 250);
    expect(error).toBeInstanceOf(ExternalUnreachableError);
    expect((error as ExternalUnreachableError).userMessage).toMatch(/after 3 attempts \(throttled\)/);
    expect(h.emulator.counters(A.tenantId).requests).toBe(3);
  });

  it("is answered by the emulator's own throttle and still completes every call", async () => {
    // A client allowed far more than Graph's budget: the emulator's 150/min bucket answers 429s.
    const { h, alertA } = await harness({ clientRateWindow: { limit: 10_000, periodMs: MINUTE }, client: { maxThrottledRetries: 50 } });
    const calls = Array.from({ length: 170 }, () => h.client.getAlert(A.tenantId, alertA.id));
    const results = await h.drive(Promise.all(calls), 1000);
    expect(results).toHaveLength(170);
    expect(h.emulator.counters(A.tenantId).throttled).toBeGreaterThan(0);
    expect(h.emulator.counters(A.tenantId).byStatus[200]).toBe(170);
  });
});

describe('riding out failures', () => {
  it('retries a burst of 5xx with backoff and succeeds', async () => {
    const { h, alertA } = await harness({ client: { backoff: { baseMs: 400, capMs: 5000 } } });
    h.emulator.injectFaults(A.tenantId, [{ status: 503 }, { status: 500 }, { status: 502 }]);
    const alert = await h.drive(h.client.getAlert(A.tenantId, alertA.id), 100);
    expect(alert.id).toBe(alertA.id);
    expect(h.emulator.counters(A.tenantId).byStatus).toEqual({ 200: 1, 500: 1, 502: 1, 503: 1 });
    expect(gaps(arrivals(h, A.tenantId))).toEqual([300, 600, 1200]);
  });

  it('stops after maxAttempts and says Graph did not answer', async () => {
    const { h, alertA } = await harness();
    h.emulator.injectFaults(A.tenantId, Array.from({ length: 6 }, () => ({ status: 503 })));
    const error = await h.drive(h.client.getAlert(A.tenantId, alertA.id).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(ExternalUnreachableError);
    expect((error as ExternalUnreachableError).userMessage).toContain(`in tenant ${A.tenantId} after 4 attempts (HTTP 503)`);
    expect(h.emulator.counters(A.tenantId).requests).toBe(4);
  });

  it('times out a slow answer and retries', async () => {
    const { h, alertA } = await harness({ client: { requestTimeoutMs: 200 } });
    h.emulator.injectFaults(A.tenantId, [{ delayMs: 3000 }]);
    const started = Date.now();
    const alert = await h.drive(h.client.getAlert(A.tenantId, alertA.id));
    expect(alert.id).toBe(alertA.id);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(h.emulator.counters(A.tenantId).requests).toBe(2);
  });

  it('retries after a dropped connection', async () => {
    const { h, alertA } = await harness();
    h.emulator.injectFaults(A.tenantId, [{ dropConnection: true }]);
    const alert = await h.drive(h.client.getAlert(A.tenantId, alertA.id));
    expect(alert.id).toBe(alertA.id);
    expect(h.emulator.counters(A.tenantId).byStatus).toEqual({ 0: 1, 200: 1 });
  });
});

describe('the per-tenant budget of 150 requests a minute', () => {
  it('never sends more than 150 in any minute, retries included', async () => {
    const { h, alertA } = await harness();
    // Throttles and 5xx early on: their retries must come out of the same budget.
    h.emulator.injectFaults(A.tenantId, [{ status: 429, retryAfterSeconds: 1.5 }, { status: 503 }, { status: 503 }]);
    expect(await h.client.rateHeadroom(A.tenantId)).toBe(150);
    const calls = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? h.client.getAlert(A.tenantId, alertA.id) : h.client.listAlerts(A.tenantId, { statuses: ['new'] })));
    const started = h.clock.nowMs();
    const results = await h.drive(Promise.all(calls), 1000);
    expect(results).toHaveLength(400);
    const times = arrivals(h, A.tenantId);
    expect(times).toHaveLength(403);
    expect(maxInWindow(times, MINUTE)).toBe(150);
    expect(h.emulator.counters(A.tenantId).throttled).toBe(0);
    expect(h.clock.nowMs() - started).toBeGreaterThanOrEqual(2 * MINUTE);
  });

  it('reports the headroom left', async () => {
    const { h, alertA } = await harness();
    await Promise.all(Array.from({ length: 40 }, () => h.client.getAlert(A.tenantId, alertA.id)));
    expect(await h.client.rateHeadroom(A.tenantId)).toBe(110);
    expect(await h.client.rateHeadroom(B.tenantId)).toBe(150);
  });
});

describe('tenant isolation under load', () => {
  it('serves another tenant at once while one waits out a long Retry-After', async () => {
    const { h, alertA, alertB } = await harness();
    h.emulator.injectFaults(A.tenantId, [{ status: 429, retryAfterSeconds: 30 }, { status: 429, retryAfterSeconds: 30 }]);
    let aDone = false;
    const slow = h.client.getAlert(A.tenantId, alertA.id).then((alert) => {
      aDone = true;
      return alert;
    });
    await expect(h.client.getAlert(B.tenantId, alertB.id)).resolves.toMatchObject({ id: alertB.id });
    expect(aDone).toBe(false);
    const startedMs = h.clock.nowMs();
    expect(arrivals(h, B.tenantId)).toEqual([startedMs]);
    await expect(h.drive(slow, 5000)).resolves.toMatchObject({ id: alertA.id });
    expect(h.clock.nowMs() - startedMs).toBeGreaterThanOrEqual(60_000);
  });

  it("does not spend one tenant's budget on another", async () => {
    const { h, alertA, alertB } = await harness();
    const burst = Array.from({ length: 200 }, () => h.client.getAlert(A.tenantId, alertA.id));
    await expect(h.client.getAlert(B.tenantId, alertB.id)).resolves.toMatchObject({ id: alertB.id });
    expect(await h.client.rateHeadroom(A.tenantId)).toBe(0);
    expect(await h.client.rateHeadroom(B.tenantId)).toBe(149);
    expect(arrivals(h, B.tenantId)).toEqual([h.clock.nowMs()]);
    await h.drive(Promise.all(burst), 5000);
    expect(h.emulator.counters(A.tenantId).byStatus[200]).toBe(200);
  });
});
