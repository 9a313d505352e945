/**
 * A named lease: the right, for a while, to do work that only one instance may do at a time (poll
 * a tenant, own a conversation's send queue, fire a schedule). A holder that stops renewing loses
 * it when it expires, and another takes over.
 */
export interface Lease {
  readonly name: string;
  /** Who has it: an id unique to one running instance (and task). */
  readonly holder: string;
  /** When it ends unless renewed, by the store's clock (the database's, on PostgreSQL). */
  readonly expiresAt: Date;
}

/** The lease port; every implementation passes test/store/leases.contract.test.ts. */
export interface LeaseStore {
  /**
   * Takes lease `name` for `holder` for `ttlMs` when nobody has it or its holder let it expire,
   * or extends it when `holder` has it already. Undefined while another holder has it.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Extends the lease `holder` still has by `ttlMs` from now; undefined if it expired or is someone else's. */
  renew(name: string, holder: string, ttlMs: number): Promise<Lease | undefined>;
  /** Gives the lease up if `holder` has it (true), so another can take it at once. */
  release(name: string, holder: string): Promise<boolean>;
  /** Who has lease `name` now; undefined if nobody, or its holder let it expire. */
  current(name: string): Promise<Lease | undefined>;
}

/** The longest lease: a holder that lives longer renews. */
export const MAX_LEASE_TTL_MS = 24 * 3_600_000;

/** Throws RangeError unless `ttlMs` is a whole number of milliseconds from 1 to a day. */
export function checkLeaseTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1 || ttlMs > MAX_LEASE_TTL_MS) {
    throw new RangeError(`A lease lasts a whole number of milliseconds from 1 to ${MAX_LEASE_TTL_MS}; got ${ttlMs}`);
  }
}
