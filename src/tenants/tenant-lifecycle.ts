import type { Logger } from '../log.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from './tenant-schema.js';

/**
 * What other parts of SOC Bridge do when a customer tenant is connected or offboarded: the poller
 * starts or stops polling it, routing removes its channel links. They register here in the
 * composition root, so onboarding needs to know none of them.
 */
export interface TenantLifecycleListener {
  /** The tenant's access was just proven and it is connected. */
  connected?(tenant: TenantRecord): Promise<void> | void;
  /** The tenant was offboarded by `by`; answer one short sentence per thing undone (e.g. "2 channel links removed"). */
  offboarded?(tenant: TenantRecord, by: Actor): Promise<readonly string[] | void> | readonly string[] | void;
}

export class TenantLifecycle {
  private readonly listeners: TenantLifecycleListener[] = [];

  constructor(private readonly logger: Logger) {}

  add(listener: TenantLifecycleListener): void {
    this.listeners.push(listener);
  }

  /** Tells every listener; one failing does not stop the others. */
  async connected(tenant: TenantRecord): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener.connected?.({ ...tenant });
      } catch (error) {
        this.logger.error({ event: 'tenant.connected_listener_failed', tenant: tenant.handle, err: error }, 'a tenant-connected listener failed');
      }
    }
  }

  /** Tells every listener and collects what they undid; failures become a sentence too. */
  async offboarded(tenant: TenantRecord, by: Actor): Promise<string[]> {
    const done: string[] = [];
    for (const listener of this.listeners) {
      try {
        const lines = await listener.offboarded?.({ ...tenant }, by);
        if (lines) done.push(...lines);
      } catch (error) {
        this.logger.error({ event: 'tenant.offboarded_listener_failed', tenant: tenant.handle, err: error }, 'a tenant-offboarded listener failed');
        done.push('One clean-up step failed; the operators can find it in the log.');
      }
    }
    return done;
  }
}
