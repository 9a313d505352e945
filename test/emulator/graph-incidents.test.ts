import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IncidentListResponseSchema, IncidentSchema } from '../../src/defender/incident.js';
import { generateBacklog, generateNewAlert, inIncident } from '../../src/emulator/demo-data.js';
import { GraphSecurityEmulator } from '../../src/emulator/graph-security.js';
import { mintEmulatorAccessToken } from '../../src/emulator/tokens.js';
import { READ_ROLE, testTls } from '../helpers/graph.js';
import { ManualClock } from '../helpers/manual-clock.js';

const A = { tenantId: 'aaaaaaaa-0000-4000-8000-000000000001', domain: 'contoso.com', orgName: 'Contoso' };
const B = { tenantId: 'bbbbbbbb-0000-4000-8000-000000000002', domain: 'fabrikam.com', orgName: 'Fabrikam' };
const PATH = '/v1.0/security/incidents';
const INCIDENT_READ = 'SecurityIncident.Read.All';
const INCIDENT_WRITE = 'SecurityIncident.ReadWrite.All';

const clock = new ManualClock();
let emulator: GraphSecurityEmulator;

function token(tid: string, roles: string[]): string {
  return mintEmulatorAccessToken({ tid, appid: 'soc-bridge-app', roles, exp: Math.floor(clock.nowMs() / 1000) + 3600 });
}

interface CallOptions {
  tid?: string;
  roles?: string[];
  method?: string;
  body?: unknown;
  prefer?: boolean;
}

