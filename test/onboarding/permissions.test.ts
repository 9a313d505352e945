import { describe, expect, it } from '@jest/globals';
import { READ_ROLE, WRITE_ROLE, assessRoles } from '../../src/onboarding/permissions.js';

describe('assessRoles', () => {
  it('reads and writes with both roles when write was asked for', () => {
    expect(assessRoles([READ_ROLE, WRITE_ROLE], 'readwrite', 'x')).toMatchObject({ canRead: true, canWrite: true, missing: [] });
  });

  it('reads with the write role alone', () => {
    expect(assessRoles([WRITE_ROLE], 'readwrite', 'x')).toMatchObject({ canRead: true, canWrite: true, missing: [] });
  });

  it('names the missing write role and how to fix it', () => {
    const result = assessRoles([READ_ROLE], 'readwrite', 'tailspin');
    expect(result).toMatchObject({ canRead: true, canWrite: false, missing: [WRITE_ROLE] });
    expect(result.lines.find((l) => l.role === WRITE_ROLE)?.note).toContain('consent tailspin');
  });

  it('never writes for a read-only customer, even when write was granted', () => {
    const result = assessRoles([READ_ROLE, WRITE_ROLE], 'read', 'x');
    expect(result).toMatchObject({ canRead: true, canWrite: false, missing: [] });
    expect(result.lines.find((l) => l.role === WRITE_ROLE)?.note).toContain('chose read only');
  });

  it('cannot read without either role', () => {
    expect(assessRoles([], 'read', 'x')).toMatchObject({ canRead: false, canWrite: false, missing: [READ_ROLE] });
    expect(assessRoles(['User.Read.All'], 'readwrite', 'x').missing).toEqual([READ_ROLE, WRITE_ROLE]);
  });
});
