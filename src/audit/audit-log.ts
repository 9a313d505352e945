import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AppendLog, Storage } from '../store/storage.js';
import { AUDIT_LOG, type AuditEntry } from './audit-schema.js';

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

/** The record of who did what to which alert. Entries are only ever appended. */
export class AuditLog {
  private readonly log: AppendLog<AuditEntry>;

  constructor(private readonly deps: { storage: Storage; clock: Clock }) {
    this.log = deps.storage.log(AUDIT_LOG);
  }

  async append(entry: NewAuditEntry): Promise<AuditEntry> {
    const full: AuditEntry = { id: randomUUID(), at: this.deps.clock.now().toISOString(), ...entry };
    await this.log.append(full);
    return full;
  }

  /** Most recent first, optionally for one customer tenant. */
  recent({ tenantId, top }: { tenantId?: string; top: number }): Promise<AuditEntry[]> {
    return this.log.query({ ...(tenantId ? { scope: tenantId } : {}), limit: top });
  }

  /**
   * Entries made at or after `fromIso` (of one customer tenant, or of all), newest first, reading
   * at most `cap` entries back; `complete` is false when the cap cut the reading short.
   */
  async since({ tenantId, fromIso, cap }: { tenantId?: string; fromIso: string; cap: number }): Promise<{ entries: AuditEntry[]; complete: boolean }> {
    const read = await this.log.query({ ...(tenantId ? { scope: tenantId } : {}), limit: cap });
    const entries = read.filter((e) => e.at >= fromIso);
    return { entries, complete: read.length < cap || entries.length < read.length };
  }

  /** How many entries a customer tenant has. */
  countFor(tenantId: string): Promise<number> {
    return this.log.count({ scope: tenantId });
  }
}
