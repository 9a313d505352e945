import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { Actor } from '../roles/actor.js';
import type { Collection, Storage } from '../store/storage.js';
import { ONBOARDING_RECORDS, type ActorRef, type OnboardingRecord } from './store-schema.js';

/** Older history entries are dropped beyond this many per tenant, so help clicks cannot grow the file without end. */
const MAX_HISTORY = 500;

/** Onboarding's records, one per customer tenant. */
export class OnboardingRecords {
  private readonly records: Collection<OnboardingRecord>;

  constructor(private readonly deps: { storage: Storage; clock: Clock }) {
    this.records = deps.storage.collection(ONBOARDING_RECORDS);
  }

  /** A copy of the tenant's record, so callers never hold the store's own object. */
  get(tenantId: string): OnboardingRecord | undefined {
    const record = this.records.get(tenantId);
    return record ? structuredClone(record) : undefined;
  }

  /** Inserts or replaces the tenant's record. */
  async put(record: OnboardingRecord): Promise<void> {
    await this.records.write((draft) => draft.put(structuredClone(record)));
  }

  /**
   * Changes the tenant's record: `mutate` edits a copy of the latest record, which is stored if it
   * returns (never interleaved with another change; nothing is stored if it throws).
   */
  async update<T>(tenantId: string, mutate: (record: OnboardingRecord) => T extends Promise<unknown> ? never : T): Promise<T> {
    return this.records.write((draft) => {
      const current = draft.get(tenantId);
      if (!current) throw new NotFoundError('This customer was not onboarded through SOC Bridge, so it has no consent or access-guide record. Use "consent <tenant>" to start one.');
      const record = structuredClone(current);
      const result = mutate(record);
      draft.put(record);
      return result;
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
