import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Alert } from '../../src/defender/alert.js';
import { generateBacklog } from '../../src/emulator/demo-data.js';
import { GraphSecurityEmulator } from '../../src/emulator/graph-security.js';
import { compileAlertFilter, FilterError } from '../../src/emulator/odata-filter.js';
import { mintEmulatorAccessToken } from '../../src/emulator/tokens.js';
import { READ_ROLE, WRITE_ROLE, testTls } from '../helpers/graph.js';
import { ManualClock } from '../helpers/manual-clock.js';

const A = { tenantId: 'aaaaaaaa-0000-4000-8000-000000000001', domain: 'contoso.com', orgName: 'Contoso' };
const B = { tenantId: 'bbbbbbbb-0000-4000-8000-000000000002', domain: 'fabrikam.com', orgName: 'Fabrikam' };
const PATH = '/v1.0/security/alerts_v2';

const clock = new ManualClock();
let emulator: GraphSecurityEmulator;
let backlogA: Alert[];

function token(tid: string, roles: string[] = [WRITE_ROLE], expInS = 3600): string {
  return mintEmulatorAccessToken({ tid, appid: 'soc-bridge-app', roles, exp: Math.floor(clock.nowMs() / 1000) + expInS });
}

interface CallOptions {
  tid?: string;
  roles?: string[];
  method?: string;
  body?: unknown;
  prefer?: boolean;
  auth?: string | null;
}

