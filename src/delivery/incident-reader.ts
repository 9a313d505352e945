import type { Clock } from '../clock.js';
import { INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE } from '../defender/graph-permissions.js';
import type { Alert } from '../defender/alert.js';
import { IncidentSchema, type Incident } from '../defender/incident.js';
import { NotFoundError } from '../errors.js';
import type { IncidentQuery } from '../defender/incident-query.js';
import type { Logger } from '../log.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { incidentKeyOf } from './incident-ledger.js';
import { isNewer, type DeliveryLedger } from './ledger.js';
import type { DeliveryWork } from './worker.js';

/** The part of the Graph client incident threads read through. */
export interface IncidentGraph {
  getIncident(tenantId: string, incidentId: string): Promise<Incident>;
  /** One page of incidents (`GET /security/incidents?$filter=…`). */
  listIncidents(tenantId: string, query: IncidentQuery, options: { pageSize?: number }): Promise<{ incidents: Incident[]; nextLink?: string }>;
  /** The application permissions in the tenant's token; undefined when the token source cannot tell. */
  grantedRoles(tenantId: string): Promise<readonly string[] | undefined>;
  rateHeadroom(tenantId: string): Promise<number>;
}

/** Incidents changed since the last look that one request reads; more are logged and wait for their alerts. */
const RECENT_PAGE = 50;
/** A customer's changed incidents are listed at most this often, however short POLL_INTERVAL is: the budget is for alerts first. */
const RECENT_EVERY_MS = 5_000;

/**
 * Reads the incidents that incident threads show, for the poller: whether a tenant's incidents
 * may be read at all (only then do its alerts go by thread); the incidents changed since the last
 * poll (one `GET /security/incidents?$filter=lastUpdateDateTime ge …&$expand=alerts`), so a change
 * made to an incident alone in the portal reaches its threads; and each incident an alert of which
 * joined or changed since it was last read (`GET /security/incidents/{id}?$expand=alerts`). All
 * within the tenant's Graph budget above the reserve kept for analysts; what it cannot afford now
 * waits, marked stale in the records, for the next poll.
 */
export class IncidentReader {
  /** When each tenant's incidents were last listed (memory only: after a restart, from the tenant's alert watermark). */
  private readonly listedAt = new Map<string, number>();

  constructor(
    private readonly deps: { graph: IncidentGraph; ledger: DeliveryLedger; clock: Clock; logger: Logger },
    private readonly options: { headroomReserve: number; overlapMs: number },
  ) {}

  /**
   * Lists the tenant's incidents changed since its last listing (less the overlap), when it has a
   * started thread, the last listing is at least RECENT_EVERY_MS ago and the budget allows one
   * request; returns the thread work of those that are
   * newer than the records hold.
   */
  async readRecent(tenant: TenantRecord): Promise<DeliveryWork[]> {
    const { ledger, graph, logger, clock } = this.deps;
    const tenantId = tenant.tenantId;
    const startedAt = clock.nowMs();
    const last = this.listedAt.get(tenantId);
    if (last !== undefined && startedAt - last < RECENT_EVERY_MS) return [];
    const followed = new Set([...ledger.incidents.threads()].filter((t) => t.tenantId === tenantId && t.state === 'sent').map((t) => t.incidentId));
    if (followed.size === 0) return [];
    const access = await this.checkAccess(tenant);
    if (!access.read) return [];
    const headroom = await graph.rateHeadroom(tenantId).catch(() => 0);
    if (headroom - this.options.headroomReserve < 1) return [];
    const from = last ?? Date.parse(ledger.cursor(tenantId)?.watermark ?? new Date(startedAt).toISOString());
    let page: { incidents: Incident[]; nextLink?: string };
    try {
      page = await graph.listIncidents(tenantId, { updatedSince: new Date(from - this.options.overlapMs), withAlerts: true }, { pageSize: RECENT_PAGE });
    } catch (error) {
      logger.warn({ event: 'delivery.incidents_unlisted', tenant: tenant.handle, err: error }, 'could not list the changed incidents; trying next poll');
      return [];
    }
    this.listedAt.set(tenantId, startedAt);
    if (page.nextLink) logger.info({ event: 'delivery.incidents_many', tenant: tenant.handle, listed: page.incidents.length }, 'more incidents changed than one request reads; the others reach their threads when their alerts change');
    return page.incidents.flatMap((incident) => {
      const known = ledger.incidents.incident(incidentKeyOf(tenantId, incident.id));
      if (!followed.has(incident.id) || (known?.version !== undefined && !isNewer(incident.lastUpdateDateTime, known.version))) return [];
      return this.store(tenant, incident, access.write);
    });
  }

