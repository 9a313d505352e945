import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import type { Alert } from '../../src/defender/alert.js';
import type { AlertQuery } from '../../src/defender/alert-query.js';
import { GraphSecurityClient } from '../../src/defender/graph-client.js';
import { generateBacklog, generateHostileAlert } from '../../src/emulator/demo-data.js';
import { ExternalRejectedError, NotFoundError, UsageError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { READ_ROLE, startGraphHarness, type GraphHarness } from '../helpers/graph.js';

const A = { tenantId: 'aaaaaaaa-1111-4000-8000-00000000000a', domain: 'contoso.com', orgName: 'Contoso' };
const B = { tenantId: 'bbbbbbbb-2222-4000-8000-00000000000b', domain: 'fabrikam.com', orgName: 'Fabrikam' };
const DAY = 86_400_000;

let h: GraphHarness;
let seededA: Alert[];
let seededB: Alert[];

beforeAll(async () => {
  h = await startGraphHarness({ emulator: { defaultPageSize: 10, maxPageSize: 50 } });
  seededA = generateBacklog(A, 80, h.clock.now(), 'client-tests');
  seededB = generateBacklog(B, 23, h.clock.now(), 'client-tests');
  h.emulator.seedAlerts(A.tenantId, seededA);
  h.emulator.seedAlerts(B.tenantId, seededB);
});

afterAll(async () => {
  await h.close();
});

const ids = (alerts: readonly Alert[]) => alerts.map((a) => a.id);

/** Every matching alert, page by page through the client; `nextLink` is set only when `maxPages` stopped the walk early. */
async function allAlerts(tenantId: string, query: AlertQuery = {}, paging: { pageSize?: number; maxPages?: number } = {}): Promise<{ alerts: Alert[]; nextLink?: string }> {
  const alerts: Alert[] = [];
  let nextLink: string | undefined;
  for await (const page of h.client.iterateAlertPages(tenantId, query, paging)) {
    alerts.push(...page.alerts);
    nextLink = page.nextLink;
  }
  return nextLink === undefined ? { alerts } : { alerts, nextLink };
}
const newestFirst = (alerts: readonly Alert[]) =>
  [...alerts].sort((x, y) => Date.parse(y.createdDateTime) - Date.parse(x.createdDateTime) || (x.id < y.id ? -1 : 1));

/** The test's own reading of an AlertQuery, independent of the emulator's $filter parser. */
function matches(a: Alert, q: AlertQuery): boolean {
  const within = (value: string, from?: Date | string, to?: Date | string) =>
    (from === undefined || Date.parse(value) >= new Date(from).getTime()) && (to === undefined || Date.parse(value) < new Date(to).getTime());
  const oneOf = (list: readonly string[] | undefined, value: string | null | undefined) => list === undefined || list.includes(value ?? '');
  return (
    oneOf(q.severities, a.severity) &&
    oneOf(q.statuses, a.status) &&
    oneOf(q.serviceSources, a.serviceSource) &&
    oneOf(q.classifications, a.classification) &&
    (q.assignedTo === undefined || a.assignedTo === q.assignedTo) &&
    within(a.createdDateTime, q.createdAfter, q.createdBefore) &&
    within(a.lastUpdateDateTime, q.updatedSince, q.updatedBefore)
  );
}

describe('listing over HTTPS', () => {
  it('follows @odata.nextLink verbatim across pages, newest first', async () => {
    h.emulator.resetCounters();
    const { alerts, nextLink } = await allAlerts(A.tenantId, {}, { pageSize: 7 });
    expect(nextLink).toBeUndefined();
    expect(ids(alerts)).toEqual(ids(newestFirst(seededA)));
    const requests = h.emulator.requests(A.tenantId);
    expect(requests).toHaveLength(Math.ceil(80 / 7));
    const first = await h.client.listAlerts(A.tenantId, {}, { pageSize: 7 });
    const link = new URL(first.nextLink ?? '');
    expect(requests[1]?.url).toBe(`${link.pathname}${link.search}`);
  });

  it('stops at maxPages and hands back where to continue', async () => {
    const partial = await allAlerts(A.tenantId, {}, { pageSize: 10, maxPages: 3 });
    expect(partial.alerts).toHaveLength(30);
    expect(partial.nextLink).toBeDefined();
    const rest = await h.client.nextAlertPage(A.tenantId, partial.nextLink ?? '');
    expect(ids(rest.alerts)).toEqual(ids(newestFirst(seededA).slice(30, 40)));
  });

  it('yields pages from the async iterator', async () => {
    const sizes: number[] = [];
    for await (const page of h.client.iterateAlertPages(B.tenantId, {}, { pageSize: 10 })) sizes.push(page.alerts.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  const now = Date.parse('2026-11-26T09:00:00Z');
  const at = (daysAgo: number) => new Date(now - daysAgo * DAY);
  const queries: [string, AlertQuery][] = [
    ['one severity', { severities: ['high'] }],
    ['two severities', { severities: ['high', 'medium'] }],
    ['status new', { statuses: ['new'] }],
    ['two statuses', { statuses: ['inProgress', 'resolved'] }],
    ['endpoint alerts', { serviceSources: ['microsoftDefenderForEndpoint'] }],
    ['two service sources', { serviceSources: ['microsoftDefenderForOffice365', 'azureAdIdentityProtection'] }],
    ['true positives', { classifications: ['truePositive'] }],
    ['created in the last 3 days', { createdAfter: at(3) }],
    ['created 7 to 2 days ago', { createdAfter: at(7), createdBefore: at(2) }],
    ['updated in the last 2 days', { updatedSince: at(2) }],
    ['updated 9 to 1 days ago', { updatedSince: at(9), updatedBefore: at(1) }],
    ['high or medium, new, updated in 10 days', { severities: ['high', 'medium'], statuses: ['new'], updatedSince: at(10) }],
    ['resolved false positives', { statuses: ['resolved'], classifications: ['falsePositive', 'informationalExpectedActivity'] }],
  ];

  it.each(queries)('returns exactly the matching alerts: %s', async (_name, query) => {
    const expected = ids(newestFirst(seededA.filter((a) => matches(a, query))));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(seededA.length);
    const { alerts } = await allAlerts(A.tenantId, query, { pageSize: 9 });
    expect(ids(alerts)).toEqual(expected);
  });

  it('matches on an owner whose name contains a quote', async () => {
    const target = seededB[4] as Alert;
    h.emulator.mutateAlert(B.tenantId, target.id, { assignedTo: "o'brien@mssp.example" });
    const { alerts } = await allAlerts(B.tenantId, { assignedTo: "o'brien@mssp.example" });
    expect(ids(alerts)).toEqual([target.id]);
  });
});

describe('tenant isolation', () => {
  it('never shows one tenant the alerts of another', async () => {
    const { alerts } = await allAlerts(B.tenantId, {}, { pageSize: 50 });
    expect(new Set(ids(alerts))).toEqual(new Set(ids(seededB)));
    expect(alerts.every((a) => a.tenantId === B.tenantId)).toBe(true);
    await expect(h.client.getAlert(B.tenantId, seededA[0]?.id ?? '')).rejects.toBeInstanceOf(NotFoundError);
    expect(h.tokens.tenantsAsked.at(-1)).toBe(B.tenantId);
  });
});

describe('alerts as Graph evolves', () => {
  it('keeps enum members added after unknownFutureValue and ones it has never heard of', async () => {
    const base = seededB[0] as Alert;
    h.emulator.seedAlerts(B.tenantId, [{ ...base, id: 'future-1', serviceSource: 'microsoftSentinel', detectionSource: 'microsoftDefenderForDNS', severity: 'severe', determination: 'aiGenerated' }]);
    const alert = await h.client.getAlert(B.tenantId, 'future-1');
    expect([alert.serviceSource, alert.detectionSource, alert.severity, alert.determination]).toEqual(['microsoftSentinel', 'microsoftDefenderForDNS', 'severe', 'aiGenerated']);
  });
});

describe('changing alerts', () => {
  it('updates the four writable fields and returns the updated alert', async () => {
    const target = seededA.find((a) => a.status === 'new') as Alert;
    await h.clock.advance(1000);
    const updated = await h.client.updateAlert(A.tenantId, target.id, { status: 'resolved', classification: 'truePositive', determination: 'compromisedUser', assignedTo: 'dana@mssp.example' });
    expect(updated).toMatchObject({ id: target.id, status: 'resolved', classification: 'truePositive', determination: 'compromisedAccount', assignedTo: 'dana@mssp.example' });
    expect(updated.resolvedDateTime).toBe(h.clock.now().toISOString());
    expect(h.emulator.alerts(A.tenantId).find((a) => a.id === target.id)).toMatchObject({ status: 'resolved', lastUpdateDateTime: h.clock.now().toISOString() });
  });

  it('refuses other fields and unknown values before calling Graph', async () => {
    const before = h.emulator.counters(A.tenantId).requests;
    const id = seededA[0]?.id ?? '';
    await expect(h.client.updateAlert(A.tenantId, id, { title: 'x' } as never)).rejects.toBeInstanceOf(UsageError);
    await expect(h.client.updateAlert(A.tenantId, id, { status: 'closed' } as never)).rejects.toThrow(/status/);
    await expect(h.client.updateAlert(A.tenantId, id, {})).rejects.toBeInstanceOf(UsageError);
    await expect(h.client.addComment(A.tenantId, id, '  ')).rejects.toBeInstanceOf(UsageError);
    expect(h.emulator.counters(A.tenantId).requests).toBe(before);
  });

  it('adds a comment and returns every comment', async () => {
    const target = seededA[5] as Alert;
    const before = h.emulator.alerts(A.tenantId).find((a) => a.id === target.id)?.comments.length ?? 0;
    const comments = await h.client.addComment(A.tenantId, target.id, 'Device isolated by Dana Kim via SOC Bridge');
    expect(comments).toHaveLength(before + 1);
    expect(comments.at(-1)?.comment).toBe('Device isolated by Dana Kim via SOC Bridge');
    expect(h.emulator.alerts(A.tenantId).find((a) => a.id === target.id)?.comments.at(-1)?.comment).toBe('Device isolated by Dana Kim via SOC Bridge');
  });
});

describe('errors an analyst can act on', () => {
  it('404 names the alert and the tenant', async () => {
    const error = await h.client.getAlert(A.tenantId, 'da999_missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).userMessage).toContain(`No alert da999_missing in tenant ${A.tenantId}`);
  });

  it('403 on reads names the read permission', async () => {
    const tenant = 'cccccccc-3333-4000-8000-00000000000c';
    h.tokens.setRoles(tenant, []);
    const error = await h.client.listAlerts(tenant).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalRejectedError);
    expect(error).toMatchObject({ status: 403, service: 'graph', serviceCode: 'Authorization_RequestDenied' });
    expect((error as ExternalRejectedError).userMessage).toMatch(/has not granted SecurityAlert\.Read\.All/);
    expect((error as ExternalRejectedError).userMessage).not.toMatch(/Insufficient privileges/);
  });

  it('403 on writes names the write permission', async () => {
    const tenant = 'dddddddd-4444-4000-8000-00000000000d';
    h.tokens.setRoles(tenant, [READ_ROLE]);
    h.emulator.seedAlerts(tenant, [{ ...(seededA[0] as Alert), tenantId: tenant }]);
    await expect(h.client.getAlert(tenant, seededA[0]?.id ?? '')).resolves.toMatchObject({ tenantId: tenant });
    const error = await h.client.updateAlert(tenant, seededA[0]?.id ?? '', { status: 'inProgress' }).catch((e: unknown) => e);
    expect((error as ExternalRejectedError).status).toBe(403);
    expect((error as ExternalRejectedError).userMessage).toMatch(/has not granted SecurityAlert\.ReadWrite\.All/);
  });

  it('400 keeps Graph text out of the user message and in the detail', async () => {
    h.emulator.injectFaults(A.tenantId, [{ status: 400, code: 'BadRequest', message: 'Invalid filter clause [click](https://evil.example)' }]);
    const error = (await h.client.listAlerts(A.tenantId, { statuses: ['new'] }).catch((e: unknown) => e)) as ExternalRejectedError;
    expect(error).toBeInstanceOf(ExternalRejectedError);
    expect(error).toMatchObject({ status: 400, serviceCode: 'BadRequest' });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.userMessage).toContain(error.requestId);
    expect(error.userMessage).not.toContain('evil.example');
    expect(error.message).toContain('Invalid filter clause');
  });

  it('401 says the credentials were refused', async () => {
    h.tokens.lifetimeS = -60;
    try {
      const error = (await h.client.listAlerts(A.tenantId).catch((e: unknown) => e)) as ExternalRejectedError;
      expect(error).toMatchObject({ status: 401, serviceCode: 'InvalidAuthenticationToken' });
      expect(error.userMessage).toMatch(/refused SOC Bridge's credentials/);
    } finally {
      h.tokens.lifetimeS = 3600;
    }
  });

  it('drops the tenant\'s token after a 401 or 403, and only then', async () => {
    const forgotten = () => h.tokens.tenantsForgotten.filter((t) => t === A.tenantId).length;
    const before = forgotten();
    for (const status of [404, 400, 401, 403]) {
      h.emulator.injectFaults(A.tenantId, [{ status }]);
      await h.client.listAlerts(A.tenantId).catch(() => undefined);
    }
    expect(forgotten() - before).toBe(2);
  });

  it.each([
    ['a body that is not JSON', 'Service unavailable'],
    ['a list whose alert lacks fields', '{"value":[{"id":5}]}'],
    ['a list without value', '{"alerts":[]}'],
    ['a nextLink to another host', '{"value":[],"@odata.nextLink":"https://evil.example/v1.0/security/alerts_v2?$skip=10"}'],
  ])('rejects a malformed response: %s', async (_name, rawBody) => {
    h.emulator.injectFaults(A.tenantId, [{ rawBody }]);
    const error = (await h.client.listAlerts(A.tenantId).catch((e: unknown) => e)) as ExternalRejectedError;
    expect(error).toBeInstanceOf(ExternalRejectedError);
    expect(error.userMessage).toMatch(/could not read/);
    expect(error.message).toMatch(/malformed Graph response/);
  });
});

describe('logging', () => {
  it('logs tenant, status and attempt but never tokens or alert content', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({ level: 'debug', destination });
    const client = new GraphSecurityClient({ baseUrl: h.emulator.baseUrl, tokens: h.tokens, clock: h.clock, logger, random: () => 0.5 });
    const hostile = generateHostileAlert(A, h.clock.now(), 99);
    h.emulator.raiseAlert(A.tenantId, hostile);
    h.emulator.injectFaults(A.tenantId, [{ status: 503 }]);
    const alert = await h.drive(client.getAlert(A.tenantId, hostile.id));
    expect(alert.title).toBe(hostile.title);
    const log = lines.join('');
    expect(log).toContain(A.tenantId);
    expect(log).toMatch(/"attempt":2/);
    expect(log).toMatch(/"status":200/);
    for (const token of h.tokens.tokensIssued) expect(log).not.toContain(token.split('.')[1]);
    expect(log).not.toContain(hostile.title);
    expect(log).not.toContain(hostile.description ?? 'no description');
  });
});
