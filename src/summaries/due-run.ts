import { localDate, shiftDate, zonedInstant } from './local-time.js';
import type { SummarySchedule } from './summary-schema.js';

/** A run sent more than this after its time says it is late (a run on time goes out within one tick). */
export const LATE_AFTER_MS = 10 * 60_000;

/** One day's run of a schedule. */
export interface SummaryRun {
  /** The local day it is for, `YYYY-MM-DD`. */
  readonly day: string;
  /** When it was due. */
  readonly dueMs: number;
  /** Sent well after it was due (SOC Bridge was not running then). */
  readonly late: boolean;
}

/**
 * The run to send at `nowMs`, if any: the latest run due by now (today's, or yesterday's before
 * today's time), unless that day was sent already or the schedule was set after it was due. Runs
 * missed on earlier days are not sent: only the latest, once, marked late.
 */
export function dueRun(schedule: SummarySchedule, nowMs: number): SummaryRun | undefined {
  const today = localDate(nowMs, schedule.timeZone);
  const dueToday = zonedInstant(today, schedule.time, schedule.timeZone);
  const day = nowMs >= dueToday ? today : shiftDate(today, -1);
  const dueMs = day === today ? dueToday : zonedInstant(day, schedule.time, schedule.timeZone);
  if (schedule.lastRunDay !== undefined && schedule.lastRunDay >= day) return undefined;
  if (dueMs < Date.parse(schedule.setAt)) return undefined;
  return { day, dueMs, late: nowMs - dueMs > LATE_AFTER_MS };
}

/** When the next run after `nowMs` is due (for telling the admin). */
export function nextRunMs(schedule: Pick<SummarySchedule, 'time' | 'timeZone'>, nowMs: number): number {
  const today = localDate(nowMs, schedule.timeZone);
  const dueToday = zonedInstant(today, schedule.time, schedule.timeZone);
  return dueToday > nowMs ? dueToday : zonedInstant(shiftDate(today, 1), schedule.time, schedule.timeZone);
}
