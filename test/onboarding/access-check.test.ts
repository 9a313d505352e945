import { describe, expect, it } from '@jest/globals';
import type { Clock } from '../../src/clock.js';
import { EntraError } from '../../src/defender/entra-errors.js';
import { ExternalRejectedError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { checkAccess } from '../../src/onboarding/access-check.js';
import type { AccessProbe } from '../../src/onboarding/access-probe.js';
import { READ_ROLE, WRITE_ROLE } from '../../src/onboarding/permissions.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';

const TENANT: TenantRecord = {
  handle: 'tailspin',
  displayName: 'Tailspin Toys',
  tenantId: '55555555-5555-4555-8555-555555555555',
  domain: 'tailspintoys.com',
  status: 'pending-consent',
  writeAccess: false,
  createdAt: '2026-11-26T09:00:00.000Z',
  updatedAt: '2026-11-26T09:00:00.000Z',
};

/** A clock whose sleeps end at once but are counted. */
function countingClock(): Clock & { slept: number[] } {
  const slept: number[] = [];
  return { slept, now: () => new Date(), nowMs: () => Date.now(), sleep: async (ms) => void slept.push(ms) };
}

function probe(options: { tokens: (() => { tid: string; roles: string[] } | Error)[]; graph?: Error }): AccessProbe & { graphCalls: string[] } {
  const graphCalls: string[] = [];
  let call = 0;
  return {
    graphCalls,
    freshToken: async (tenantId) => {
      const next = (options.tokens[Math.min(call++, options.tokens.length - 1)] ?? (() => new Error('no token')))();
      if (next instanceof Error) throw next;
      return { token: `token-for-${next.tid}`, expiresOnMs: Date.now() + 3_600_000, tenantId: next.tid, roles: next.roles };
    },
    readAlerts: async (tenantId, token) => {
      graphCalls.push(`${tenantId}:${token}`);
      if (options.graph) throw options.graph;
    },
  };
}

const notConsented = () => new EntraError({ facts: { aadsts: 700016, oauthError: 'unauthorized_client' }, tenantId: TENANT.tenantId });

describe('checkAccess', () => {
  it('proves access with a token for the expected tenant and a Graph call with that token', async () => {
    const p = probe({ tokens: [() => ({ tid: TENANT.tenantId, roles: [READ_ROLE, WRITE_ROLE] })] });
    const result = await checkAccess({ probe: p, tenant: TENANT, requested: 'readwrite', clock: countingClock(), logger: silentLogger });
    expect(result).toMatchObject({ ok: true, tokenTenantId: TENANT.tenantId, roles: [READ_ROLE, WRITE_ROLE], assessment: { canWrite: true } });
    expect(p.graphCalls).toEqual([`${TENANT.tenantId}:token-for-${TENANT.tenantId}`]);
  });

  it('refuses a token issued for another tenant, before any Graph call', async () => {
    const p = probe({ tokens: [() => ({ tid: '66666666-6666-4666-8666-666666666666', roles: [READ_ROLE] })] });
    const result = await checkAccess({ probe: p, tenant: TENANT, requested: 'read', clock: countingClock(), logger: silentLogger });
    expect(result).toMatchObject({ ok: false, stage: 'tenant', failure: { needsAttention: true } });
    expect(p.graphCalls).toEqual([]);
  });

  it('refuses a token without a permission to read alerts, naming it', async () => {
    const p = probe({ tokens: [() => ({ tid: TENANT.tenantId, roles: ['User.Read.All'] })] });
    const result = await checkAccess({ probe: p, tenant: TENANT, requested: 'read', clock: countingClock(), logger: silentLogger });
    expect(result).toMatchObject({ ok: false, stage: 'permission' });
    expect(!result.ok && result.message).toContain(READ_ROLE);
    expect(p.graphCalls).toEqual([]);
  });

  it('reports a Graph refusal', async () => {
    const forbidden = new ExternalRejectedError({ service: 'graph', status: 403, userMessage: 'Graph said no.' });
    const p = probe({ tokens: [() => ({ tid: TENANT.tenantId, roles: [READ_ROLE] })], graph: forbidden });
    const result = await checkAccess({ probe: p, tenant: TENANT, requested: 'read', clock: countingClock(), logger: silentLogger });
    expect(result).toMatchObject({ ok: false, stage: 'graph', message: 'Graph said no.', failure: { code: 'graph.403', needsAttention: true } });
  });

  it('waits for a fresh consent to replicate when asked to, and only then', async () => {
    const tokens = [notConsented, notConsented, () => ({ tid: TENANT.tenantId, roles: [READ_ROLE] })];
    const patient = countingClock();
    expect(await checkAccess({ probe: probe({ tokens }), tenant: TENANT, requested: 'read', clock: patient, logger: silentLogger, retryDelaysMs: [10, 20] })).toMatchObject({ ok: true });
    expect(patient.slept).toEqual([10, 20]);
    const impatient = countingClock();
    expect(await checkAccess({ probe: probe({ tokens }), tenant: TENANT, requested: 'read', clock: impatient, logger: silentLogger })).toMatchObject({ ok: false, stage: 'token', failure: { code: 'entra.700016' } });
    expect(impatient.slept).toEqual([]);
  });
});
