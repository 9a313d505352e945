import { describe, expect, it } from '@jest/globals';
import { renderCard } from '../../src/cards/render.js';
import { utf16Bytes } from '../../src/cards/fit.js';
import type { Alert } from '../../src/defender/alert.js';
import { computeAlertStats } from '../../src/stats/alert-stats.js';
import { formatDuration, nearestRank, summarizeDurations } from '../../src/stats/durations.js';
import type { StatsReport, TenantStats } from '../../src/stats/stats-service.js';
import { MAX_CUSTOMER_ROWS, statsCard } from '../../src/stats/stats-views.js';
import { statsWindow } from '../../src/stats/stats-window.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { adaptiveCardProblems } from '../helpers/card-validation.js';
import { cardText } from '../helpers/harness.js';

const NOW = Date.parse('2026-11-26T12:00:00.000Z');

describe('durations', () => {
  it('takes the nearest rank: the lower middle of an even count, and a measured value for p90', () => {
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(nearestRank([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(nearestRank([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 0.9)).toBe(10);
    expect(nearestRank([], 0.5)).toBeUndefined();
    expect(summarizeDurations([30, 10, 20])).toEqual({ count: 3, medianMs: 20, p90Ms: 30 });
    expect(summarizeDurations([])).toEqual({ count: 0 });
  });

  it('reads as two units at most', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000 + 59_000)).toBe('12 min');
    expect(formatDuration(3 * 3_600_000 + 5 * 60_000)).toBe('3 h 05 min');
    expect(formatDuration(50 * 3_600_000)).toBe('2 d 2 h');
    expect(formatDuration(undefined)).toBe('—');
  });
});

function tenant(n: number): TenantRecord {
  const at = '2026-11-01T00:00:00.000Z';
  return { handle: `customer${n}`, displayName: `Customer ${String(n).padStart(2, '0')} with a rather long organisation name Ltd`, tenantId: `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`, domain: `customer${n}.example`, status: 'connected', writeAccess: true, createdAt: at, updatedAt: at };
}

function alert(n: number, i: number): Alert {
  const created = new Date(NOW - (i + 1) * 3_600_000).toISOString();
  return {
    id: `a-${n}-${i}`, title: 'x', severity: ['high', 'medium', 'low'][i % 3]!, status: i % 2 ? 'resolved' : 'new', createdDateTime: created, lastUpdateDateTime: created,
    resolvedDateTime: i % 2 ? new Date(NOW - i * 3_600_000).toISOString() : null, serviceSource: 'microsoftDefenderForEndpoint', category: `Category ${i % 9}`,
    mitreTechniques: [], comments: [], systemTags: [], evidence: [{ '@odata.type': '#microsoft.graph.security.deviceEvidence', deviceDnsName: `device-${n}-${i % 7}.corp.example` }],
  } as Alert;
}

describe('the stats card with many customers', () => {
  const window = statsWindow('30d', NOW);
  const tenants: TenantStats[] = Array.from({ length: 60 }, (_, n) => {
    const alerts = Array.from({ length: 40 + n }, (_, i) => alert(n, i));
    return { tenant: tenant(n), alerts, acknowledgedAt: new Map(), stats: computeAlertStats(alerts, new Map(), window), partial: false };
  });
  const report: StatsReport = { window, tenants, combined: computeAlertStats(tenants.flatMap((t) => t.alerts), new Map(), window), failures: [] };
  const card = renderCard('stats', statsCard(report, { scope: 'all customers (60)', perCustomer: true }));

  it('lists the busiest customers and says how many more there are', () => {
    const text = cardText(card);
    expect(text).toContain(`…and ${60 - MAX_CUSTOMER_ROWS} more customers, with fewer alerts`);
    expect(text).toContain('Customer 59');
    expect(text).not.toContain('Customer 00 ');
  });

  it('stays a valid card, under the renderer\'s budget, with all 30 days in the volume chart', () => {
    expect(adaptiveCardProblems(card)).toEqual([]);
    expect(utf16Bytes(card)).toBeLessThan(76 * 1024);
    expect(cardText(card)).not.toContain('not shown: Teams limits the size of a message');
  });
});

describe('the card validator', () => {
  it('refuses a chart without a fallback, and a chart type Teams does not draw', () => {
    const card = { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Chart.Donut', data: [{ legend: 'a', value: 1 }] }, { type: 'Chart.Radar', data: [], fallback: { type: 'TextBlock', text: 'x' } }] };
    expect(adaptiveCardProblems(card)).toEqual(['$.body[0]: Chart.Donut has no fallback for clients that draw no charts', '$.body[1]: Chart.Radar is not a chart Teams draws']);
  });
});
