export { testTls } from './tls.js';
import type { Clock } from '../../src/clock.js';
import { GraphSecurityClient, type GraphSecurityClientOptions, type GraphTokenSource } from '../../src/defender/graph-client.js';
import { GraphSecurityEmulator, type GraphSecurityEmulatorOptions } from '../../src/emulator/graph-security.js';
import { testTls } from './tls.js';
import { mintEmulatorAccessToken } from '../../src/emulator/tokens.js';
import { silentLogger } from '../../src/log.js';
import { ManualClock } from './manual-clock.js';
import { TenantRateGate } from '../../src/defender/tenant-rate-gate.js';
import { InProcessRateBudgets } from '../../src/store/in-process-rate-budgets.js';
import type { RateWindow } from '../../src/rate-limit/sliding-window.js';

/** Application permissions as the emulator's tokens spell them: read alerts. */
export const READ_ROLE = 'SecurityAlert.Read.All';
/** Read and change alerts. */
export const WRITE_ROLE = 'SecurityAlert.ReadWrite.All';

/** A token source minting emulator tokens, counting what it issued and for which tenant. */
export class TestTokenSource implements GraphTokenSource {
  issued = 0;
  readonly tenantsAsked: string[] = [];
  /** Tenants whose token the client dropped after Graph refused it, in order. */
  readonly tenantsForgotten: string[] = [];
  readonly tokensIssued: string[] = [];
  private readonly rolesByTenant = new Map<string, string[]>();
  /** Seconds a token lives; negative mints already-expired tokens. */
  lifetimeS = 3600;

  constructor(
    private readonly clock: Clock,
    private readonly defaultRoles: string[] = [WRITE_ROLE],
    private readonly appid = '11111111-2222-3333-4444-555555555555',
  ) {}

  /** Sets the permissions the tenant "granted". */
  setRoles(tenantId: string, roles: string[]): void {
    this.rolesByTenant.set(tenantId, roles);
  }

  forgetGraphToken(tenantId: string): void {
    this.tenantsForgotten.push(tenantId);
  }

  async getGraphToken(tenantId: string): Promise<{ token: string; roles: string[] }> {
    this.issued++;
    this.tenantsAsked.push(tenantId);
    const exp = Math.floor(this.clock.nowMs() / 1000) + this.lifetimeS;
    const roles = this.rolesByTenant.get(tenantId) ?? this.defaultRoles;
    const token = mintEmulatorAccessToken({ tid: tenantId, appid: this.appid, roles, exp });
    this.tokensIssued.push(token);
    return { token, roles };
  }
}

/** An emulator, a client pointed at it, their shared manual clock and the token source. */
export interface GraphHarness {
  clock: ManualClock;
  emulator: GraphSecurityEmulator;
  client: GraphSecurityClient;
  tokens: TestTokenSource;
  /** Runs `work`, moving the manual clock whenever client and emulator are idle, until it settles. */
  drive<T>(work: Promise<T>, stepMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** Starts the emulator over HTTPS and a client on the same manual clock. */
export async function startGraphHarness(
  options: {
    emulator?: Omit<GraphSecurityEmulatorOptions, 'tls' | 'clock'>;
    client?: Partial<Omit<GraphSecurityClientOptions, 'baseUrl' | 'tokens' | 'clock' | 'rateGate'>>;
    /** The client's per-tenant budget, when not Graph's 150 a minute. */
    clientRateWindow?: RateWindow;
  } = {},
): Promise<GraphHarness> {
  const clock = new ManualClock();
  const emulator = await GraphSecurityEmulator.start({ tls: testTls(), clock, ...options.emulator });
  const tokens = new TestTokenSource(clock);
  const client = new GraphSecurityClient({
    baseUrl: emulator.baseUrl,
    tokens,
    clock,
    logger: silentLogger,
    random: () => 0.5,
    ...(options.clientRateWindow ? { rateGate: new TenantRateGate(new InProcessRateBudgets(clock), options.clientRateWindow, clock) } : {}),
    ...options.client,
  });
  // Idle: every token handed out became a request the emulator finished answering.
  const isIdle = () => emulator.inFlight === 0 && emulator.handled === tokens.issued;
  return {
    clock,
    emulator,
    client,
    tokens,
    drive: (work, stepMs = 500) => driveClock(clock, work, isIdle, stepMs),
    close: () => emulator.close(),
  };
}

const realPause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitIdle(isIdle: () => boolean): Promise<void> {
  let calm = 0;
  for (let i = 0; i < 2000 && calm < 3; i++) {
    await realPause(2);
    calm = isIdle() ? calm + 1 : 0;
  }
}

/**
 * Advances a manual clock in steps while `work` runs, but only when the network is idle, so
 * simulated time never jumps while a request is on the wire.
 */
export async function driveClock<T>(clock: ManualClock, work: Promise<T>, isIdle: () => boolean, stepMs: number, maxSteps = 10_000): Promise<T> {
  let settled = false;
  const watched = work.finally(() => {
    settled = true;
  });
  watched.catch(() => undefined);
  for (let step = 0; !settled; step++) {
    if (step >= maxSteps) throw new Error(`work did not settle within ${maxSteps} clock steps`);
    await waitIdle(isIdle);
    if (!settled) await clock.advance(stepMs);
  }
  return watched;
}

/** The largest number of timestamps inside any window of `periodMs` (window = (t - period, t]). */
export function maxInWindow(timesMs: readonly number[], periodMs: number): number {
  const sorted = [...timesMs].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[start] as number) <= (sorted[end] as number) - periodMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}
