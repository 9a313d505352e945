import { describe, expect, it } from '@jest/globals';
import { allOf, anyOf, buildAlertFilter, buildAlertQueryString, eq, quoteLiteral, type AlertQuery } from '../../src/defender/alert-query.js';
import { UsageError } from '../../src/errors.js';

describe('buildAlertFilter', () => {
  it('combines alternatives with or and properties with and', () => {
    const filter = buildAlertFilter({
      severities: ['high', 'medium'],
      statuses: ['new'],
      updatedSince: new Date('2026-11-26T08:55:00Z'),
    });
    expect(filter).toBe("(severity eq 'high' or severity eq 'medium') and status eq 'new' and lastUpdateDateTime ge 2026-11-26T08:55:00.000Z");
  });

  it('covers every supported property, with half-open time ranges', () => {
    const filter = buildAlertFilter({
      serviceSources: ['microsoftDefenderForEndpoint'],
      classifications: ['truePositive', 'falsePositive'],
      assignedTo: 'dana@mssp.example',
      createdAfter: '2026-11-01T00:00:00Z',
      createdBefore: '2026-11-02T00:00:00+01:00',
      updatedBefore: new Date('2026-11-03T00:00:00Z'),
    });
    expect(filter).toBe(
      "serviceSource eq 'microsoftDefenderForEndpoint' and (classification eq 'truePositive' or classification eq 'falsePositive')" +
        " and assignedTo eq 'dana@mssp.example' and createdDateTime ge 2026-11-01T00:00:00.000Z" +
        ' and createdDateTime lt 2026-11-01T23:00:00.000Z and lastUpdateDateTime lt 2026-11-03T00:00:00.000Z',
    );
  });

  it('selects everything for an empty query and collapses duplicate values', () => {
    expect(buildAlertFilter({})).toBeUndefined();
    expect(buildAlertFilter({ severities: ['low', 'low'] })).toBe("severity eq 'low'");
  });

  it('doubles single quotes so free text stays one literal', () => {
    expect(quoteLiteral("o'brien")).toBe("'o''brien'");
    expect(buildAlertFilter({ assignedTo: "x' or severity eq 'high" })).toBe("assignedTo eq 'x'' or severity eq ''high'");
  });

  it('refuses values outside the known enum lists', () => {
    const attempts: unknown[] = [
      { severities: ["high' or status eq 'new"] },
      { statuses: ['closed'] },
      { serviceSources: ['MicrosoftDefenderForEndpoint'] },
      { classifications: ['tp'] },
      { createdAfter: 'last tuesday' },
      { top: 0 },
      { title: 'x' },
    ];
    for (const query of attempts) {
      expect(() => buildAlertFilter(query as AlertQuery)).toThrow(UsageError);
    }
  });

  it('names the bad field in the message', () => {
    expect(() => buildAlertFilter({ statuses: ['closed' as 'new'] })).toThrow(/statuses/);
  });
});

describe('buildAlertQueryString', () => {
  it('percent-encodes the filter and keeps $ literal', () => {
    const qs = buildAlertQueryString({ statuses: ['new'], top: 50 });
    expect(qs).toBe(`$filter=${encodeURIComponent("status eq 'new'")}&$top=50`);
    expect(new URLSearchParams(qs).get('$filter')).toBe("status eq 'new'");
  });

  it('lets the page size override top and refuses silly sizes', () => {
    expect(buildAlertQueryString({ top: 50 }, 7)).toBe('$top=7');
    expect(buildAlertQueryString({})).toBe('');
    expect(() => buildAlertQueryString({}, 0)).toThrow(UsageError);
    expect(() => buildAlertQueryString({}, 1.5)).toThrow(UsageError);
    expect(() => buildAlertQueryString({}, 5000)).toThrow(UsageError);
  });
});

describe('clause builders', () => {
  it('compose without parsing', () => {
    expect(allOf([eq('status', 'new'), undefined, anyOf('severity', ['high', 'low'])])).toBe("status eq 'new' and (severity eq 'high' or severity eq 'low')");
    expect(allOf([undefined])).toBeUndefined();
    expect(anyOf('severity', [])).toBeUndefined();
  });
});
