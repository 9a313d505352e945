import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import type { LeaseStore } from './leases.js';

export interface LeaseKeeperOptions {
  readonly leases: LeaseStore;
  /** The lease kept, e.g. `delivery`. */
  readonly name: string;
  /** This instance, unique among those running. */
  readonly holder: string;
  readonly ttlMs: number;
  readonly logger: Logger;
  /** This instance has the lease now: start the work. */
  readonly onGained: () => void;
  /** It has lost it (or is giving it up): stop the work; resolves once stopped. */
  readonly onLost: () => Promise<void>;
}

/**
 * Keeps a lease for as long as this instance runs: tries to take it every quarter of its time,
 * renews it on the same beat while holding it, and calls `onLost` the moment it can no longer be
 * sure it holds it. That moment is measured on this process's monotonic clock from when the last
 * successful renewal was *sent*, so it comes no later than the database's expiry: another
 * instance can take the lease over only after this one has stopped.
 */
export class LeaseKeeper {
  private timer: NodeJS.Timeout | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private holdsUntil = 0;
  private holding = false;
  private stopped = false;
  private beat: Promise<void> = Promise.resolve();
  private losing: Promise<void> = Promise.resolve();

  constructor(private readonly options: LeaseKeeperOptions) {}

  /** Starts trying to take the lease, at once and then on every beat. */
  start(): void {
    this.tick();
  }

  /** Whether this instance holds the lease now. */
  get holds(): boolean {
    return this.holding && performance.now() < this.holdsUntil;
  }

  /** Stops keeping the lease: the work stops, then the lease is released for another instance to take at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beat;
    if (this.holding) await this.lose('stopping');
    await this.losing;
    await this.options.leases.release(this.options.name, this.options.holder).catch(() => false);
  }

  private tick(): void {
    if (this.stopped) return;
    this.beat = this.attempt().finally(() => {
      if (this.stopped) return;
      this.timer = setTimeout(() => this.tick(), Math.max(50, Math.floor(this.options.ttlMs / 4)));
      this.timer.unref();
    });
  }

  private async attempt(): Promise<void> {
    const { leases, name, holder, ttlMs, logger } = this.options;
    // Work stopped after a loss must have finished stopping before this instance may start it again.
    if (!this.holding) await this.losing;
    const sentAt = performance.now();
    try {
      const lease = this.holding ? await leases.renew(name, holder, ttlMs) : await leases.acquire(name, holder, ttlMs);
      if (this.stopped) return;
      if (!lease) {
        if (this.holding) await this.lose('taken by another instance');
        return;
      }
      this.holdsUntil = sentAt + ttlMs;
      this.armExpiry();
      if (!this.holding) {
        this.holding = true;
        logger.info({ event: 'lease.gained', lease: name, holder, ttlMs }, `this instance now holds the ${name} lease`);
        this.options.onGained();
      }
    } catch (error) {
      // The store does not answer: the lease is still ours until holdsUntil, and the expiry timer ends it then.
      logger.warn({ event: 'lease.renew_failed', lease: name, holding: this.holding, err: error }, `could not ${this.holding ? 'renew' : 'take'} the ${name} lease`);
    }
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = setTimeout(() => void this.lose('not renewed in time'), Math.max(0, this.holdsUntil - performance.now()));
    this.expiryTimer.unref();
  }

  private lose(reason: string): Promise<void> {
    if (!this.holding) return this.losing;
    this.holding = false;
    clearTimeout(this.expiryTimer);
    this.options.logger.warn({ event: 'lease.lost', lease: this.options.name, holder: this.options.holder, reason }, `this instance no longer holds the ${this.options.name} lease`);
    this.losing = this.options.onLost().catch((error: unknown) => this.options.logger.error({ event: 'lease.stop_failed', lease: this.options.name, err: error }, 'stopping the leased work failed'));
    return this.losing;
  }
}
