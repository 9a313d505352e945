import { severityLabel, statusLabel, utc } from '../alerts/alert-views.js';
import { clip } from '../cards/limits.js';
import type { Fact } from '../cards/routing-cards.js';
import type { ChartBar, ChartColor, ChartSection, ChartSeries, ChartSlice, CustomerStatsRow, StatsCardData } from '../cards/stats-cards.js';
import { SEVERITY_ORDER, type AlertStats, type Ranked, type SeverityBucket, type SeverityCounts } from './alert-stats.js';
import { formatDuration } from './durations.js';
import type { StatsReport } from './stats-service.js';
import type { StatsWindow } from './stats-window.js';

/** Rows of the per-customer table before it says "and N more". */
export const MAX_CUSTOMER_ROWS = 25;
/** Bars of the source chart, and of the top categories and devices. */
const MAX_SOURCES = 8;
const TOP = 5;
/** A chart legend or axis label from a customer tenant (a category, a device name) is cut to this. */
const LABEL_LIMIT = 60;

/**
 * Each severity's colour in the charts, from Teams' chart palette (named, so the host picks a
 * shade that reads on its light, dark and high-contrast themes): red and amber for high and
 * medium, as severity bands are elsewhere on SOC Bridge's cards.
 */
const SEVERITY_CHART_COLORS: Record<SeverityBucket, ChartColor> = {
  high: 'attention',
  medium: 'warning',
  low: 'categoricalLightBlue',
  informational: 'neutral',
  other: 'divergingGray',
};

/** How MTTA and MTTR are measured, as the card (and the README) says it. */
export const TIMING_DEFINITIONS = [
  'MTTA (time to acknowledge): from the alert\'s creation in Defender (createdDateTime) to its first acknowledgement in Teams: the first "assign", or status set to in progress or resolved, made through SOC Bridge.',
  'MTTR (time to resolve): from creation to Defender\'s resolvedDateTime, over the alerts created in the period that are resolved.',
  'Median: the middle value (of an even count, the lower of the two middle ones). p90: the value 90% of the alerts are at or under (nearest rank).',
] as const;

/** Where each number on the card comes from. */
export const STATS_SOURCES = [
  'Counts, severities, sources, categories, devices, open and resolved, and MTTR: Microsoft Graph, the customers\' alerts (createdDateTime, status, resolvedDateTime, serviceSource, category, device evidence).',
  'MTTA: SOC Bridge\'s audit trail (when someone first acted on the alert in Teams), against Graph\'s createdDateTime.',
] as const;

/** The parts of the stats card that describe one set of alerts: charts, fallbacks, timing. */
export function statsSections(stats: AlertStats, window: StatsWindow): Pick<StatsCardData, 'empty' | 'severity' | 'trend' | 'bars' | 'states' | 'timing' | 'definitions'> {
  if (stats.total === 0) {
    return { empty: [`No alert was created in ${window.label}.`], severity: [], trend: [], bars: [], states: [], timing: [], definitions: [] };
  }
  return {
    empty: [],
    severity: [severitySection(stats)],
    trend: [trendSection(stats, window)],
    states: [statesSection(stats)],
    bars: [
      rankedSection('By service source', stats.sources, MAX_SOURCES),
      rankedSection(`Top ${TOP} categories`, stats.categories, TOP),
      ...(stats.devices.length ? [rankedSection(`Top ${TOP} devices`, stats.devices, TOP)] : []),
    ],
    timing: timingFacts(stats),
    definitions: [...TIMING_DEFINITIONS],
  };
}

/** `stats <tenant|all>`: one customer's numbers, or every customer's together with a row per customer. */
export function statsCard(report: StatsReport, args: { scope: string; perCustomer: boolean }): StatsCardData {
  const { window } = report;
  const partial = report.tenants.filter((t) => t.partial).map((t) => t.tenant.displayName);
  const rows = args.perCustomer ? [...report.tenants].sort((a, b) => b.stats.total - a.stats.total || a.tenant.displayName.localeCompare(b.tenant.displayName)) : [];
  return {
    title: `Alert statistics — ${args.scope}`,
    subtitle: `Alerts created in ${window.label}: ${utc(new Date(window.startMs).toISOString())} to ${utc(new Date(window.endMs).toISOString())}`,
    notices: partial.length
      ? [{ color: 'warning', text: `Partial numbers for ${partial.join(', ')}: more alerts (or audit entries) than SOC Bridge reads at once; the newest are counted.` }]
      : [],
    ...statsSections(report.combined, window),
    customers: rows.slice(0, MAX_CUSTOMER_ROWS).map((t) => customerRow(t.tenant.displayName, t.stats)),
    customersMore: rows.length > MAX_CUSTOMER_ROWS ? [`…and ${rows.length - MAX_CUSTOMER_ROWS} more customers, with fewer alerts: ask for one with "stats <tenant>".`] : [],
    openTitle: [],
    openAlerts: [],
    sources: [...STATS_SOURCES, 'Times in UTC.'],
    failures: report.failures.map((f) => `Not counted: ${f.tenant.displayName}: ${f.message}`),
  };
}

/** One row of a per-customer table. */
export function customerRow(name: string, stats: AlertStats): CustomerStatsRow {
  return {
    name,
    alerts: String(stats.total),
    open: String(stats.states.new + stats.states.inProgress),
    mtta: stats.mtta.count ? `${formatDuration(stats.mtta.medianMs)} / ${formatDuration(stats.mtta.p90Ms)}` : '—',
    mttr: stats.mttr.count ? `${formatDuration(stats.mttr.medianMs)} / ${formatDuration(stats.mttr.p90Ms)}` : '—',
  };
}

