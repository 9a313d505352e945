import { deviceNames, type AlertFacts } from '../defender/alert-facts.js';
import { humanize } from '../alerts/alert-views.js';
import { summarizeDurations, type DurationSummary } from './durations.js';
import type { StatsWindow } from './stats-window.js';

/** Severities in the order every chart and table shows them; anything else counts as `other`. */
export const SEVERITY_ORDER = ['high', 'medium', 'low', 'informational', 'other'] as const;
export type SeverityBucket = (typeof SEVERITY_ORDER)[number];
export type SeverityCounts = Record<SeverityBucket, number>;

/** A name and how many alerts have it, for the ranked charts. */
export interface Ranked {
  readonly name: string;
  readonly count: number;
}

/** Time to acknowledge: measured where SOC Bridge saw it, counted where it could not. */
export interface AcknowledgeSummary extends DurationSummary {
  /** Acknowledged (owner, in progress or resolved) with no acknowledgement made in Teams: Graph keeps no time for it. */
  readonly acknowledgedElsewhere: number;
  /** Still new and unowned. */
  readonly unacknowledged: number;
}

/** Everything the stats card shows about one set of alerts (one customer, or all of them). */
export interface AlertStats {
  readonly total: number;
  readonly bySeverity: SeverityCounts;
  /** One entry per bar of the volume chart, oldest first. */
  readonly buckets: readonly { readonly startMs: number; readonly bySeverity: SeverityCounts }[];
  readonly sources: readonly Ranked[];
  readonly categories: readonly Ranked[];
  readonly devices: readonly Ranked[];
  readonly states: { readonly new: number; readonly inProgress: number; readonly resolved: number; readonly other: number };
  readonly mtta: AcknowledgeSummary;
  readonly mttr: DurationSummary;
}

/**
 * The numbers of `alerts` (those created in `window`). `acknowledgedAt` holds, per alert id, when
 * it was first acknowledged in Teams (SOC Bridge's audit trail); MTTA is measured from those only,
 * MTTR from Graph's `resolvedDateTime`.
 */
export function computeAlertStats(alerts: readonly AlertFacts[], acknowledgedAt: ReadonlyMap<string, number>, window: StatsWindow): AlertStats {
  const bySeverity = zeroCounts();
  const firstBucket = Math.floor(window.startMs / window.bucketMs);
  const lastBucket = Math.floor((window.endMs - 1) / window.bucketMs);
  const buckets = Array.from({ length: lastBucket - firstBucket + 1 }, (_, i) => ({ startMs: (firstBucket + i) * window.bucketMs, bySeverity: zeroCounts() }));
  const sources = new Map<string, number>();
  const categories = new Map<string, number>();
  const devices = new Map<string, number>();
  const states = { new: 0, inProgress: 0, resolved: 0, other: 0 };
  const toAcknowledge: number[] = [];
  const toResolve: number[] = [];
  let acknowledgedElsewhere = 0;
  let unacknowledged = 0;
  for (const alert of alerts) {
    const createdMs = Date.parse(alert.createdDateTime);
    const severity = severityBucket(alert.severity);
    bySeverity[severity]++;
    const bucket = buckets[Math.floor(createdMs / window.bucketMs) - firstBucket];
    if (bucket) bucket.bySeverity[severity]++;
    bump(sources, alert.serviceSource ? humanize(alert.serviceSource) : 'Unknown');
    bump(categories, alert.category?.trim() || 'Uncategorized');
    for (const device of deviceNames(alert)) bump(devices, device);
    states[stateOf(alert.status)]++;
    const ackMs = acknowledgedAt.get(alert.id);
    if (ackMs !== undefined && ackMs >= createdMs) toAcknowledge.push(ackMs - createdMs);
    else if (alert.status === 'new' && !alert.assignedTo) unacknowledged++;
    else acknowledgedElsewhere++;
    const resolvedMs = alert.status === 'resolved' && alert.resolvedDateTime ? Date.parse(alert.resolvedDateTime) : NaN;
    if (resolvedMs >= createdMs) toResolve.push(resolvedMs - createdMs);
  }
  return {
    total: alerts.length,
    bySeverity,
    buckets,
    sources: ranked(sources),
    categories: ranked(categories),
    devices: ranked(devices),
    states,
    mtta: { ...summarizeDurations(toAcknowledge), acknowledgedElsewhere, unacknowledged },
    mttr: summarizeDurations(toResolve),
  };
}

function zeroCounts(): SeverityCounts {
  return { high: 0, medium: 0, low: 0, informational: 0, other: 0 };
}

function severityBucket(severity: string): SeverityBucket {
  return severity === 'high' || severity === 'medium' || severity === 'low' || severity === 'informational' ? severity : 'other';
}

function stateOf(status: string): keyof AlertStats['states'] {
  return status === 'new' || status === 'inProgress' || status === 'resolved' ? status : 'other';
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Most first; ties by name, so the order is stable. */
function ranked(counts: ReadonlyMap<string, number>): Ranked[] {
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
