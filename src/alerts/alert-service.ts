import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { AlertFilter } from './alert-filter.js';
import type { Alert, AlertSeverity, AlertStatus } from '../defender/alert.js';
import type { AlertQuery } from '../defender/alert-query.js';
import type { GraphSecurityClient } from '../defender/graph-client.js';
import { NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import { tenantFailureOf } from './failures.js';

export const OPEN_STATUSES: readonly AlertStatus[] = ['new', 'inProgress'];

/** An alert and the customer it belongs to. */
export interface TenantAlert {
  readonly tenant: TenantRecord;
  readonly alert: Alert;
}

/**
 * Where the next page starts: alerts created at or before `before`, minus the ids already shown
 * with exactly that time, so ties across the page boundary are neither lost nor repeated.
 */
export interface ListCursor {
  readonly before: string;
  readonly seen: readonly string[];
}

export interface AlertListing {
  readonly items: TenantAlert[];
  readonly failures: { tenant: TenantRecord; message: string }[];
  readonly next?: ListCursor;
}

/** Reads alerts from one or many customer tenants, newest first, and keeps tenant health current. */
export class AlertService {
  constructor(private readonly deps: { graph: GraphSecurityClient; tenants: TenantRegistry; clock: Clock; logger: Logger }) {}

  /** The newest `top` alerts matching `filter` across `tenants` (queried in parallel). */
  async list({ tenants, filter, top, cursor }: { tenants: readonly TenantRecord[]; filter: AlertFilter; top: number; cursor?: ListCursor }): Promise<AlertListing> {
    const query = this.queryOf(filter, cursor);
    const seen = new Set(cursor?.seen ?? []);
    const pageSize = top + seen.size + 1;
    type TenantResult = { tenant: TenantRecord; alerts: Alert[]; more: boolean } | { tenant: TenantRecord; error: string };
    const results = await Promise.all(
      tenants.map(async (tenant): Promise<TenantResult> => {
        try {
          const page = await this.deps.graph.listAlerts(tenant.tenantId, query, { pageSize });
          await this.healthy(tenant);
          return { tenant, alerts: page.alerts.filter((a) => !seen.has(a.id)), more: page.nextLink !== undefined };
        } catch (error) {
          return { tenant, error: await this.failed(tenant, error) };
        }
      }),
    );
    const items: TenantAlert[] = [];
    const failures: AlertListing['failures'] = [];
    let more = false;
    for (const result of results) {
      if ('error' in result) failures.push({ tenant: result.tenant, message: result.error });
      else {
        more ||= result.more;
        for (const alert of result.alerts) items.push({ tenant: result.tenant, alert });
      }
    }
    items.sort(newestFirst);
    more ||= items.length > top;
    const shown = items.slice(0, top);
    const last = shown[shown.length - 1];
    if (!more || !last) return { items: shown, failures };
    const before = last.alert.createdDateTime;
    const tied = shown.filter((i) => i.alert.createdDateTime === before).map((i) => i.alert.id);
    const carried = cursor && cursor.before === before ? cursor.seen : [];
    return { items: shown, failures, next: { before, seen: [...new Set([...carried, ...tied])] } };
  }

  /**
   * One alert of one tenant. An alert the tenant does not have is a NotFoundError naming the
   * customer; the tenant answered, so that is no trouble with the tenant.
   */
  async get(tenant: TenantRecord, alertId: string): Promise<Alert> {
    try {
      const alert = await this.deps.graph.getAlert(tenant.tenantId, alertId);
      await this.healthy(tenant);
      return alert;
    } catch (error) {
      if (error instanceof NotFoundError) {
        await this.healthy(tenant);
        throw new NotFoundError(`${tenant.displayName}'s Defender has no alert ${alertId}: it may have been removed, or the id belongs to another customer.`);
      }
      await this.failed(tenant, error);
      throw error;
    }
  }

  /** Open alerts by severity, for the tenants overview. */
  async openCounts(tenant: TenantRecord): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const alert of await this.open(tenant)) counts[alert.severity] = (counts[alert.severity] ?? 0) + 1;
    return counts;
  }

  /** The tenant's open alerts (new and in progress), up to 5,000, optionally of some severities only. */
  async open(tenant: TenantRecord, severities?: readonly AlertSeverity[]): Promise<Alert[]> {
    const alerts: Alert[] = [];
    const query = { statuses: [...OPEN_STATUSES], ...(severities ? { severities: [...severities] } : {}) };
    for await (const page of this.deps.graph.iterateAlertPages(tenant.tenantId, query, { pageSize: 1000, maxPages: 5 })) alerts.push(...page.alerts);
    return alerts;
  }

  /**
   * Notes a failure against the tenant and returns the sentence to show for it. A missing alert
   * is not the tenant's failure and is not noted.
   */
  async failed(tenant: TenantRecord, error: unknown): Promise<string> {
    const reference = randomBytes(4).toString('hex');
    const failure = tenantFailureOf(error, reference);
    if (error instanceof NotFoundError) return failure.message;
    this.deps.logger.warn({ event: 'tenant.call_failed', tenant: tenant.handle, code: failure.code, reference, err: error instanceof Error ? error.message : String(error) }, 'call to customer tenant failed');
    await this.deps.tenants.recordFailure(tenant.tenantId, failure);
    return failure.message;
  }

  /** Notes that the tenant answered: a tenant that had trouble is healthy again. */
  async healthy(tenant: TenantRecord): Promise<void> {
    const current = this.deps.tenants.find(tenant.tenantId);
    if (current?.lastError || current?.status === 'needs-attention') await this.deps.tenants.recordSuccess(tenant.tenantId);
  }

  private queryOf(filter: AlertFilter, cursor: ListCursor | undefined): AlertQuery {
    const statuses = filter.statuses ?? OPEN_STATUSES;
    return {
      ...(filter.severities?.length ? { severities: [...filter.severities] } : {}),
      ...(statuses.length ? { statuses: [...statuses] } : {}),
      ...(filter.sources?.length ? { serviceSources: [...filter.sources] } : {}),
      ...(filter.sinceMs ? { createdAfter: new Date(this.deps.clock.nowMs() - filter.sinceMs) } : {}),
      // `createdBefore` is exclusive; one millisecond later includes alerts tied with the cursor.
      ...(cursor ? { createdBefore: new Date(Date.parse(cursor.before) + 1) } : {}),
    };
  }
}

function newestFirst(a: TenantAlert, b: TenantAlert): number {
  return b.alert.createdDateTime.localeCompare(a.alert.createdDateTime) || a.alert.id.localeCompare(b.alert.id);
}
