import { UsageError } from '../errors.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The periods `stats` reports on, and how its volume chart divides each into bars. */
export const STATS_PERIODS = {
  '24h': { ms: DAY_MS, bucketMs: 4 * HOUR_MS, label: 'the last 24 hours', bucketLabel: '4-hour periods (UTC)' },
  '7d': { ms: 7 * DAY_MS, bucketMs: DAY_MS, label: 'the last 7 days', bucketLabel: 'days (UTC)' },
  '30d': { ms: 30 * DAY_MS, bucketMs: DAY_MS, label: 'the last 30 days', bucketLabel: 'days (UTC)' },
} as const;

export type StatsPeriod = keyof typeof STATS_PERIODS;
export const DEFAULT_STATS_PERIOD: StatsPeriod = '7d';

/** A period pinned to the clock: alerts created in [startMs, endMs) count. */
export interface StatsWindow {
  readonly period: StatsPeriod;
  readonly startMs: number;
  readonly endMs: number;
  readonly bucketMs: number;
  readonly label: string;
  readonly bucketLabel: string;
}

/** The window of `period` ending at `nowMs`. */
export function statsWindow(period: StatsPeriod, nowMs: number): StatsWindow {
  const spec = STATS_PERIODS[period];
  return { period, startMs: nowMs - spec.ms, endMs: nowMs, bucketMs: spec.bucketMs, label: spec.label, bucketLabel: spec.bucketLabel };
}

/** Reads `24h`, `7d` or `30d` (the value of `since:`); anything else is refused with the choices. */
export function parseStatsPeriod(value: string): StatsPeriod {
  const key = value.trim().toLowerCase();
  if (key in STATS_PERIODS) return key as StatsPeriod;
  throw new UsageError(`"since:${value.slice(0, 20)}" is not a period stats reports on. Use since:24h, since:7d or since:30d.`);
}
