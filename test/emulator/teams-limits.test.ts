import { describe, expect, it } from '@jest/globals';
import { TEAMS_PUBLISHED_LIMITS, TeamsLimitEnforcer } from '../../src/emulator/teams-limits.js';
import { ManualClock } from '../helpers/manual-clock.js';

describe('TeamsLimitEnforcer (the Bot Connector emulator’s rate limits)', () => {
  it('refuses the eighth post in a second with the wait until one fits, and counts nothing refused', async () => {
    const clock = new ManualClock();
    const teams = new TeamsLimitEnforcer(TEAMS_PUBLISHED_LIMITS, clock);
    for (let i = 0; i < 6; i++) expect(teams.admit('19:a@thread.tacv2', 'post')).toEqual({ ok: true });
    expect(teams.admit('19:a@thread.tacv2;messageid=5', 'edit')).toEqual({ ok: true });
    expect(teams.admit('19:a@thread.tacv2', 'post')).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(teams.admit('19:b@thread.tacv2', 'post')).toEqual({ ok: true });
    expect(teams.traffic.get('19:a@thread.tacv2')).toEqual({ posts: 6, edits: 1, throttled: 1 });
    await clock.advance(1000);
    expect(teams.admit('19:a@thread.tacv2', 'post')).toEqual({ ok: true });
    expect(teams.admit('19:a@thread.tacv2', 'post')).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(teams.throttled).toBe(2);
  });

  it('refuses across conversations once the app’s global limit is spent', () => {
    const clock = new ManualClock();
    const teams = new TeamsLimitEnforcer(TEAMS_PUBLISHED_LIMITS, clock);
    for (let c = 0; c < 50; c++) expect(teams.admit(`19:c${c}`, 'post').ok).toBe(true);
    expect(teams.admit('19:fresh', 'post')).toEqual({ ok: false, retryAfterMs: 1000 });
  });
});