function severitySection(stats: AlertStats): ChartSection<ChartSlice> {
  const present = SEVERITY_ORDER.filter((s) => stats.bySeverity[s] > 0);
  return {
    title: `${stats.total} alert${stats.total === 1 ? '' : 's'} by severity`,
    data: present.map((s) => ({ legend: severityName(s), value: stats.bySeverity[s], color: SEVERITY_CHART_COLORS[s] })),
    facts: present.map((s) => ({ title: severityName(s), value: String(stats.bySeverity[s]) })),
    summary: factLine(present.map((s) => ({ title: severityName(s), value: String(stats.bySeverity[s]) }))),
  };
}

function trendSection(stats: AlertStats, window: StatsWindow): ChartSection<ChartSeries> {
  const present = SEVERITY_ORDER.filter((s) => stats.bySeverity[s] > 0);
  const labels = stats.buckets.map((b) => bucketLabel(b.startMs, window));
  return {
    title: `By ${window.bucketLabel} and severity`,
    data: present.map((s) => ({ legend: severityName(s), color: SEVERITY_CHART_COLORS[s], values: stats.buckets.map((b, i) => ({ x: labels[i] ?? '', y: b.bySeverity[s] })) })),
    facts: stats.buckets.map((b, i) => ({ title: labels[i] ?? '', value: describeCounts(b.bySeverity) })),
    summary: busiestLine(stats, labels),
  };
}

function statesSection(stats: AlertStats): ChartSection<ChartSlice> {
  const slices: ChartSlice[] = [
    { legend: statusLabel('new'), value: stats.states.new, color: 'categoricalBlue' },
    { legend: statusLabel('inProgress'), value: stats.states.inProgress, color: 'categoricalPurple' },
    { legend: statusLabel('resolved'), value: stats.states.resolved, color: 'good' },
    { legend: 'Other', value: stats.states.other, color: 'divergingGray' },
  ];
  const states = slices.filter((s) => s.value > 0);
  const open = stats.states.new + stats.states.inProgress;
  return {
    title: `Open and resolved: ${open} open, ${stats.states.resolved} resolved`,
    data: states,
    facts: states.map((s) => ({ title: s.legend, value: String(s.value) })),
    summary: factLine(states.map((s) => ({ title: s.legend, value: String(s.value) }))),
  };
}

function rankedSection(title: string, ranked: readonly Ranked[], top: number): ChartSection<ChartBar> {
  const shown = ranked.slice(0, top);
  const bars = shown.map((r) => ({ x: clip(r.name, LABEL_LIMIT), y: r.count }));
  const rest = ranked.length - shown.length;
  const facts = [...bars.map((b) => ({ title: b.x, value: String(b.y) })), ...(rest > 0 ? [{ title: `${rest} more`, value: String(ranked.slice(top).reduce((n, r) => n + r.count, 0)) }] : [])];
  return { title, data: bars, facts, summary: factLine(facts) };
}

/** `High 3 · Medium 2 · Low 1`: a chart's numbers as one line of text. */
function factLine(facts: readonly Fact[]): string {
  return facts.map((f) => `${f.title} ${f.value}`).join(' · ');
}

/** The busiest period of the volume chart, in words (its bars have a line each only in the fallback). */
function busiestLine(stats: AlertStats, labels: readonly string[]): string {
  const totals = stats.buckets.map((b) => SEVERITY_ORDER.reduce((n, s) => n + b.bySeverity[s], 0));
  const peak = Math.max(0, ...totals);
  const at = totals.indexOf(peak);
  return peak > 0 ? `Busiest: ${labels[at] ?? ''} with ${peak} alert${peak === 1 ? '' : 's'}` : '';
}

function timingFacts(stats: AlertStats): Fact[] {
  const { mtta, mttr } = stats;
  return [
    { title: 'MTTA median / p90', value: mtta.count ? `${formatDuration(mtta.medianMs)} / ${formatDuration(mtta.p90Ms)}` : 'not measured' },
    { title: 'MTTA measured on', value: `${mtta.count} acknowledged in Teams; ${mtta.acknowledgedElsewhere} acknowledged elsewhere (Graph keeps no time for it); ${mtta.unacknowledged} not acknowledged yet` },
    { title: 'MTTR median / p90', value: mttr.count ? `${formatDuration(mttr.medianMs)} / ${formatDuration(mttr.p90Ms)}` : 'not measured' },
    { title: 'MTTR measured on', value: `${mttr.count} resolved alert${mttr.count === 1 ? '' : 's'}` },
  ];
}

function severityName(severity: string): string {
  return severity === 'other' ? 'Other' : severityLabel(severity);
}

/** `2 High · 1 Medium`, or `none`. */
export function describeCounts(counts: SeverityCounts): string {
  const parts = SEVERITY_ORDER.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${severityName(s)}`);
  return parts.length ? parts.join(' · ') : 'none';
}

/** `11-24` for a day, `11-24 08:00` for a 4-hour period (UTC). */
function bucketLabel(startMs: number, window: StatsWindow): string {
  const iso = new Date(startMs).toISOString();
  return window.bucketMs >= 86_400_000 ? iso.slice(5, 10) : `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
}
