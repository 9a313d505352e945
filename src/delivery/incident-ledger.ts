import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { IncidentSchema, type Incident } from '../defender/incident.js';
import type { Logger } from '../log.js';
import type { IncidentSnapshot, IncidentThread } from './store-schema.js';

/** An incident's key in delivery's records: tenant and incident id. */
export const incidentKeyOf = (tenantId: string, incidentId: string): string => `${tenantId}/${incidentId}`;
/** An incident thread's key: the incident and the target's key (`kind:…`). */
export const threadKeyOf = (tenantId: string, incidentId: string, targetKey: string): string => `${incidentKeyOf(tenantId, incidentId)}|${targetKey}`;

/**
 * Delivery's incident threads and the incidents they show, in memory (the delivery ledger loads
 * and journals them with its other sections). Every change goes through a method here, which
 * replaces the record and marks it for the journal.
 */
export class IncidentLedger {
  private readonly snapshotMap = new Map<string, IncidentSnapshot>();
  private readonly bodies = new Map<string, Incident>();
  private readonly threadMap = new Map<string, IncidentThread>();
  private readonly byIncident = new Map<string, Set<string>>();
  /** Tenants whose incidents this instance may read (their token grants it): only they get threads. Memory only, set by each poll. */
  private readonly readable = new Map<string, boolean>();

  constructor(private readonly deps: { mark(section: 'incidents' | 'threads', key: string): void; logger: Logger }) {}

  /** A record read from the store at start. */
  restore(section: 'incidents' | 'threads', key: string, record: IncidentSnapshot | IncidentThread): void {
    if (section === 'incidents') this.snapshotMap.set(key, record as IncidentSnapshot);
    else this.index(record as IncidentThread);
  }

  current(section: 'incidents' | 'threads', key: string): unknown {
    return section === 'incidents' ? this.snapshotMap.get(key) : this.threadMap.get(key);
  }

  // Which tenants' incidents can be read

  setReadable(tenantId: string, readable: boolean): void {
    this.readable.set(tenantId, readable);
  }

  isReadable(tenantId: string): boolean {
    return this.readable.get(tenantId) === true;
  }

  // Incident snapshots

  incident(incidentKey: string): IncidentSnapshot | undefined {
    return this.snapshotMap.get(incidentKey);
  }

  incidents(): IterableIterator<[string, IncidentSnapshot]> {
    return this.snapshotMap.entries();
  }

  /** Stores the snapshot; with `body`, the incident it shows is replaced by it. */
  putIncident(snapshot: IncidentSnapshot, body?: Incident): void {
    const key = incidentKeyOf(snapshot.tenantId, snapshot.incidentId);
    if (body) {
      this.bodies.set(key, body);
      this.snapshotMap.set(key, { ...snapshot, body: deflateRawSync(JSON.stringify(body)).toString('base64') });
    } else {
      if (snapshot.body !== this.snapshotMap.get(key)?.body) this.bodies.delete(key);
      this.snapshotMap.set(key, snapshot);
    }
    this.deps.mark('incidents', key);
  }

  /** An alert of the incident changed or joined it: it is read again by the next poll. */
  markStale(tenantId: string, incidentId: string, at: string): void {
    const key = incidentKeyOf(tenantId, incidentId);
    const snapshot = this.snapshotMap.get(key);
    if (snapshot?.stale) return;
    this.putIncident({ ...(snapshot ?? { tenantId, incidentId }), stale: true, updatedAt: at });
  }

  /** The incident ids of the tenant that wait to be read again. */
  staleIncidents(tenantId: string): string[] {
    return [...this.snapshotMap.values()].filter((s) => s.tenantId === tenantId && s.stale).map((s) => s.incidentId);
  }

  removeIncident(incidentKey: string): void {
    this.bodies.delete(incidentKey);
    if (this.snapshotMap.delete(incidentKey)) this.deps.mark('incidents', incidentKey);
  }

  /** The incident a thread card renders from (undefined until read, or if unreadable). */
  incidentBody(incidentKey: string): Incident | undefined {
    const cached = this.bodies.get(incidentKey);
    if (cached) return cached;
    const packed = this.snapshotMap.get(incidentKey)?.body;
    if (packed === undefined) return undefined;
    try {
      const parsed = IncidentSchema.safeParse(JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')));
      if (parsed.success) {
        this.bodies.set(incidentKey, parsed.data);
        return parsed.data;
      }
    } catch {
      // reported below
    }
    this.deps.logger.error({ event: 'delivery.incident_unreadable', incidentKey }, 'a stored incident cannot be read');
    return undefined;
  }

  // Threads

  thread(key: string): IncidentThread | undefined {
    return this.threadMap.get(key);
  }

  threads(): IterableIterator<IncidentThread> {
    return this.threadMap.values();
  }

  threadsOf(incidentKey: string): IncidentThread[] {
    return [...(this.byIncident.get(incidentKey) ?? [])].flatMap((key) => this.threadMap.get(key) ?? []);
  }

  putThread(thread: IncidentThread): void {
    this.index(thread);
    this.deps.mark('threads', thread.key);
  }

  removeThread(key: string): void {
    const thread = this.threadMap.get(key);
    if (!thread) return;
    this.threadMap.delete(key);
    const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
    const keys = this.byIncident.get(incidentKey);
    keys?.delete(key);
    if (keys?.size === 0) this.byIncident.delete(incidentKey);
    this.deps.mark('threads', key);
  }

  private index(thread: IncidentThread): void {
    this.threadMap.set(thread.key, thread);
    const incidentKey = incidentKeyOf(thread.tenantId, thread.incidentId);
    let keys = this.byIncident.get(incidentKey);
    if (!keys) {
      keys = new Set();
      this.byIncident.set(incidentKey, keys);
    }
    keys.add(thread.key);
  }
}
