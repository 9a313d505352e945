import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { Actor } from '../roles/actor.js';
import type { StoreData } from '../store/schema.js';
import type { Store } from '../store/store.js';
import type { ActorRef, OnboardingRecord } from './store-schema.js';

/** Older history entries are dropped beyond this many per tenant, so help clicks cannot grow the file without end. */
const MAX_HISTORY = 500;

/** The onboarding section of the store, one record per customer tenant. */
export class OnboardingRecords {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** A copy of the tenant's record, so callers never hold the store's live object. */
  get(tenantId: string): OnboardingRecord | undefined {
    const record = this.deps.store.read().onboarding.find((r) => r.tenantId === tenantId);
    return record ? structuredClone(record) : undefined;
  }

  /** Inserts or replaces the tenant's record. */
  async put(record: OnboardingRecord): Promise<void> {
    await this.deps.store.update((data) => {
      const index = data.onboarding.findIndex((r) => r.tenantId === record.tenantId);
      if (index === -1) data.onboarding.push(structuredClone(record));
      else data.onboarding[index] = structuredClone(record);
    });
  }

  /** Changes the tenant's record in one store mutation (synchronous, so never interleaved). */
  async update<T>(tenantId: string, mutate: (record: OnboardingRecord, data: StoreData) => T extends Promise<unknown> ? never : T): Promise<T> {
    return this.deps.store.update((data) => {
      const record = data.onboarding.find((r) => r.tenantId === tenantId);
      if (!record) throw new NotFoundError('This customer was not onboarded through SOC Bridge, so it has no consent or access-guide record. Use "consent <tenant>" to start one.');
      return mutate(record, data);
    });
  }

  /** Notes an event in the record's history; call inside `update`. */
  note(record: OnboardingRecord, event: string, by?: string, detail?: string): void {
    record.history.push({ at: this.deps.clock.now().toISOString(), event, ...(by ? { by } : {}), ...(detail ? { detail: detail.slice(0, 500) } : {}) });
    if (record.history.length > MAX_HISTORY) record.history.splice(0, record.history.length - MAX_HISTORY);
  }
}

/** How a person is remembered in onboarding records: object id (or chat name) and display name. */
export function actorRef(actor: Actor): ActorRef {
  return { id: actor.userId ?? 'unknown', name: actor.displayName };
}
