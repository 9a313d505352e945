import { describe, expect, it } from '@jest/globals';
import {
  AlertListResponseSchema,
  AlertSchema,
  DETERMINATIONS_ACCEPTED_ON_READ,
  SERVICE_SOURCES,
  alertDevices,
  alertFiles,
  alertProcessCommandLines,
  alertUsers,
  baseMembers,
  deviceGroups,
  type Alert,
} from '../../src/defender/alert.js';

const minimal = {
  id: 'da637551227677560813_-961444813',
  title: 'Suspicious PowerShell command line',
  severity: 'medium',
  status: 'new',
  createdDateTime: '2026-11-20T08:00:00.1234567Z',
  lastUpdateDateTime: '2026-11-20T08:05:00Z',
};

const device = (name: string, group: string | null, id: string, groupId: number | null = 7) => ({
  '@odata.type': '#microsoft.graph.security.deviceEvidence',
  deviceDnsName: name,
  rbacGroupName: group,
  rbacGroupId: groupId,
  osPlatform: 'Windows11',
  mdeDeviceId: id,
});

describe('AlertSchema', () => {
  it('reads a minimal alert, defaulting the lists and keeping absent fields absent', () => {
    const alert = AlertSchema.parse(minimal);
    expect(alert.evidence).toEqual([]);
    expect(alert.comments).toEqual([]);
    expect(alert.mitreTechniques).toEqual([]);
    expect(alert.assignedTo).toBeUndefined();
  });

  it('tolerates nulls where Graph sends them', () => {
    const alert = AlertSchema.parse({ ...minimal, classification: null, determination: null, assignedTo: null, evidence: null, comments: null, resolvedDateTime: null });
    expect(alert.classification).toBeNull();
    expect(alert.evidence).toEqual([]);
  });

  it('keeps enum members it does not know and properties added later', () => {
    const alert = AlertSchema.parse({
      ...minimal,
      severity: 'critical',
      serviceSource: 'microsoftSentinel',
      detectionSource: 'someFutureDetector',
      determination: 'brandNewDetermination',
      newGraphProperty: { nested: true },
    });
    expect(alert.severity).toBe('critical');
    expect(alert.serviceSource).toBe('microsoftSentinel');
    expect(alert.detectionSource).toBe('someFutureDetector');
    expect(alert.determination).toBe('brandNewDetermination');
    expect((alert as Record<string, unknown>).newGraphProperty).toEqual({ nested: true });
  });

  it('accepts old and new determination names', () => {
    for (const determination of ['compromisedUser', 'compromisedAccount', 'clean', 'insufficientData', 'confirmedUserActivity']) {
      expect(AlertSchema.parse({ ...minimal, determination }).determination).toBe(determination);
    }
    expect(DETERMINATIONS_ACCEPTED_ON_READ).toEqual(expect.arrayContaining(['clean', 'notMalicious']));
  });

  it('refuses what is not an alert', () => {
    expect(AlertSchema.safeParse({ ...minimal, id: undefined }).success).toBe(false);
    expect(AlertSchema.safeParse({ ...minimal, severity: 3 }).success).toBe(false);
    expect(AlertSchema.safeParse({ ...minimal, createdDateTime: 'yesterday' }).success).toBe(false);
    expect(AlertListResponseSchema.safeParse({ value: [{ id: 5 }] }).success).toBe(false);
  });

  it('refuses a device evidence with a malformed field instead of passing it off as opaque', () => {
    const bad = { ...device('ws1.contoso.com', 'Servers', 'd1'), rbacGroupId: 'seven' };
    expect(AlertSchema.safeParse({ ...minimal, evidence: [bad] }).success).toBe(false);
  });

  it('keeps evidence types it does not model as opaque objects, with both @odata.type spellings', () => {
    const mailbox = { '@odata.type': '#microsoft.graph.security.mailboxEvidence', primaryAddress: 'a@contoso.com', verdict: 'suspicious' };
    const alert = AlertSchema.parse({ ...minimal, evidence: [mailbox, { ...device('ws1.contoso.com', 'Servers', 'd1'), '@odata.type': 'microsoft.graph.security.deviceEvidence' }] });
    expect(alert.evidence[0]).toEqual(mailbox);
    expect(alertDevices(alert)).toHaveLength(1);
  });
});

describe('enum lists', () => {
  it('knows which members are evolvable', () => {
    expect(baseMembers(SERVICE_SOURCES)).toContain('microsoftDefenderForEndpoint');
    expect(baseMembers(SERVICE_SOURCES)).not.toContain('microsoftSentinel');
    expect(baseMembers(SERVICE_SOURCES).at(-1)).toBe('unknownFutureValue');
  });
});

describe('evidence helpers', () => {
  const alert: Alert = AlertSchema.parse({
    ...minimal,
    evidence: [
      device('ws-0107.contoso.com', 'Finance laptops', 'd1', 4103),
      device('WS-0107.contoso.com', 'Finance laptops', 'd1', 4103),
      device('dc01.contoso.com', 'Servers', 'd2', 4101),
      device('new.contoso.com', null, 'd3', null),
      { '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { accountName: 'maria.novak', domainName: 'CONTOSO', userPrincipalName: 'maria.novak@contoso.com', displayName: 'Maria Novak' } },
      { '@odata.type': '#microsoft.graph.security.userEvidence', userAccount: { accountName: 'maria.novak', domainName: 'CONTOSO', userPrincipalName: 'Maria.Novak@contoso.com' } },
      { '@odata.type': '#microsoft.graph.security.fileEvidence', fileDetails: { fileName: 'a.exe', filePath: 'C:\\Temp', sha1: 'aa', sha256: 'bb' } },
      { '@odata.type': '#microsoft.graph.security.fileEvidence', fileDetails: { fileName: 'b.exe', filePath: 'C:\\Temp', sha256: 'cc' } },
      { '@odata.type': '#microsoft.graph.security.processEvidence', processCommandLine: 'powershell.exe -enc AAAA' },
      { '@odata.type': '#microsoft.graph.security.processEvidence', processCommandLine: 'powershell.exe -enc AAAA' },
    ],
  });

  it('lists each device once with its group and platform', () => {
    expect(alertDevices(alert)).toEqual([
      { dnsName: 'ws-0107.contoso.com', osPlatform: 'Windows11', rbacGroupName: 'Finance laptops', rbacGroupId: 4103, mdeDeviceId: 'd1' },
      { dnsName: 'dc01.contoso.com', osPlatform: 'Windows11', rbacGroupName: 'Servers', rbacGroupId: 4101, mdeDeviceId: 'd2' },
      { dnsName: 'new.contoso.com', osPlatform: 'Windows11', rbacGroupName: undefined, rbacGroupId: undefined, mdeDeviceId: 'd3' },
    ]);
  });

  it('lists the distinct device groups', () => {
    expect(deviceGroups(alert)).toEqual(['Finance laptops', 'Servers']);
    expect(deviceGroups(AlertSchema.parse(minimal))).toEqual([]);
  });

  it('lists users, files and command lines once each', () => {
    expect(alertUsers(alert)).toEqual([{ userPrincipalName: 'maria.novak@contoso.com', accountName: 'maria.novak', domainName: 'CONTOSO', displayName: 'Maria Novak' }]);
    expect(alertFiles(alert).map((f) => f.fileName)).toEqual(['a.exe', 'b.exe']);
    expect(alertProcessCommandLines(alert)).toEqual(['powershell.exe -enc AAAA']);
  });
});
