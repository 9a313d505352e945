import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../store/schema.js';

/**
 * What other parts of SOC Bridge undo when a customer tenant is offboarded, so offboarding needs
 * to know none of them: routing's channel links register here (onboarding/compose.ts). The poller
 * does not: it re-reads the connected tenants every few seconds, so an offboarded tenant drops out
 * of polling (and a newly connected one joins) by itself.
 */
export interface TenantLifecycleListener {
  /** The tenant was offboarded by `by`; answer one short sentence per thing undone (e.g. "2 channel links removed"). */
  offboarded(tenant: TenantRecord, by: Actor): Promise<readonly string[] | void> | readonly string[] | void;
}

/** The listeners to a tenant's offboarding, told in the order they registered. */
export class TenantLifecycle {
  private readonly listeners: TenantLifecycleListener[] = [];

  constructor(private readonly logger: Logger) {}

  add(listener: TenantLifecycleListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener and collects what they undid; failures become a sentence too. */
  async offboarded(tenant: TenantRecord, by: Actor): Promise<string[]> {
    const done: string[] = [];
    for (const listener of this.listeners) {
      try {
        const lines = await listener.offboarded({ ...tenant }, by);
        if (lines) done.push(...lines);
      } catch (error) {
        this.logger.error({ event: 'tenant.offboarded_listener_failed', tenant: tenant.handle, err: error }, 'a tenant-offboarded listener failed');
        done.push('One clean-up step failed; the operators can find it in the log.');
      }
    }
    return done;
  }
}