  /** Notes whether the tenant's token lets its incidents be read; a token that cannot tell is trusted to Graph's answer. */
  async checkAccess(tenant: TenantRecord): Promise<{ read: boolean; write: boolean }> {
    const roles = await this.deps.graph.grantedRoles(tenant.tenantId).catch(() => [] as string[]);
    const write = roles === undefined || roles.includes(INCIDENT_WRITE_ROLE);
    const read = write || roles?.includes(INCIDENT_READ_ROLE) === true;
    this.deps.ledger.incidents.setReadable(tenant.tenantId, read);
    return { read, write: write && tenant.writeAccess };
  }

  /** Reads the tenant's stale incidents within its budget; returns the thread cards that must show the change. */
  async refresh(tenant: TenantRecord): Promise<DeliveryWork[]> {
    const { ledger, graph, logger } = this.deps;
    const stale = ledger.incidents.staleIncidents(tenant.tenantId);
    if (stale.length === 0) return [];
    const access = await this.checkAccess(tenant);
    if (!access.read) return [];
    const headroom = await graph.rateHeadroom(tenant.tenantId).catch(() => 0);
    const affordable = Math.max(0, headroom - this.options.headroomReserve);
    const work: DeliveryWork[] = [];
    for (const incidentId of stale.slice(0, affordable)) {
      try {
        const incident = await graph.getIncident(tenant.tenantId, incidentId);
        work.push(...this.store(tenant, incident, access.write));
      } catch (error) {
        if (error instanceof NotFoundError) {
          // Removed from Defender: the cards keep what they showed.
          const key = incidentKeyOf(tenant.tenantId, incidentId);
          const snapshot = ledger.incidents.incident(key);
          if (snapshot) ledger.incidents.putIncident({ ...snapshot, stale: false, updatedAt: ledger.now() });
          continue;
        }
        logger.warn({ event: 'delivery.incident_unread', tenant: tenant.handle, incidentId, err: error }, 'could not read an incident for its thread cards; trying next poll');
        break;
      }
    }
    if (stale.length > affordable) logger.info({ event: 'delivery.incidents_deferred', tenant: tenant.handle, waiting: stale.length - affordable }, 'Graph budget low; reading the other incidents next poll');
    return work;
  }

  /** Keeps the incident as read (or as an analyst's change returned it); returns the thread cards behind it. */
  store(tenant: TenantRecord, incident: Incident, writable: boolean): DeliveryWork[] {
    const { ledger } = this.deps;
    const key = incidentKeyOf(tenant.tenantId, incident.id);
    const known = ledger.incidents.incident(key);
    ledger.incidents.putIncident({ tenantId: tenant.tenantId, incidentId: incident.id, version: incident.lastUpdateDateTime, writable, updatedAt: ledger.now(), ...(known?.stale ? { stale: false } : {}) }, incident);
    return threadEditsOf(ledger, key);
  }
}

/**
 * An edit for every started thread of the incident that shows an older version than the records
 * hold: Teams edits the incident card, kinds that follow incidents send `incident.updated`.
 */
export function threadEditsOf(ledger: DeliveryLedger, incidentKey: string): DeliveryWork[] {
  const version = ledger.incidents.incident(incidentKey)?.version;
  return ledger.incidents
    .threadsOf(incidentKey)
    .filter((t) => t.state === 'sent' && !t.cardGone && t.shownVersion !== version)
    .map((t) => ({ targetKind: t.target.kind, action: 'edit-thread', ref: t.key }));
}

/** Every incident card, of any incident, that is behind (after a restart). */
export function threadEditsBehind(ledger: DeliveryLedger): DeliveryWork[] {
  return [...ledger.incidents.incidents()].flatMap(([key, snapshot]) => (snapshot.body === undefined ? [] : threadEditsOf(ledger, key)));
}

/**
 * The incident as its first alert shows it, for a message sent before Graph's incident could be
 * read (budget spent, a passing failure): replaced by the real one as soon as it is read.
 */
export function incidentOfAlert(incidentId: string, alert: Alert): Incident {
  return IncidentSchema.parse({
    id: incidentId,
    displayName: alert.title,
    createdDateTime: alert.createdDateTime,
    lastUpdateDateTime: alert.lastUpdateDateTime,
    status: 'active',
    severity: alert.severity,
    assignedTo: alert.assignedTo ?? null,
    alerts: [alert],
  });
}
