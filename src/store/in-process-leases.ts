import { systemClock, type Clock } from '../clock.js';
import { checkLeaseTtl, type Lease, type LeaseStore } from './leases.js';

interface Held {
  holder: string;
  expiresAtMs: number;
}

/**
 * Leases for the embedded store, whose single process is every lease's only possible holder
 * across instances; within it, tasks still take turns. Expiry follows the injected clock.
 */
export class InProcessLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, Held>();

  constructor(private readonly clock: Clock = systemClock) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseTtl(ttlMs);
    const held = this.live(name);
    if (held && held.holder !== holder) return undefined;
    return this.grant(name, holder, ttlMs);
  }

  async renew(name: string, holder: string, ttlMs: number): Promise<Lease | undefined> {
    checkLeaseTtl(ttlMs);
    if (this.live(name)?.holder !== holder) return undefined;
    return this.grant(name, holder, ttlMs);
  }

  async release(name: string, holder: string): Promise<boolean> {
    if (this.leases.get(name)?.holder !== holder) return false;
    return this.leases.delete(name);
  }

  async current(name: string): Promise<Lease | undefined> {
    const held = this.live(name);
    return held && { name, holder: held.holder, expiresAt: new Date(held.expiresAtMs) };
  }

  private live(name: string): Held | undefined {
    const held = this.leases.get(name);
    return held && held.expiresAtMs > this.clock.nowMs() ? held : undefined;
  }

  private grant(name: string, holder: string, ttlMs: number): Lease {
    const expiresAtMs = this.clock.nowMs() + ttlMs;
    this.leases.set(name, { holder, expiresAtMs });
    return { name, holder, expiresAt: new Date(expiresAtMs) };
  }
}
