import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildIncidentFilter } from '../../src/defender/incident-query.js';
import { generateBacklog } from '../../src/emulator/demo-data.js';
import { ExternalRejectedError, NotFoundError, UsageError } from '../../src/errors.js';
import { startGraphHarness, READ_ROLE, type GraphHarness } from '../helpers/graph.js';

const A = { tenantId: 'aaaaaaaa-0000-4000-8000-0000000000a1', domain: 'contoso.com', orgName: 'Contoso' };
const INCIDENT_WRITE = 'SecurityIncident.ReadWrite.All';

let h: GraphHarness;

beforeAll(async () => {
  h = await startGraphHarness({ emulator: { throttle: false, defaultPageSize: 5 } });
  h.tokens.setRoles(A.tenantId, ['SecurityAlert.ReadWrite.All', INCIDENT_WRITE]);
  h.emulator.seedAlerts(A.tenantId, generateBacklog(A, 40, h.clock.now(), 'client'));
});

afterAll(async () => {
  await h.close();
});

describe('incident queries', () => {
  it('build a filter from known values only, quoting every literal', () => {
    expect(buildIncidentFilter({ statuses: ['active', 'inProgress'], severities: ['high'], assignedTo: "o'brien@contoso.com" })).toBe(
      "severity eq 'high' and (status eq 'active' or status eq 'inProgress') and assignedTo eq 'o''brien@contoso.com'",
    );
    expect(buildIncidentFilter({ assignedTo: null })).toBe('assignedTo eq null');
    expect(() => buildIncidentFilter({ statuses: ['new' as never] })).toThrow(UsageError);
  });
});

describe('the Graph client on incidents', () => {
  it('lists incidents page by page, as the emulator holds them', async () => {
    const ids: string[] = [];
    let page = await h.client.listIncidents(A.tenantId, { statuses: ['active', 'inProgress', 'resolved', 'redirected'] });
    ids.push(...page.incidents.map((i) => i.id));
    while (page.nextLink) {
      page = await h.client.nextIncidentPage(A.tenantId, page.nextLink);
      ids.push(...page.incidents.map((i) => i.id));
    }
    expect(ids).toEqual(h.emulator.incidents(A.tenantId).map((i) => i.id));
  });

  it('refuses to follow a nextLink that leaves the incidents API', async () => {
    await expect(h.client.nextIncidentPage(A.tenantId, `${h.emulator.baseUrl}/v1.0/security/alerts_v2?$skip=5`)).rejects.toThrow(ExternalRejectedError);
  });

  it('reads one incident with its alerts, and every alert of it', async () => {
    const incident = h.emulator.incidents(A.tenantId).find((i) => i.alertIds.length > 1)!;
    const got = await h.client.getIncident(A.tenantId, incident.id);
    expect(got.alerts?.map((a) => a.id)).toEqual(incident.alertIds);
    expect((await h.client.listIncidentAlerts(A.tenantId, incident.id)).map((a) => a.id)).toEqual(incident.alertIds);
    await expect(h.client.getIncident(A.tenantId, '424242424')).rejects.toThrow(NotFoundError);
    await expect(h.client.getIncident(A.tenantId, '../alerts_v2')).rejects.toThrow(UsageError);
  });

  it("reads Graph's example spellings: PascalCase members, tags, createdBy and createdTime", async () => {
    const example = {
      id: '2972395', displayName: 'Multi-stage incident', createdDateTime: '2021-08-13T08:43:35.5533333Z', lastUpdateDateTime: '2021-09-30T09:35:45.1133333Z',
      classification: 'TruePositive', determination: 'MultiStagedAttack', status: 'Active', severity: 'Medium', tags: ['Demo'],
      comments: [{ comment: 'Demo incident', createdBy: 'DavidS@contoso.onmicrosoft.com', createdTime: '2021-09-30T12:07:37.2756993Z' }],
    };
    h.emulator.injectFaults(A.tenantId, [{ rawBody: JSON.stringify(example) }]);
    const got = await h.client.getIncident(A.tenantId, '2972395');
    expect(got).toMatchObject({ status: 'active', severity: 'medium', classification: 'truePositive', determination: 'multiStagedAttack', customTags: ['Demo'] });
    expect(got.comments[0]).toMatchObject({ createdByDisplayName: 'DavidS@contoso.onmicrosoft.com', createdDateTime: '2021-09-30T12:07:37.2756993Z' });
  });

  it('updates an incident with the five writable fields only, and comments on it', async () => {
    const incident = h.emulator.incidents(A.tenantId).find((i) => i.status === 'active')!;
    const updated = await h.client.updateIncident(A.tenantId, incident.id, { status: 'inProgress', customTags: ['VIP'], determination: 'clean', classification: 'falsePositive' });
    expect(updated).toMatchObject({ status: 'inProgress', customTags: ['VIP'], determination: 'notMalicious' });
    await expect(h.client.updateIncident(A.tenantId, incident.id, {})).rejects.toThrow(UsageError);
    await expect(h.client.updateIncident(A.tenantId, incident.id, { status: 'redirected' as never })).rejects.toThrow(UsageError);
    const comments = await h.client.addIncidentComment(A.tenantId, incident.id, 'Looking');
    expect(comments.at(-1)?.comment).toBe('Looking');
  });

  it('names the incident permission when Graph refuses, and reports the roles a token carries', async () => {
    const other = 'bbbbbbbb-0000-4000-8000-0000000000b2';
    h.tokens.setRoles(other, [READ_ROLE]);
    h.emulator.addTenant(other);
    const refused = h.client.listIncidents(other);
    await expect(refused).rejects.toThrow(ExternalRejectedError);
    await expect(refused).rejects.toMatchObject({ userMessage: expect.stringContaining('SecurityIncident.Read.All') });
    expect(await h.client.grantedRoles(other)).toEqual([READ_ROLE]);
  });
});