async function call(pathAndQuery: string, o: CallOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { 'client-request-id': 'test-client-id' };
  const auth = o.auth === undefined ? `Bearer ${token(o.tid ?? A.tenantId, o.roles)}` : o.auth;
  if (auth !== null) headers.authorization = auth;
  if (o.prefer) headers.prefer = 'include-unknown-enum-members';
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${emulator.baseUrl}${pathAndQuery}`;
  const res = await fetch(url, { method: o.method ?? 'GET', headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const list = (query: string, o?: CallOptions) => call(`${PATH}?${query}`, o);
const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

beforeAll(async () => {
  emulator = await GraphSecurityEmulator.start({ tls: testTls(), clock, defaultPageSize: 10, maxPageSize: 25, throttle: false });
  backlogA = generateBacklog(A, 40, clock.now(), 1);
  emulator.seedAlerts(A.tenantId, backlogA);
  emulator.seedAlerts(B.tenantId, generateBacklog(B, 5, clock.now(), 2));
});

afterAll(async () => {
  await emulator.close();
});

describe('authentication and authorization', () => {
  it('requires a bearer token and answers with a Graph error body', async () => {
    const res = await call(PATH, { auth: null });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    expect(res.body.error.innerError['client-request-id']).toBe('test-client-id');
    expect(res.body.error.innerError['request-id']).toBe(res.headers.get('request-id'));
    expect(Date.parse(res.body.error.innerError.date)).toBe(clock.nowMs());
    expect((await call(PATH, { auth: 'Bearer not-a-jwt' })).status).toBe(401);
  });

  it('refuses expired tokens', async () => {
    const expired = `Bearer ${token(A.tenantId, [WRITE_ROLE], -1)}`;
    const res = await call(PATH, { auth: expired });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/expired/);
  });

  it('needs a read role to read and the write role to write', async () => {
    const none = await call(PATH, { roles: [] });
    expect(none.status).toBe(403);
    expect(none.body.error.code).toBe('Authorization_RequestDenied');
    expect((await call(PATH, { roles: [READ_ROLE] })).status).toBe(200);
    const id = backlogA[0]?.id ?? '';
    const patch = await call(`${PATH}/${id}`, { roles: [READ_ROLE], method: 'PATCH', body: { status: 'inProgress' } });
    expect(patch.status).toBe(403);
    const comment = await call(`${PATH}/${id}/comments`, { roles: [READ_ROLE], method: 'POST', body: { comment: 'x' } });
    expect(comment.status).toBe(403);
  });

  it('serves only the tenant named in the token', async () => {
    const res = await list('$top=25', { tid: B.tenantId });
    expect(res.body.value).toHaveLength(5);
    expect(res.body.value.every((a: Alert) => a.tenantId === B.tenantId)).toBe(true);
    expect((await call(`${PATH}/${backlogA[0]?.id}`, { tid: B.tenantId })).status).toBe(404);
  });
});

describe('listing', () => {
  it('pages newest first with an absolute nextLink carrying the next $skip', async () => {
    const first = await list(`${q("status ne 'unknown'")}&$count=true`);
    expect(first.status).toBe(200);
    expect(first.body['@odata.count']).toBe(40);
    expect(first.body.value).toHaveLength(10);
    expect(first.body.value.map((a: Alert) => a.id)).toEqual(backlogA.slice(0, 10).map((a) => a.id));
    const next = new URL(first.body['@odata.nextLink']);
    expect(next.origin).toBe(emulator.baseUrl);
    expect(next.searchParams.get('$skip')).toBe('10');
    expect(next.searchParams.get('$filter')).toBe("status ne 'unknown'");
    const last = await call(`${PATH}?${q("status ne 'unknown'")}&$skip=30`);
    expect(last.body.value).toHaveLength(10);
    expect(last.body['@odata.nextLink']).toBeUndefined();
  });

  it('caps $top at the maximum page size and rejects bad paging values', async () => {
    expect((await list('$top=1000')).body.value).toHaveLength(25);
    expect((await list('$top=0')).status).toBe(400);
    expect((await list('$skip=-1')).status).toBe(400);
    expect((await list('$count=yes')).status).toBe(400);
  });

  it('rejects query options alerts_v2 does not support', async () => {
    const res = await list('$orderby=createdDateTime');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
  });

  it.each([
    "title eq 'x'",
    "severity gt 'low'",
    "severity eq 'critical'",
    "severity eq high",
    "status eq 'new",
    "createdDateTime ge '2026-01-01T00:00:00Z'",
    'createdDateTime ge 2026-13-01T00:00:00Z',
    "status eq 'new' and",
    "(status eq 'new'",
    "contains(title, 'x')",
    "status eq 'new' xor severity eq 'low'",
  ])('answers 400 to the unsupported filter %s', async (filter) => {
    const res = await list(q(filter));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BadRequest');
  });

  it('evaluates and/or with parentheses and date ranges', async () => {
    const since = new Date(clock.nowMs() - 5 * 86_400_000).toISOString();
    const filter = `(severity eq 'high' or severity eq 'medium') and status ne 'resolved' and createdDateTime ge ${since}`;
    const res = await list(`${q(filter)}&$top=25`);
    const expected = backlogA.filter(
      (a) => ['high', 'medium'].includes(a.severity) && a.status !== 'resolved' && Date.parse(a.createdDateTime) >= Date.parse(since),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(res.body.value.map((a: Alert) => a.id)).toEqual(expected.map((a) => a.id));
  });

  it('serves evolvable enum members as unknownFutureValue unless the caller prefers them', async () => {
    const sentinel = { ...(backlogA[0] as Alert), id: 'sn-evolvable', serviceSource: 'microsoftSentinel', detectionSource: 'nrtAlerts', severity: 'critical' };
    emulator.seedAlerts(B.tenantId, [sentinel]);
    const plain = await call(`${PATH}/sn-evolvable`, { tid: B.tenantId });
    expect([plain.body.serviceSource, plain.body.detectionSource, plain.body.severity]).toEqual(['unknownFutureValue', 'unknownFutureValue', 'unknownFutureValue']);
    expect(plain.body.status).toBe(sentinel.status);
    const preferred = await call(`${PATH}/sn-evolvable`, { tid: B.tenantId, prefer: true });
    expect([preferred.body.serviceSource, preferred.body.detectionSource, preferred.body.severity]).toEqual(['microsoftSentinel', 'nrtAlerts', 'critical']);
    const filtered = await list(q("serviceSource eq 'microsoftSentinel'"), { tid: B.tenantId, prefer: true });
    expect(filtered.body.value.map((a: Alert) => a.id)).toEqual(['sn-evolvable']);
  });
});

describe('changes', () => {
  it('PATCH updates the writable fields, lastUpdateDateTime and resolvedDateTime', async () => {
    const target = backlogA.find((a) => a.status === 'new') as Alert;
    await clock.advance(60_000);
    const res = await call(`${PATH}/${target.id}`, { method: 'PATCH', body: { status: 'resolved', classification: 'truePositive', determination: 'compromisedUser', assignedTo: 'dana@mssp.example' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'resolved', classification: 'truePositive', determination: 'compromisedAccount', assignedTo: 'dana@mssp.example' });
    expect(res.body.lastUpdateDateTime).toBe(clock.now().toISOString());
    expect(res.body.resolvedDateTime).toBe(clock.now().toISOString());
    const reopened = await call(`${PATH}/${target.id}`, { method: 'PATCH', body: { status: 'inProgress' } });
    expect(reopened.body.resolvedDateTime).toBeNull();
    expect(emulator.alerts(A.tenantId).find((a) => a.id === target.id)?.status).toBe('inProgress');
  });

  it.each([
    [{ title: 'renamed' }],
    [{ status: 'closed' }],
    [{ status: 'unknown' }],
    [{ classification: 'unknownFutureValue' }],
    [{ determination: 'bogus' }],
    [{ assignedTo: 42 }],
    [['status', 'new']],
  ])('PATCH answers 400 to %j', async (body) => {
    const res = await call(`${PATH}/${backlogA[1]?.id}`, { method: 'PATCH', body });
    expect(res.status).toBe(400);
  });

  it('answers 404 for an unknown alert id', async () => {
    const res = await call(`${PATH}/da000000000000000000_1`, { method: 'PATCH', body: { status: 'new' } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NotFound');
  });

  it('appends comments and returns them all', async () => {
    const target = backlogA[2] as Alert;
    const before = target.comments.length;
    const res = await call(`${PATH}/${target.id}/comments`, { method: 'POST', body: { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Isolated by Dana' } });
    expect(res.status).toBe(200);
    expect(res.body.value).toHaveLength(before + 1);
    expect(res.body.value.at(-1)).toEqual({ comment: 'Isolated by Dana', createdByDisplayName: 'soc-bridge-app', createdDateTime: clock.now().toISOString() });
    expect(emulator.alerts(A.tenantId).find((a) => a.id === target.id)?.comments).toHaveLength(before + 1);
    expect((await call(`${PATH}/${target.id}/comments`, { method: 'POST', body: { comment: '' } })).status).toBe(400);
  });

  it('lets tests raise and mutate alerts as Defender and the portal would', async () => {
    const raised = emulator.raiseAlert(B.tenantId, { ...(backlogA[3] as Alert), id: 'raised-1', tenantId: B.tenantId, createdDateTime: clock.now().toISOString() });
    expect((await list('$top=1', { tid: B.tenantId })).body.value[0].id).toBe(raised.id);
    await clock.advance(5_000);
    const changed = emulator.mutateAlert(B.tenantId, 'raised-1', { status: 'resolved', assignedTo: 'portal.user@fabrikam.com' });
    expect(changed.lastUpdateDateTime).toBe(clock.now().toISOString());
    expect(changed.resolvedDateTime).toBe(clock.now().toISOString());
    expect(() => emulator.mutateAlert(B.tenantId, 'nope', {})).toThrow(/no alert/);
  });
});

describe('throttling and faults', () => {
  it('throttles each tenant with its own bucket and says when to retry', async () => {
    const local = new ManualClock();
    const throttled = await GraphSecurityEmulator.start({ tls: testTls(), clock: local, throttle: { limit: 3, periodMs: 1000 } });
    try {
      const get = (tid: string) =>
        fetch(`${throttled.baseUrl}${PATH}`, { headers: { authorization: `Bearer ${mintEmulatorAccessToken({ tid, appid: 'x', roles: [READ_ROLE], exp: local.nowMs() / 1000 + 60 })}` } });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await get(A.tenantId)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await get(B.tenantId)).status).toBe(200);
      const limited = await get(A.tenantId);
      expect(limited.headers.get('retry-after')).toBe('0.334');
      await local.advance(334);
      expect((await get(A.tenantId)).status).toBe(200);
      expect(throttled.counters(A.tenantId)).toEqual({ requests: 6, byStatus: { 200: 4, 429: 2 }, throttled: 2 });
    } finally {
      await throttled.close();
    }
  });

  it('consumes injected faults in order, one per request', async () => {
    emulator.resetCounters();
    emulator.injectFaults(B.tenantId, [{ status: 503 }, { status: 429, retryAfterSeconds: 2.5 }, { rawBody: 'not json' }]);
    const first = await list('', { tid: B.tenantId });
    const second = await list('', { tid: B.tenantId });
    const third = await fetch(`${emulator.baseUrl}${PATH}`, { headers: { authorization: `Bearer ${token(B.tenantId)}` } });
    expect(first.status).toBe(503);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2.5');
    expect(await third.text()).toBe('not json');
    expect((await list('', { tid: B.tenantId })).status).toBe(200);
    expect(emulator.counters(B.tenantId).byStatus).toEqual({ 200: 2, 429: 1, 503: 1 });
    expect(emulator.requests(B.tenantId)).toHaveLength(4);
  });
});

describe('compileAlertFilter', () => {
  const alert = { ...(generateBacklog(A, 1, new Date('2026-11-26T09:00:00Z'), 5)[0] as Alert), assignedTo: "o'brien@contoso.com", determination: 'clean' };

  it('matches quoted literals with doubled quotes, null and old determination names', () => {
    expect(compileAlertFilter("assignedTo eq 'o''brien@contoso.com'")(alert)).toBe(true);
    expect(compileAlertFilter('assignedTo eq null')(alert)).toBe(false);
    expect(compileAlertFilter('classification ne null or classification eq null')(alert)).toBe(true);
    expect(compileAlertFilter("determination eq 'notMalicious'")(alert)).toBe(true);
  });

  it('compares date-times by instant, not by text', () => {
    const created = Date.parse(alert.createdDateTime);
    const sameInstantWithOffset = new Date(created).toISOString().replace('Z', '+00:00');
    expect(compileAlertFilter(`createdDateTime eq ${sameInstantWithOffset}`)(alert)).toBe(true);
    expect(compileAlertFilter(`createdDateTime gt ${new Date(created).toISOString()}`)(alert)).toBe(false);
    expect(compileAlertFilter(`createdDateTime le ${new Date(created).toISOString()}`)(alert)).toBe(true);
  });

  it('throws FilterError outside the subset', () => {
    expect(() => compileAlertFilter('')).toThrow(FilterError);
    expect(() => compileAlertFilter("status eq 'new' or")).toThrow(FilterError);
    expect(() => compileAlertFilter("status eq 'new')")).toThrow(FilterError);
    expect(() => compileAlertFilter('status eq null')).toThrow(FilterError);
  });
});
