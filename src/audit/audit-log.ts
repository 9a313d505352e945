import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AuditEntry } from '../store/schema.js';
import type { Store } from '../store/store.js';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

/** The record of who did what to which alert. Entries are only ever appended. */
export class AuditLog {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: this.deps.clock.now().toISOString(), ...entry };
    await this.deps.store.update((data) => {
      data.audit.push(full);
    });
    return full;
  }

  /** Most recent first, optionally for one customer tenant. */
  recent({ tenantId, top }: { tenantId?: string; top: number }): AuditEntry[] {
    const entries = this.deps.store.read().audit;
    const out: AuditEntry[] = [];
    for (let i = entries.length - 1; i >= 0 && out.length < top; i--) {
      const entry = entries[i];
      if (entry && (!tenantId || entry.tenantId === tenantId)) out.push({ ...entry });
    }
    return out;
  }
}
