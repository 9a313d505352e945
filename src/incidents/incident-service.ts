import type { AlertService } from '../alerts/alert-service.js';
import type { Clock } from '../clock.js';
import { INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE } from '../defender/graph-permissions.js';
import type { GraphSecurityClient } from '../defender/graph-client.js';
import { OPEN_INCIDENT_STATUSES, type Incident } from '../defender/incident.js';
import type { IncidentQuery } from '../defender/incident-query.js';
import { NotFoundError, PermissionMissingError, UsageError } from '../errors.js';
import type { Actor } from '../roles/actor.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { IncidentFilter } from './incident-filter.js';

/** An incident and the customer it belongs to. */
export interface TenantIncident {
  readonly tenant: TenantRecord;
  readonly incident: Incident;
}

/**
 * Where the next page starts: incidents last updated at or before `before`, minus the ids already
 * shown with exactly that time, so ties across the page boundary are neither lost nor repeated.
 */
export interface IncidentCursor {
  readonly before: string;
  readonly seen: readonly string[];
}

export interface IncidentListing {
  readonly items: TenantIncident[];
  readonly failures: { tenant: TenantRecord; message: string }[];
  readonly next?: IncidentCursor;
}

/** What the tenant's consent lets SOC Bridge do with incidents. */
export interface IncidentAccess {
  readonly read: boolean;
  /** Analysts may change incidents: the customer allowed changes and granted SecurityIncident.ReadWrite.All. */
  readonly write: boolean;
  /** What a customer that consented before incidents were used lacks, for the card to say. */
  readonly missingWrite: boolean;
}

/**
 * Graph documents no order on activity for incidents (it serves the most recently created first),
 * so "newest activity first" is read in windows of last update (the last 6 hours, the rest of the
 * day, of the week, of 30 days, then older), each read whole, newest window first, until enough
 * are in hand: whatever the order within a window, nothing newer is missed.
 */
const HOUR = 3_600_000;
const WINDOWS_MS = [6 * HOUR, 18 * HOUR, 6 * 24 * HOUR, 23 * 24 * HOUR, Number.POSITIVE_INFINITY];
const PAGE_SIZE = 200;
/** Pages read in one window before the tenant's answer is cut short (and said so). */
const MAX_PAGES_PER_WINDOW = 10;

/** Reads incidents from one or many customer tenants, newest activity first, and keeps tenant health current. */
export class IncidentService {
  constructor(private readonly deps: { graph: GraphSecurityClient; alerts: AlertService; clock: Clock }) {}

  /** What the tenant's current token allows; a customer whose token source cannot tell is trusted to Graph's answer. */
  async access(tenant: TenantRecord): Promise<IncidentAccess> {
    const roles = await this.deps.graph.grantedRoles(tenant.tenantId);
    if (!roles) return { read: true, write: tenant.writeAccess, missingWrite: false };
    const hasWrite = roles.includes(INCIDENT_WRITE_ROLE);
    return { read: hasWrite || roles.includes(INCIDENT_READ_ROLE), write: tenant.writeAccess && hasWrite, missingWrite: tenant.writeAccess && !hasWrite };
  }

  /** The newest-activity `top` incidents matching `filter` across `tenants` (queried in parallel). */
  async list(args: { tenants: readonly TenantRecord[]; filter: IncidentFilter; top: number; cursor?: IncidentCursor; actor: Actor }): Promise<IncidentListing> {
    const { tenants, top, cursor } = args;
    const query = this.queryOf(args.filter, args.actor);
    const seen = new Set(cursor?.seen ?? []);
    const wanted = top + seen.size + 1;
    type TenantResult = { tenant: TenantRecord; incidents: Incident[]; more: boolean } | { tenant: TenantRecord; error: string };
    const results = await Promise.all(
      tenants.map(async (tenant): Promise<TenantResult> => {
        try {
          await this.requireRead(tenant);
          const found = await this.newest(tenant, query, wanted, cursor ? Date.parse(cursor.before) + 1 : this.deps.clock.nowMs() + 60_000);
          await this.deps.alerts.healthy(tenant);
          return { tenant, incidents: found.incidents.filter((i) => !seen.has(i.id)), more: found.more };
        } catch (error) {
          return { tenant, error: await this.failed(tenant, error) };
        }
      }),
    );
    const items: TenantIncident[] = [];
    const failures: IncidentListing['failures'] = [];
    let more = false;
    for (const result of results) {
      if ('error' in result) failures.push({ tenant: result.tenant, message: result.error });
      else {
        more ||= result.more;
        for (const incident of result.incidents) items.push({ tenant: result.tenant, incident });
      }
    }
    items.sort(newestActivityFirst);
    more ||= items.length > top;
    const shown = items.slice(0, top);
    const last = shown[shown.length - 1];
    if (!more || !last) return { items: shown, failures };
    const before = last.incident.lastUpdateDateTime;
    const tied = shown.filter((i) => i.incident.lastUpdateDateTime === before).map((i) => i.incident.id);
    const carried = cursor && cursor.before === before ? cursor.seen : [];
    return { items: shown, failures, next: { before, seen: [...new Set([...carried, ...tied])] } };
  }

