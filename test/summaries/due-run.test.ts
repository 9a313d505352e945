import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { dueRun, nextRunMs } from '../../src/summaries/due-run.js';
import { checkTimeZone, localDate, shiftDate, zonedInstant } from '../../src/summaries/local-time.js';
import type { SummarySchedule } from '../../src/summaries/summary-schema.js';

const at = (iso: string) => Date.parse(iso);

describe('local times through Intl', () => {
  it('finds the instant of a wall-clock time on both sides of a DST switch', () => {
    // Europe/Berlin moves from CET (+1) to CEST (+2) on 2026-03-29 and back on 2026-10-25.
    expect(new Date(zonedInstant('2026-03-28', '07:30', 'Europe/Berlin')).toISOString()).toBe('2026-03-28T06:30:00.000Z');
    expect(new Date(zonedInstant('2026-03-29', '07:30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T05:30:00.000Z');
    expect(new Date(zonedInstant('2026-10-25', '07:30', 'Europe/Berlin')).toISOString()).toBe('2026-10-25T06:30:00.000Z');
    // America/New_York moves from EST (-5) to EDT (-4) on 2026-03-08.
    expect(new Date(zonedInstant('2026-03-07', '08:00', 'America/New_York')).toISOString()).toBe('2026-03-07T13:00:00.000Z');
    expect(new Date(zonedInstant('2026-03-08', '08:00', 'America/New_York')).toISOString()).toBe('2026-03-08T12:00:00.000Z');
  });

  it('puts a time the clocks skip an hour later, as wall clocks show it', () => {
    // 02:30 does not exist in Berlin on 2026-03-29: the clocks jump from 02:00 to 03:00.
    expect(new Date(zonedInstant('2026-03-29', '02:30', 'Europe/Berlin')).toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });

  it('reads local dates and the day before', () => {
    expect(localDate(at('2026-03-28T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-29');
    expect(localDate(at('2026-03-28T23:30:00Z'), 'America/New_York')).toBe('2026-03-28');
    expect(shiftDate('2026-03-01', -1)).toBe('2026-02-28');
    expect(shiftDate('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('accepts IANA names in any case and names the nearest for a typo', () => {
    expect(checkTimeZone('europe/berlin')).toBe('Europe/Berlin');
    expect(checkTimeZone('UTC')).toBe('UTC');
    expect(() => checkTimeZone('Europe/Berlinn')).toThrow(UsageError);
    expect(() => checkTimeZone('Europe/Berlinn')).toThrow('did you mean Europe/Berlin?');
  });
});

describe('which run is due', () => {
  const schedule: SummarySchedule = {
    conversationId: 'c', kind: 'customer', tenantIds: [], time: '07:30', timeZone: 'Europe/Berlin', setBy: 'u', setByName: 'U', setAt: '2026-03-27T12:00:00.000Z',
  };

  it('is none before the first time after the schedule was set, then that day\'s, on time', () => {
    expect(dueRun(schedule, at('2026-03-28T06:29:00Z'))).toBeUndefined();
    expect(dueRun(schedule, at('2026-03-28T06:30:00Z'))).toEqual({ day: '2026-03-28', dueMs: at('2026-03-28T06:30:00Z'), late: false });
  });

  it('is none once the day was sent, and the next day\'s at its local time in summer time', () => {
    const sent = { ...schedule, lastRunDay: '2026-03-28' };
    expect(dueRun(sent, at('2026-03-29T05:29:00Z'))).toBeUndefined();
    expect(dueRun(sent, at('2026-03-29T05:30:00Z'))?.day).toBe('2026-03-29');
  });

  it('sends only the latest missed run, marked late, and not one due before the schedule was set', () => {
    const sent = { ...schedule, lastRunDay: '2026-03-28' };
    // Down from before the 29th's run until the 31st before its time: the 30th's run is sent, late.
    expect(dueRun(sent, at('2026-03-31T04:00:00Z'))).toEqual({ day: '2026-03-30', dueMs: at('2026-03-30T05:30:00Z'), late: true });
    expect(dueRun({ ...schedule, setAt: '2026-03-28T09:00:00.000Z' }, at('2026-03-28T10:00:00Z'))).toBeUndefined();
  });

  it('tells the next time', () => {
    expect(new Date(nextRunMs(schedule, at('2026-03-28T07:00:00Z'))).toISOString()).toBe('2026-03-29T05:30:00.000Z');
    expect(new Date(nextRunMs(schedule, at('2026-03-28T06:00:00Z'))).toISOString()).toBe('2026-03-28T06:30:00.000Z');
  });
});
