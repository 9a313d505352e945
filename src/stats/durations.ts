/** A set of durations summed up the way the stats card shows them. */
export interface DurationSummary {
  /** How many durations were measured. */
  readonly count: number;
  /** The middle one (of an even count, the lower middle one); absent when none were measured. */
  readonly medianMs?: number;
  /** The one 90% of them are at or under (nearest rank); absent when none were measured. */
  readonly p90Ms?: number;
}

/**
 * The nearest-rank percentile of `sorted` (ascending): the smallest value with at least `p` of the
 * values at or under it. Nearest rank always names a measured value, so a reader can find the
 * alert behind it, and it is what one computes by hand from a sorted list.
 */
export function nearestRank(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[rank - 1];
}

/** Median and 90th percentile (nearest rank) of `durations`. */
export function summarizeDurations(durations: readonly number[]): DurationSummary {
  const sorted = [...durations].sort((a, b) => a - b);
  const medianMs = nearestRank(sorted, 0.5);
  const p90Ms = nearestRank(sorted, 0.9);
  return { count: sorted.length, ...(medianMs === undefined ? {} : { medianMs }), ...(p90Ms === undefined ? {} : { p90Ms }) };
}

/** `45 s`, `12 min`, `3 h 05 min`, `2 d 4 h`: two units at most, rounded down. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const seconds = Math.floor(Math.max(0, ms) / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
