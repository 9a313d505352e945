import { describe, expect, it } from '@jest/globals';
import { AlertSchema, alertDevices, alertProcessCommandLines, alertUsers, type Alert } from '../../src/defender/alert.js';
import { HOSTILE_TEXTS, generateBacklog, generateHostileAlert, generateNewAlert } from '../../src/emulator/demo-data.js';

const tenant = { tenantId: '6f1c2a77-0d6e-4c4b-9a57-1f0e3c1d2b9a', domain: 'contoso.com', orgName: 'Contoso' };
const now = new Date('2026-11-26T09:00:00Z');
const DAY = 86_400_000;

describe('generateBacklog', () => {
  const backlog = generateBacklog(tenant, 200, now, 42);

  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateBacklog(tenant, 200, now, 42)).toEqual(backlog);
    expect(generateBacklog(tenant, 200, now, 43).map((a) => a.id)).not.toEqual(backlog.map((a) => a.id));
  });

  it('produces alerts the Graph schema reads back unchanged', () => {
    for (const alert of backlog) expect(AlertSchema.parse(JSON.parse(JSON.stringify(alert)))).toEqual(alert);
  });

  it('spreads alerts over the window, newest first, with consistent timestamps', () => {
    expect(backlog).toHaveLength(200);
    const created = backlog.map((a) => Date.parse(a.createdDateTime));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    for (const a of backlog) {
      const c = Date.parse(a.createdDateTime);
      expect(c).toBeGreaterThanOrEqual(now.getTime() - 14 * DAY);
      expect(Date.parse(a.lastUpdateDateTime)).toBeGreaterThanOrEqual(c);
      expect(Date.parse(a.lastUpdateDateTime)).toBeLessThanOrEqual(now.getTime());
      expect(Date.parse(a.firstActivityDateTime ?? '')).toBeLessThan(c);
    }
    expect(Math.min(...created)).toBeLessThan(now.getTime() - 10 * DAY);
    expect(Math.max(...created)).toBeGreaterThan(now.getTime() - 2 * DAY);
  });

  it('varies severity, status and source realistically', () => {
    const count = (pick: (a: Alert) => unknown) => new Set(backlog.map(pick)).size;
    expect(count((a) => a.severity)).toBeGreaterThanOrEqual(4);
    expect(new Set(backlog.map((a) => a.status))).toEqual(new Set(['new', 'inProgress', 'resolved']));
    expect(count((a) => a.serviceSource)).toBeGreaterThanOrEqual(5);
    expect(count((a) => a.title)).toBeGreaterThanOrEqual(10);
  });

  it('gives handled alerts an owner, a verdict and comments, and leaves new ones untouched', () => {
    for (const a of backlog) {
      if (a.status === 'resolved') {
        expect(a.resolvedDateTime).toBe(a.lastUpdateDateTime);
        expect(['truePositive', 'falsePositive', 'informationalExpectedActivity']).toContain(a.classification);
        expect(a.determination).toEqual(expect.any(String));
        expect(a.comments.length).toBeGreaterThan(0);
        expect(a.assignedTo).toMatch(/@mssp-soc\.example$/);
      }
      if (a.status === 'new') {
        expect(a.assignedTo).toBeNull();
        expect(a.resolvedDateTime).toBeNull();
        expect(a.comments).toEqual([]);
      }
    }
  });

  it('carries the tenant in ids, links and evidence', () => {
    for (const a of backlog) {
      expect(a.tenantId).toBe(tenant.tenantId);
      expect(a.alertWebUrl).toBe(`https://security.microsoft.com/alerts/${a.id}?tid=${tenant.tenantId}`);
      expect(a.incidentWebUrl).toBe(`https://security.microsoft.com/incidents/${a.incidentId}?tid=${tenant.tenantId}`);
      for (const d of alertDevices(a)) {
        expect(d.dnsName).toMatch(/^[a-z0-9-]+\.contoso\.com$/);
        expect(['Servers', 'Workstations', 'Finance laptops', 'UnassignedGroup']).toContain(d.rbacGroupName);
        expect(Number.isInteger(d.rbacGroupId)).toBe(true);
      }
      for (const u of alertUsers(a)) expect(u.userPrincipalName).toMatch(/@contoso\.com$/);
    }
    const endpoint = backlog.filter((a) => a.serviceSource === 'microsoftDefenderForEndpoint');
    expect(endpoint.length).toBeGreaterThan(0);
    for (const a of endpoint) expect(a.id).toMatch(/^da\d{18}_-?\d+$/);
    const groups = new Set(backlog.flatMap((a) => alertDevices(a).map((d) => d.rbacGroupName)));
    expect(groups.size).toBe(4);
  });

  it('keeps title, tactic, technique and evidence consistent', () => {
    const powershell = backlog.filter((a) => a.title === 'Suspicious PowerShell command line');
    expect(powershell.length).toBeGreaterThan(0);
    for (const a of powershell) {
      expect(a.category).toBe('Execution');
      expect(a.mitreTechniques).toContain('T1059.001');
      expect(alertProcessCommandLines(a)[0]).toMatch(/^powershell\.exe /);
    }
    for (const a of backlog.filter((x) => x.title.startsWith('Ransomware'))) {
      expect(a.category).toBe('Impact');
      expect(a.mitreTechniques).toContain('T1486');
      expect(a.severity).toBe('high');
    }
    for (const a of backlog.filter((x) => x.serviceSource === 'microsoftDefenderForOffice365')) {
      expect(a.detectionSource).toBe('microsoftDefenderForOffice365');
      expect(a.category).toBe('InitialAccess');
    }
  });

  it('uses the same device names across calls for one tenant', () => {
    const names = (alerts: Alert[]) => new Set(alerts.flatMap((a) => alertDevices(a).map((d) => d.dnsName)));
    const other = names(generateBacklog(tenant, 200, now, 'other seed'));
    for (const name of names(backlog)) expect(other.has(name) || name === undefined).toBe(true);
  });
});

describe('generateNewAlert', () => {
  it('raises a new, unassigned alert moments before now', () => {
    const alert = generateNewAlert(tenant, now, 7);
    expect(alert).toEqual(generateNewAlert(tenant, now, 7));
    expect(alert.status).toBe('new');
    expect(alert.assignedTo).toBeNull();
    expect(now.getTime() - Date.parse(alert.createdDateTime)).toBeLessThanOrEqual(90_000);
    expect(alert.lastUpdateDateTime).toBe(alert.createdDateTime);
    expect(generateNewAlert(tenant, now, 8).id).not.toBe(alert.id);
  });

  it('has a hostile variant that is still a valid alert', () => {
    const alert = generateHostileAlert(tenant, now, 3);
    expect(HOSTILE_TEXTS.some((t) => alert.title.includes(t))).toBe(true);
    expect(AlertSchema.safeParse(alert).success).toBe(true);
    const hostile = generateBacklog(tenant, 30, now, 1, { hostile: true });
    expect(hostile.every((a) => HOSTILE_TEXTS.some((t) => a.title.includes(t)))).toBe(true);
    expect(hostile.some((a) => a.title.includes('${'))).toBe(true);
    expect(hostile.some((a) => /\]\(https?:/.test(a.title))).toBe(true);
    expect(hostile.some((a) => a.title.includes('<script>'))).toBe(true);
  });
});
