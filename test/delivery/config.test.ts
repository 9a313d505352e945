import { describe, expect, it } from '@jest/globals';
import { configProblems } from '../helpers/config.js';
import { parseConfig } from '../../src/config.js';

const problemsOf = configProblems;

describe('delivery configuration', () => {
  it('has defaults: poll every 30 s with 2 min overlap, storm after 60 s, keep 30 days, 24 requests/s (below the conservative 30 per app)', () => {
    expect(parseConfig({}, '/srv/soc').delivery).toEqual({ pollIntervalMs: 30_000, pollOverlapMs: 120_000, stormThresholdMs: 60_000, retentionMs: 30 * 86_400_000, teamsGlobalRate: 24 });
  });

  it('reads durations with units, days included, and 0 to switch polling and digests off', () => {
    const config = parseConfig({ POLL_INTERVAL: '0', POLL_OVERLAP: '90s', STORM_THRESHOLD: '0', RETENTION: '7d', TEAMS_GLOBAL_RATE: '25' }, '/srv/soc');
    expect(config.delivery).toEqual({ pollIntervalMs: 0, pollOverlapMs: 90_000, stormThresholdMs: 0, retentionMs: 7 * 86_400_000, teamsGlobalRate: 25 });
    expect(parseConfig({ POLL_INTERVAL: '500ms' }, '/srv/soc').delivery.pollIntervalMs).toBe(500);
  });

  it('names each bad variable and what it should be', () => {
    const problems = problemsOf({ POLL_INTERVAL: '50ms', POLL_OVERLAP: 'soon', STORM_THRESHOLD: '2h', RETENTION: '10m', TEAMS_GLOBAL_RATE: '80' });
    const byVariable = Object.fromEntries(problems.map((p) => [p.variable, p.expected]));
    expect(byVariable.POLL_INTERVAL).toContain('between 100ms and 1h');
    expect(byVariable.POLL_OVERLAP).toContain('must be a duration');
    expect(byVariable.STORM_THRESHOLD).toContain('at most 1h');
    expect(byVariable.RETENTION).toContain('at least 1h');
    expect(byVariable.TEAMS_GLOBAL_RATE).toContain('between 1 and 50');
    expect(byVariable.TEAMS_GLOBAL_RATE).toContain('30 or 50 per app per tenant');
  });
});