async function call(pathAndQuery: string, o: CallOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token(o.tid ?? A.tenantId, o.roles ?? [INCIDENT_WRITE])}` };
  if (o.prefer) headers.prefer = 'include-unknown-enum-members';
  if (o.body !== undefined) headers['content-type'] = 'application/json';
  const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${emulator.baseUrl}${pathAndQuery}`;
  const res = await fetch(url, { method: o.method ?? 'GET', headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

const q = (filter: string) => `$filter=${encodeURIComponent(filter)}`;

beforeAll(async () => {
  emulator = await GraphSecurityEmulator.start({ tls: testTls(), clock, defaultPageSize: 10, maxPageSize: 25, throttle: false });
  emulator.seedAlerts(A.tenantId, generateBacklog(A, 60, clock.now(), 1));
  emulator.seedAlerts(B.tenantId, generateBacklog(B, 5, clock.now(), 2));
});

afterAll(async () => {
  await emulator.close();
});

describe('incidents consistent with alerts', () => {
  it('puts every alert in exactly one incident, whose id and link the alert carries', () => {
    const incidents = emulator.incidents(A.tenantId);
    const alerts = emulator.alerts(A.tenantId);
    const owners = alerts.map((a) => incidents.filter((i) => i.alertIds.includes(a.id)).map((i) => i.id));
    expect(owners.every((o) => o.length === 1)).toBe(true);
    for (const alert of alerts) {
      expect(alert.incidentWebUrl).toBe(`https://security.microsoft.com/incidents/${alert.incidentId}?tid=${A.tenantId}`);
      expect(incidents.find((i) => i.id === alert.incidentId)?.alertIds).toContain(alert.id);
    }
    expect(incidents.filter((i) => i.alertIds.length > 1).length).toBeGreaterThan(3);
  });

  it('gives an incident the highest severity and the latest update of its alerts', () => {
    const alerts = emulator.alerts(A.tenantId);
    const rank = ['unknown', 'informational', 'low', 'medium', 'high'];
    for (const incident of emulator.incidents(A.tenantId)) {
      const own = alerts.filter((a) => a.incidentId === incident.id);
      expect(incident.severity).toBe(rank[Math.max(...own.map((a) => rank.indexOf(a.severity)))]);
      expect(Date.parse(incident.lastUpdateDateTime)).toBeGreaterThanOrEqual(Math.max(...own.map((a) => Date.parse(a.lastUpdateDateTime))));
    }
  });

  it('grows as alerts join, and a resolved incident that gains an open alert is active again', async () => {
    const resolved = emulator.incidents(A.tenantId).find((i) => i.status === 'resolved')!;
    await clock.advance(60_000);
    const alert = inIncident({ ...generateNewAlert(A, clock.now(), 'joins'), lastUpdateDateTime: clock.now().toISOString() }, resolved.id);
    emulator.raiseAlert(A.tenantId, alert);
    const { body } = await call(`${PATH}/${resolved.id}?$expand=alerts`);
    expect(body.status).toBe('active');
    expect(body.alerts.map((a: { id: string }) => a.id)).toContain(alert.id);
    expect(body.alerts).toHaveLength(resolved.alertIds.length + 1);
    expect(body.lastUpdateDateTime).toBe(clock.now().toISOString());
  });
});

describe('listing incidents', () => {
  it('serves the most recent incidents at the top, in pages linked by @odata.nextLink, with a count', async () => {
    const expected = emulator.incidents(A.tenantId).map((i) => i.id);
    const seen: string[] = [];
    let res = await call(`${PATH}?$count=true&$top=7`);
    expect(res.body['@odata.count']).toBe(expected.length);
    for (;;) {
      expect(IncidentListResponseSchema.safeParse(res.body).success).toBe(true);
      seen.push(...res.body.value.map((i: { id: string }) => i.id));
      if (!res.body['@odata.nextLink']) break;
      res = await call(res.body['@odata.nextLink']);
    }
    expect(seen).toEqual(expected);
  });

  it('filters on status, severity, owner and last update, and refuses properties incidents lack', async () => {
    const all = emulator.incidents(A.tenantId);
    const cut = all[Math.floor(all.length / 2)]!.lastUpdateDateTime;
    const { body } = await call(`${PATH}?$top=25&${q(`(status eq 'active' or status eq 'inProgress') and severity eq 'high' and lastUpdateDateTime ge ${cut}`)}`);
    const expected = all.filter((i) => ['active', 'inProgress'].includes(i.status) && i.severity === 'high' && Date.parse(i.lastUpdateDateTime) >= Date.parse(cut));
    expect(body.value.map((i: { id: string }) => i.id)).toEqual(expected.map((i) => i.id).slice(0, 25));
    const unowned = await call(`${PATH}?$top=25&${q('assignedTo eq null')}`);
    expect(unowned.body.value.every((i: { assignedTo: unknown }) => i.assignedTo === null)).toBe(true);
    expect((await call(`${PATH}?${q("serviceSource eq 'microsoftSentinel'")}`)).status).toBe(400);
    expect((await call(`${PATH}?${q("status eq 'new'")}`)).status).toBe(400);
    expect((await call(`${PATH}?$orderby=createdDateTime`)).status).toBe(400);
    expect((await call(`${PATH}?$expand=comments`)).status).toBe(400);
  });

  it('expands alerts on request', async () => {
    const { body } = await call(`${PATH}?$top=3&$expand=alerts`);
    for (const incident of body.value) {
      const parsed = IncidentSchema.parse(incident);
      expect(parsed.alerts?.every((a) => a.incidentId === parsed.id)).toBe(true);
    }
    const plain = await call(`${PATH}?$top=1`);
    expect(plain.body.value[0].alerts).toBeUndefined();
  });

  it('serves only the caller tenant\'s incidents', async () => {
    const { body } = await call(`${PATH}?$top=25`, { tid: B.tenantId });
    expect(body.value.map((i: { id: string }) => i.id).sort()).toEqual(emulator.incidents(B.tenantId).map((i) => i.id).sort());
    expect(body.value.every((i: { tenantId: string }) => i.tenantId === B.tenantId)).toBe(true);
  });

  it('shows awaitingAction only to callers that send the Prefer header', async () => {
    const incident = emulator.incidents(B.tenantId)[0]!;
    emulator.mutateIncident(B.tenantId, incident.id, { status: 'awaitingAction' });
    expect((await call(`${PATH}/${incident.id}`, { tid: B.tenantId })).body.status).toBe('unknownFutureValue');
    expect((await call(`${PATH}/${incident.id}`, { tid: B.tenantId, prefer: true })).body.status).toBe('awaitingAction');
    const filtered = await call(`${PATH}?${q("status eq 'awaitingAction'")}`, { tid: B.tenantId, prefer: true });
    expect(filtered.body.value.map((i: { id: string }) => i.id)).toEqual([incident.id]);
  });
});

describe('one incident', () => {
  it('answers get, its alerts and 404 for an id the tenant does not have', async () => {
    const incident = emulator.incidents(A.tenantId).find((i) => i.alertIds.length > 1)!;
    const got = await call(`${PATH}/${incident.id}`);
    expect(got.body.incidentWebUrl).toBe(`https://security.microsoft.com/incidents/${incident.id}?tid=${A.tenantId}`);
    const alerts = await call(`${PATH}/${incident.id}/alerts`);
    expect(alerts.body.value.map((a: { id: string }) => a.id)).toEqual(incident.alertIds);
    expect((await call(`${PATH}/99999999`)).status).toBe(404);
    expect((await call(`${PATH}/${incident.id}`, { tid: B.tenantId })).status).toBe(404);
  });

  it('needs an incident permission: alert permissions alone are refused', async () => {
    expect((await call(PATH, { roles: [READ_ROLE, 'SecurityAlert.ReadWrite.All'] })).status).toBe(403);
    expect((await call(PATH, { roles: [INCIDENT_READ] })).status).toBe(200);
    const incident = emulator.incidents(A.tenantId)[0]!;
    const patch = await call(`${PATH}/${incident.id}`, { method: 'PATCH', roles: [INCIDENT_READ], body: { status: 'inProgress' } });
    expect(patch.status).toBe(403);
  });

  it('updates owner, status, verdict and tags; owner and resolution reach the alerts', async () => {
    const incident = emulator.incidents(A.tenantId).find((i) => i.status !== 'resolved' && i.status !== 'redirected' && i.alertIds.length > 1)!;
    await clock.advance(60_000);
    const body = { assignedTo: 'megan@mssp.example', status: 'resolved', classification: 'truePositive', determination: 'compromisedUser', customTags: ['Ransomware', 'VIP'] };
    const res = await call(`${PATH}/${incident.id}`, { method: 'PATCH', body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...body, determination: 'compromisedAccount', lastUpdateDateTime: clock.now().toISOString() });
    const alerts = emulator.alerts(A.tenantId).filter((a) => a.incidentId === incident.id);
    expect(alerts.every((a) => a.status === 'resolved' && a.assignedTo === 'megan@mssp.example')).toBe(true);
  });

  it('refuses fields and values an update may not carry', async () => {
    const incident = emulator.incidents(A.tenantId)[0]!;
    for (const body of [{ severity: 'high' }, { status: 'redirected' }, { classification: 'bad' }, { customTags: 'one' }, { assignedTo: 5 }]) {
      const res = await call(`${PATH}/${incident.id}`, { method: 'PATCH', body });
      expect(res.status).toBe(400);
    }
  });

  it('adds comments credited to the application and returns them all', async () => {
    const incident = emulator.incidents(A.tenantId)[1]!;
    const res = await call(`${PATH}/${incident.id}/comments`, { method: 'POST', body: { '@odata.type': 'microsoft.graph.security.alertComment', comment: 'Megan (via SOC Bridge): containing' } });
    expect(res.status).toBe(200);
    expect(res.body.value.at(-1)).toMatchObject({ comment: 'Megan (via SOC Bridge): containing', createdByDisplayName: 'soc-bridge-app' });
    expect((await call(`${PATH}/${incident.id}/comments`, { method: 'POST', body: { comment: ' ' } })).status).toBe(400);
  });
});

describe('a merge', () => {
  it('redirects one incident into another, which takes its alerts; the redirected one cannot be changed', async () => {
    const [from, into] = emulator.incidents(A.tenantId).filter((i) => i.status === 'active' && i.alertIds.length > 0);
    emulator.mergeIncidents(A.tenantId, from!.id, into!.id);
    const redirected = await call(`${PATH}/${from!.id}?$expand=alerts`);
    expect(redirected.body).toMatchObject({ status: 'redirected', redirectIncidentId: into!.id, alerts: [] });
    const target = await call(`${PATH}/${into!.id}/alerts`);
    expect(target.body.value.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining(from!.alertIds));
    for (const id of from!.alertIds) expect(emulator.alerts(A.tenantId).find((a) => a.id === id)?.incidentId).toBe(into!.id);
    const patch = await call(`${PATH}/${from!.id}`, { method: 'PATCH', body: { status: 'resolved' } });
    expect(patch.status).toBe(400);
    expect(patch.body.error.message).toContain(`merged into incident ${into!.id}`);
  });
});

describe('throttling and faults', () => {
  it('meets the faults queued for the tenant, as alerts do', async () => {
    emulator.injectFaults(A.tenantId, [{ status: 429, retryAfterSeconds: 3 }, { status: 503 }]);
    const throttled = await call(PATH);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('3');
    expect((await call(PATH)).status).toBe(503);
    expect((await call(PATH)).status).toBe(200);
  });

  it('shares the per-tenant budget between alerts and incidents', async () => {
    const limited = await GraphSecurityEmulator.start({ tls: testTls(), clock, throttle: { limit: 2, periodMs: 60_000 } });
    try {
      limited.seedAlerts(A.tenantId, generateBacklog(A, 3, clock.now(), 3));
      const auth = { authorization: `Bearer ${token(A.tenantId, [READ_ROLE, INCIDENT_READ])}` };
      expect((await fetch(`${limited.baseUrl}/v1.0/security/alerts_v2`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${limited.baseUrl}${PATH}`, { headers: auth })).status).toBe(200);
      expect((await fetch(`${limited.baseUrl}${PATH}`, { headers: auth })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
