import { describe, expect, it } from '@jest/globals';
import { INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE, READ_ROLE, WRITE_ROLE, assessRoles, listRoles } from '../../src/onboarding/permissions.js';

const ALL = [READ_ROLE, WRITE_ROLE, INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE];

describe('assessRoles', () => {
  it('reads and writes with both roles when write was asked for', () => {
    expect(assessRoles(ALL, 'readwrite', 'x')).toMatchObject({ canRead: true, canWrite: true, canReadIncidents: true, missing: [] });
  });

  it('tells a customer that consented before incidents what is missing, and still reads and changes its alerts', () => {
    const result = assessRoles([READ_ROLE, WRITE_ROLE], 'readwrite', 'contoso');
    expect(result).toMatchObject({ canRead: true, canWrite: true, canReadIncidents: false, missing: [INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE] });
    const note = result.lines.find((l) => l.role === INCIDENT_READ_ROLE)?.note;
    expect(note).toContain('consented before SOC Bridge used incidents');
    expect(note).toContain('consent contoso');
    expect(assessRoles([READ_ROLE], 'read', 'x').missing).toEqual([INCIDENT_READ_ROLE]);
  });

  it('lists the permissions it knows in a fixed order', () => {
    expect(listRoles([INCIDENT_WRITE_ROLE, 'User.Read.All', READ_ROLE])).toBe(`${READ_ROLE}, ${INCIDENT_WRITE_ROLE}, 1 other`);
  });

  it('reads with the write role alone', () => {
    expect(assessRoles([WRITE_ROLE, INCIDENT_WRITE_ROLE], 'readwrite', 'x')).toMatchObject({ canRead: true, canWrite: true, canReadIncidents: true, missing: [] });
  });

  it('names the missing write role and how to fix it', () => {
    const result = assessRoles([READ_ROLE, INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE], 'readwrite', 'tailspin');
    expect(result).toMatchObject({ canRead: true, canWrite: false, missing: [WRITE_ROLE] });
    expect(result.lines.find((l) => l.role === WRITE_ROLE)?.note).toContain('consent tailspin');
  });

  it('never writes for a read-only customer, even when write was granted', () => {
    const result = assessRoles(ALL, 'read', 'x');
    expect(result).toMatchObject({ canRead: true, canWrite: false, missing: [] });
    expect(result.lines.find((l) => l.role === WRITE_ROLE)?.note).toContain('chose read only');
  });

  it('cannot read without either role', () => {
    expect(assessRoles([], 'read', 'x')).toMatchObject({ canRead: false, canWrite: false, missing: [READ_ROLE, INCIDENT_READ_ROLE] });
    expect(assessRoles(['User.Read.All'], 'readwrite', 'x').missing).toEqual([READ_ROLE, WRITE_ROLE, INCIDENT_READ_ROLE, INCIDENT_WRITE_ROLE]);
  });
});