  /** One incident with its alerts. An id the tenant does not have is a NotFoundError naming the customer. */
  async get(tenant: TenantRecord, incidentId: string): Promise<Incident> {
    try {
      await this.requireRead(tenant);
      const incident = await this.deps.graph.getIncident(tenant.tenantId, incidentId);
      await this.deps.alerts.healthy(tenant);
      return incident;
    } catch (error) {
      if (error instanceof NotFoundError) {
        await this.deps.alerts.healthy(tenant);
        throw new NotFoundError(`${tenant.displayName}'s Defender has no incident ${incidentId}: it may have been removed, or the id belongs to another customer.`);
      }
      await this.failed(tenant, error);
      throw error;
    }
  }

  /**
   * Notes a failure against the tenant and returns the sentence to show. A missing incident or a
   * missing incident permission is no trouble with the tenant: its alerts still work.
   */
  async failed(tenant: TenantRecord, error: unknown): Promise<string> {
    if (error instanceof PermissionMissingError) return error.userMessage;
    return this.deps.alerts.failed(tenant, error);
  }

  private async requireRead(tenant: TenantRecord): Promise<void> {
    if ((await this.access(tenant)).read) return;
    throw new PermissionMissingError(
      INCIDENT_READ_ROLE,
      `${tenant.displayName} consented before SOC Bridge read incidents: its consent lacks ${INCIDENT_READ_ROLE}, so its incidents cannot be shown. Its alerts keep working. An administrator of ${tenant.displayName} consents again to add it (type "consent ${tenant.handle}" for a fresh consent card).`,
    );
  }

  /** At least `wanted` incidents updated before `beforeMs` (all of them if fewer), reading newer windows first. */
  private async newest(tenant: TenantRecord, query: IncidentQuery, wanted: number, beforeMs: number): Promise<{ incidents: Incident[]; more: boolean }> {
    const floorMs = query.updatedSince === undefined ? Number.NEGATIVE_INFINITY : new Date(query.updatedSince).getTime();
    const found: Incident[] = [];
    let upper = beforeMs;
    for (const [index, span] of WINDOWS_MS.entries()) {
      const lower = Math.max(upper - span, floorMs);
      const window: IncidentQuery = { ...query, updatedBefore: new Date(upper), ...(Number.isFinite(lower) ? { updatedSince: new Date(lower) } : {}) };
      let page = await this.deps.graph.listIncidents(tenant.tenantId, window, { pageSize: PAGE_SIZE });
      found.push(...page.incidents);
      for (let read = 1; page.nextLink !== undefined; read++) {
        if (read >= MAX_PAGES_PER_WINDOW) return { incidents: found, more: true };
        page = await this.deps.graph.nextIncidentPage(tenant.tenantId, page.nextLink);
        found.push(...page.incidents);
      }
      const exhausted = lower <= floorMs || index === WINDOWS_MS.length - 1;
      if (found.length >= wanted || exhausted) return { incidents: found, more: !exhausted };
      upper = lower;
    }
    return { incidents: found, more: false };
  }

  private queryOf(filter: IncidentFilter, actor: Actor): IncidentQuery {
    const statuses = filter.statuses ?? OPEN_INCIDENT_STATUSES;
    return {
      ...(filter.severities?.length ? { severities: [...filter.severities] } : {}),
      ...(statuses.length ? { statuses: [...statuses] } : {}),
      ...(filter.sinceMs ? { updatedSince: new Date(this.deps.clock.nowMs() - filter.sinceMs) } : {}),
      ...(filter.assigned === undefined ? {} : { assignedTo: ownerOf(filter.assigned, actor) }),
    };
  }
}

/** The `assignedTo` an `assigned:` option means for this reader. */
function ownerOf(assigned: string, actor: Actor): string | null {
  if (assigned === 'none') return null;
  if (assigned !== 'me') return assigned;
  if (!actor.email) throw new UsageError('Teams did not tell SOC Bridge your address, so "assigned:me" cannot be looked up. Use assigned:<your address> instead.');
  return actor.email;
}

function newestActivityFirst(a: TenantIncident, b: TenantIncident): number {
  return Date.parse(b.incident.lastUpdateDateTime) - Date.parse(a.incident.lastUpdateDateTime) || a.incident.id.localeCompare(b.incident.id) || a.tenant.handle.localeCompare(b.tenant.handle);
}
