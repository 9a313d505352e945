import type { AlertService } from '../alerts/alert-service.js';
import { severityColor, severityLabel, statusLabel, utc } from '../alerts/alert-views.js';
import { ALERT_VERBS } from '../alerts/verbs.js';
import { clip, TEXT_LIMITS } from '../cards/limits.js';
import type { CardColor } from '../cards/elements.js';
import type { HandoverCustomerRow, StatsAlertRow } from '../cards/stats-cards.js';
import { cardReply, type Reply } from '../chat/reply.js';
import type { Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import type { ChannelLinks } from '../routing/channel-links.js';
import type { StatsService } from '../stats/stats-service.js';
import { statsCard } from '../stats/stats-views.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { TenantRegistry } from '../tenants/tenant-registry.js';
import type { SummaryRun } from './due-run.js';
import { describeLocal } from './local-time.js';
import type { SummarySchedule } from './summary-schema.js';

/** Open alerts listed on a morning summary, oldest first. */
const MAX_OPEN_ROWS = 15;
/** Unowned highs and oldest open alerts on the hand-over. */
const MAX_UNOWNED_ROWS = 10;
const MAX_OLDEST_ROWS = 5;
const MAX_HANDOVER_CUSTOMERS = 25;

export interface SummaryContentDeps {
  readonly tenants: TenantRegistry;
  readonly links: ChannelLinks;
  readonly alerts: AlertService;
  readonly stats: StatsService;
  readonly clock: Clock;
}

/** What a daily summary says, built when it is sent. Customer data appears only where it is linked. */
export class SummaryContent {
  constructor(private readonly deps: SummaryContentDeps) {}

  /** The customers a schedule covers now: for a channel, only those still linked to it. */
  customersOf(schedule: SummarySchedule): TenantRecord[] {
    const connected = this.deps.tenants.connected();
    const chosen = schedule.tenantIds.length ? connected.filter((t) => schedule.tenantIds.includes(t.tenantId)) : connected;
    const allowed = schedule.kind === 'customer' ? chosen.filter((t) => this.deps.links.isLinked(schedule.conversationId, t.tenantId)) : chosen;
    return allowed.sort((a, b) => a.displayName.localeCompare(b.displayName));
  }

  /** One morning card per customer: the last 24 hours in charts, then its open high and medium alerts, oldest first. */
  async morning(schedule: SummarySchedule, run: SummaryRun): Promise<Reply[]> {
    const replies: Reply[] = [];
    for (const tenant of this.customersOf(schedule)) {
      const report = await this.deps.stats.report([tenant], '24h');
      let open: Alert[] | undefined;
      try {
        open = (await this.deps.alerts.open(tenant, ['high', 'medium'])).sort(oldestFirst);
      } catch (error) {
        await this.deps.alerts.failed(tenant, error);
      }
      const base = statsCard(report, { scope: tenant.displayName, perCustomer: false });
      replies.push(
        cardReply(
          'stats',
          {
            ...base,
            title: `Morning summary — ${tenant.displayName}`,
            subtitle: `${describeLocal(this.deps.clock.nowMs(), schedule.timeZone)} · the last 24 hours`,
            notices: [...this.lateNotice(schedule, run), ...base.notices],
            openTitle: [open === undefined ? 'Still open: Defender did not answer; see "alerts" later.' : open.length === 0 ? 'No high or medium alert is open.' : `Still open: ${open.length} high and medium alert${open.length === 1 ? '' : 's'}, oldest first${open.length > MAX_OPEN_ROWS ? ` (the ${MAX_OPEN_ROWS} oldest shown)` : ''}`],
            openAlerts: (open ?? []).slice(0, MAX_OPEN_ROWS).map((a) => alertRow(tenant, a, false)),
          },
          `Morning summary for ${tenant.displayName}${run.late ? ' (sent late)' : ''}: ${report.combined.total} alerts in the last 24 hours, ${open?.length ?? 'unknown'} high and medium still open`,
        ),
      );
    }
    return replies;
  }

  /** The SOC channel's hand-over: open alerts per customer, unowned highs, oldest open, and what needs someone. */
  async handover(schedule: SummarySchedule, run: SummaryRun): Promise<Reply> {
    const customers = this.customersOf(schedule);
    const results = await Promise.all(
      customers.map(async (tenant) => {
        try {
          return { tenant, open: await this.deps.alerts.open(tenant) };
        } catch (error) {
          return { tenant, failure: await this.deps.alerts.failed(tenant, error) };
        }
      }),
    );
    const answered = results.filter((r): r is { tenant: TenantRecord; open: Alert[] } => 'open' in r);
    const everyOpen = answered.flatMap(({ tenant, open }) => open.map((alert) => ({ tenant, alert }))).sort((a, b) => oldestFirst(a.alert, b.alert));
    const unowned = everyOpen.filter(({ alert }) => alert.severity === 'high' && alert.status === 'new' && !alert.assignedTo);
    const rows = answered.map(({ tenant, open }) => ({ tenant, counts: countBySeverity(open) })).sort((a, b) => b.counts.high - a.counts.high || b.counts.medium - a.counts.medium || a.tenant.displayName.localeCompare(b.tenant.displayName));
    const total = everyOpen.length;
    return cardReply(
      'handover',
      {
        title: 'Shift hand-over',
        subtitle: `${describeLocal(this.deps.clock.nowMs(), schedule.timeZone)} · ${customers.length} customer${customers.length === 1 ? '' : 's'}, ${total} open alert${total === 1 ? '' : 's'}`,
        notices: this.lateNotice(schedule, run),
        customers: rows.slice(0, MAX_HANDOVER_CUSTOMERS).map(({ tenant, counts }): HandoverCustomerRow => ({ name: tenant.displayName, high: String(counts.high), medium: String(counts.medium), low: String(counts.low), other: String(counts.other) })),
        customersMore: rows.length > MAX_HANDOVER_CUSTOMERS ? [`…and ${rows.length - MAX_HANDOVER_CUSTOMERS} more customers with fewer open alerts.`] : [],
        unownedTitle: unowned.length ? `Unowned high-severity alerts: ${unowned.length}${unowned.length > MAX_UNOWNED_ROWS ? ` (the ${MAX_UNOWNED_ROWS} oldest shown)` : ''}` : 'No high-severity alert is unowned.',
        unowned: unowned.slice(0, MAX_UNOWNED_ROWS).map(({ tenant, alert }) => alertRow(tenant, alert, true)),
        oldestTitle: total ? `Oldest open alerts (${Math.min(MAX_OLDEST_ROWS, total)} of ${total})` : 'No alert is open.',
        oldest: everyOpen.slice(0, MAX_OLDEST_ROWS).map(({ tenant, alert }) => alertRow(tenant, alert, true)),
        attention: this.attention(customers),
        failures: results.flatMap((r) => ('failure' in r ? [`Not counted: ${r.tenant.displayName}: ${r.failure}`] : [])),
        sources: ['Open alerts: Microsoft Graph, each customer\'s alerts now. Channels and consents: SOC Bridge\'s own records.', 'Times in UTC.'],
      },
      `Shift hand-over${run.late ? ' (sent late)' : ''}: ${total} open alerts, ${unowned.length} unowned high`,
    );
  }

  private lateNotice(schedule: SummarySchedule, run: SummaryRun): { color: CardColor; text: string }[] {
    if (!run.late) return [];
    return [{ color: 'warning', text: `Sent late: SOC Bridge was not running at ${schedule.time} ${schedule.timeZone} (${describeLocal(run.dueMs, schedule.timeZone)}). The numbers are as of now.` }];
  }

  /** Customers waiting for or having lost consent, and channels Teams no longer lets SOC Bridge post in. */
  private attention(customers: readonly TenantRecord[]): string[] {
    const lines: string[] = [];
    const covered = new Set(customers.map((t) => t.tenantId));
    for (const tenant of this.deps.tenants.all()) {
      if (tenant.status === 'needs-attention' && covered.has(tenant.tenantId)) lines.push(`${tenant.displayName}: needs attention — ${tenant.lastError?.message ?? 'its access stopped working'}`);
      if (tenant.status === 'pending-consent') lines.push(`${tenant.displayName}: waiting for the customer admin's consent since ${utc(tenant.createdAt)}`);
    }
    for (const link of this.deps.links.records.all()) {
      if (!link.broken) continue;
      const tenant = this.deps.tenants.find(link.tenantId);
      lines.push(`${this.deps.links.placeName(link.conversationId)} (${tenant?.displayName ?? 'a former customer'}): broken since ${utc(link.broken.at)} — ${link.broken.reason}`);
    }
    return lines.length ? lines : ['Nothing: every customer is connected and every alert channel works.'];
  }
}

function oldestFirst(a: Alert, b: Alert): number {
  return a.createdDateTime.localeCompare(b.createdDateTime) || a.id.localeCompare(b.id);
}

function countBySeverity(alerts: readonly Alert[]): { high: number; medium: number; low: number; other: number } {
  const counts = { high: 0, medium: 0, low: 0, other: 0 };
  for (const alert of alerts) {
    const severity: string = alert.severity;
    const key: keyof typeof counts = severity === 'high' || severity === 'medium' || severity === 'low' ? severity : 'other';
    counts[key]++;
  }
  return counts;
}

function alertRow(tenant: TenantRecord, alert: Alert, showCustomer: boolean): StatsAlertRow {
  return {
    severityLabel: severityLabel(alert.severity),
    severityColor: severityColor(alert.severity),
    title: clip(alert.title, TEXT_LIMITS.title),
    line: [
      ...(showCustomer ? [tenant.displayName] : []),
      statusLabel(alert.status),
      `created ${utc(alert.createdDateTime)}`,
      alert.assignedTo ? `assigned to ${clip(alert.assignedTo, TEXT_LIMITS.field)}` : 'unassigned',
    ].join(' · '),
    actionData: { verb: ALERT_VERBS.open, tenantId: tenant.tenantId, alertId: alert.id },
  };
}
