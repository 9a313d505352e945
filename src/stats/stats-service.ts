import { firstAcknowledgements } from '../alerts/acknowledgements.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry } from '../audit/audit-schema.js';
import type { Clock } from '../clock.js';
import type { AlertFacts } from '../defender/alert-facts.js';
import type { GraphSecurityClient } from '../defender/graph-client.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { computeAlertStats, type AlertStats } from './alert-stats.js';
import { statsWindow, type StatsPeriod, type StatsWindow } from './stats-window.js';

/** Alerts per Graph page (Graph documents no maximum for alerts_v2; SOC Bridge asks for at most 1,000). */
const PAGE_SIZE = 1000;
/** Pages read per tenant at most: 10,000 alerts in a period is far beyond a normal customer's volume. */
const MAX_PAGES = 10;
/**
 * Requests of a tenant's Graph budget (150 a minute, shared with polling and analysts' clicks) that
 * stats leaves alone: when fewer remain, the tenant is reported as busy rather than slowed for all.
 */
const BUDGET_RESERVE = 20;
/** Audit entries read back at most (one read serves every tenant asked about). */
const AUDIT_CAP = 100_000;

/** One customer's alerts of the window and their numbers. */
export interface TenantStats {
  readonly tenant: TenantRecord;
  readonly stats: AlertStats;
  /** The alerts created in the window, newest first as Graph gave them. */
  readonly alerts: readonly AlertFacts[];
  /** When each alert was first acknowledged in Teams (ms), by the audit trail. */
  readonly acknowledgedAt: ReadonlyMap<string, number>;
  /** Graph had more alerts than were read (the newest were counted), or the audit trail was cut short. */
  readonly partial: boolean;
}

/** The numbers of one or many customers over one window. */
export interface StatsReport {
  readonly window: StatsWindow;
  /** Per customer, in the order asked. */
  readonly tenants: readonly TenantStats[];
  /** Every answering customer's alerts together. */
  readonly combined: AlertStats;
  readonly failures: readonly { readonly tenant: TenantRecord; readonly message: string }[];
}

/**
 * Reads what the stats card and the daily summaries show: each customer's alerts created in the
 * window (Graph, within the tenant's budget) and when SOC Bridge's users first acknowledged them
 * (the audit trail). Customers are read in parallel; each has its own Graph limiter.
 */
export class StatsService {
  constructor(private readonly deps: { graph: GraphSecurityClient; alerts: AlertService; audit: AuditLog; clock: Clock }) {}

  async report(tenants: readonly TenantRecord[], period: StatsPeriod): Promise<StatsReport> {
    const window = statsWindow(period, this.deps.clock.nowMs());
    // One read of the audit trail for every tenant asked about (on the embedded store a read costs the whole log).
    const audit = await this.acknowledgements(tenants.length === 1 ? tenants[0]?.tenantId : undefined, window);
    const results = await Promise.all(tenants.map((tenant) => this.tenantStats(tenant, window, audit)));
    const answered = results.filter((r): r is TenantStats => 'stats' in r);
    const failures = results.filter((r): r is { tenant: TenantRecord; message: string } => 'message' in r);
    const combinedAcks = new Map<string, number>();
    const combinedAlerts: AlertFacts[] = [];
    for (const sample of answered) {
      combinedAlerts.push(...sample.alerts);
      for (const [id, at] of sample.acknowledgedAt) combinedAcks.set(id, at);
    }
    return { window, tenants: answered, combined: computeAlertStats(combinedAlerts, combinedAcks, window), failures };
  }

  private async tenantStats(tenant: TenantRecord, window: StatsWindow, audit: AuditAcknowledgements): Promise<TenantStats | { tenant: TenantRecord; message: string }> {
    try {
      const pages = Math.min(MAX_PAGES, (await this.deps.graph.rateHeadroom(tenant.tenantId)) - BUDGET_RESERVE);
      if (pages < 1) return { tenant, message: 'its Graph budget (150 requests a minute, shared with polling and analysts) is nearly used up; ask again in a minute.' };
      const alerts: AlertFacts[] = [];
      let more = false;
      const query = { createdAfter: new Date(window.startMs), createdBefore: new Date(window.endMs) };
      for await (const page of this.deps.graph.iterateAlertFactPages(tenant.tenantId, query, { pageSize: PAGE_SIZE, maxPages: pages })) {
        alerts.push(...page.alerts);
        more = page.nextLink !== undefined;
      }
      const acknowledgedAt = audit.byTenant.get(tenant.tenantId) ?? new Map<string, number>();
      return { tenant, stats: computeAlertStats(alerts, acknowledgedAt, window), alerts, acknowledgedAt, partial: more || !audit.complete };
    } catch (error) {
      return { tenant, message: await this.deps.alerts.failed(tenant, error) };
    }
  }

  private async acknowledgements(tenantId: string | undefined, window: StatsWindow): Promise<AuditAcknowledgements> {
    const { entries, complete } = await this.deps.audit.since({ ...(tenantId ? { tenantId } : {}), fromIso: new Date(window.startMs).toISOString(), cap: AUDIT_CAP });
    const byTenant = new Map<string, AuditEntry[]>();
    for (const entry of entries) {
      const list = byTenant.get(entry.tenantId);
      if (list) list.push(entry);
      else byTenant.set(entry.tenantId, [entry]);
    }
    return { byTenant: new Map([...byTenant].map(([id, list]) => [id, firstAcknowledgements(list)])), complete };
  }
}

/** When each tenant's alerts were first acknowledged in Teams, and whether the audit trail was read far enough back. */
interface AuditAcknowledgements {
  readonly byTenant: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly complete: boolean;
}
