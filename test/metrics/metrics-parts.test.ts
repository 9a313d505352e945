import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_LOG } from '../../src/audit/audit-schema.js';
import type { GraphAccessToken, GraphTokenProvider } from '../../src/defender/token-provider.js';
import type { DeliveryRecord, DigestRecord } from '../../src/delivery/store-schema.js';
import { ExternalUnreachableError } from '../../src/errors.js';
import { BoundedLabels } from '../../src/metrics/bounded-labels.js';
import { bearerMatches } from '../../src/metrics/metrics-endpoint.js';
import { teamsQueues } from '../../src/metrics/state-metrics.js';
import { timeStorage, type StoreOperation } from '../../src/metrics/timed-storage.js';
import { countTokenFailures } from '../../src/metrics/token-failures.js';
import { ROLE_ASSIGNMENTS } from '../../src/roles/role-schema.js';
import { EmbeddedStorage } from '../../src/store/embedded/embedded-storage.js';
import type { Storage } from '../../src/store/storage.js';

describe('bounded tenant labels', () => {
  const handles: Record<string, string> = { t1: 'contoso', t2: 'fabrikam', t3: 'northwind' };
  const labels = () => new BoundedLabels(2, (id) => handles[id]);

  it('names the first tenants by handle and every later one "other", for good', () => {
    const bounded = labels();
    expect(['t1', 't2', 't3', 't1', 't3'].map((id) => bounded.label(id))).toEqual(['contoso', 'fabrikam', 'other', 'contoso', 'other']);
  });

  it('labels a tenant it cannot name "other" without using up a place, so it gets its handle once known', () => {
    const bounded = labels();
    expect(bounded.label('t9')).toBe('other');
    handles.t9 = 'tailspin';
    expect(bounded.label('t9')).toBe('tailspin');
    expect(bounded.label('t1')).toBe('contoso');
    expect(bounded.label('t2')).toBe('other');
    delete handles.t9;
  });
});

describe('the bearer check', () => {
  const token = 'a-metrics-token-of-more-than-32-characters';

  it.each([
    [`Bearer ${token}`, true],
    [`bearer  ${token} `, true],
    [`Bearer ${token}x`, false],
    [`Bearer ${token.slice(1)}`, false],
    [`Basic ${token}`, false],
    [token, false],
    ['Bearer', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(bearerMatches(header, token)).toBe(expected);
  });
});

describe('timed storage', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'soc-bridge-timed-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('times each operation that reaches the backend, keeps one object per name, and passes results and errors through', async () => {
    const timings: [StoreOperation, number][] = [];
    const storage = timeStorage(await EmbeddedStorage.open(dir), (operation, seconds) => timings.push([operation, seconds]));
    expect(storage.kind).toBe('embedded');
    const roles = storage.collection(ROLE_ASSIGNMENTS);
    expect(storage.collection(ROLE_ASSIGNMENTS)).toBe(roles);
    expect(storage.log(AUDIT_LOG)).toBe(storage.log(AUDIT_LOG));
    const version = roles.version;
    await roles.write((draft) => draft.put({ userId: 'u1', role: 'viewer', grantedBy: 'test', grantedAt: '2026-11-26T09:00:00.000Z' }));
    expect(roles.version).not.toBe(version);
    expect(roles.get('u1')?.role).toBe('viewer');
    await expect(roles.write(() => {
      throw new Error('refused');
    })).rejects.toThrow('refused');
    await storage.recordSet('delivery').write([{ section: 's', key: 'k', record: { n: 1 } }]);
    await storage.refresh();
    expect(await storage.log(AUDIT_LOG).count({})).toBe(0);
    await storage.close();
    expect(timings.map(([operation]) => operation)).toEqual(['collection_write', 'collection_write', 'record_set_write', 'refresh', 'log_count']);
    expect(timings.every(([, seconds]) => seconds >= 0 && seconds < 5)).toBe(true);
  });
});

describe('timed storage, whatever the port holds', () => {
  it('passes every argument on, so a record set keeps the writer that fences it to its lease holder', async () => {
    const calls: unknown[][] = [];
    const written: unknown[] = [];
    const inner = {
      kind: 'postgres',
      rates: {},
      recordSet: (...args: unknown[]) => {
        calls.push(args);
        return { write: async (batch: unknown) => void written.push(batch) };
      },
    } as unknown as Storage;
    const timings: StoreOperation[] = [];
    const storage = timeStorage(inner, (operation) => timings.push(operation));
    await storage.recordSet('delivery', { lease: 'delivery', holder: 'instance-1' }).write([]);
    expect(calls).toEqual([['delivery', { lease: 'delivery', holder: 'instance-1' }]]);
    expect(written).toEqual([[]]);
    expect(timings).toEqual(['record_set_write']);
    expect(storage.kind).toBe('postgres');
  });
});

describe('token failure counting', () => {
  it('counts a failed token request once, however many callers waited on it, with its error code', async () => {
    const failure = new ExternalUnreachableError('entra', 'Entra did not answer.');
    let release: (error: unknown) => void = () => undefined;
    const shared = new Promise<GraphAccessToken>((_resolve, reject) => (release = reject));
    const inner: GraphTokenProvider = { getGraphToken: () => shared, forgetGraphToken: () => undefined };
    const counts: string[] = [];
    const provider = countTokenFailures(inner, (tenantId, code) => counts.push(`${tenantId}:${code}`));
    const waiting = [provider.getGraphToken('t1'), provider.getGraphToken('t1'), provider.getGraphToken('t1')];
    release(failure);
    for (const call of waiting) await expect(call).rejects.toBe(failure);
    expect(counts).toEqual(['t1:external.unreachable']);
  });
});

describe('Teams queues by conversation', () => {
  const now = Date.parse('2026-11-26T10:00:00.000Z');
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1000).toISOString();
  let seq = 0;
  const record = (conversationId: string, secondsAgo: number, state: DeliveryRecord['state'] = 'pending', kind = 'teams'): DeliveryRecord => ({
    key: `k${++seq}`, tenantId: 't', alertId: `a${seq}`, target: { kind, conversationId }, ruleId: 'r', options: { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true },
    state, seq, attempts: 0, createdAt: at(secondsAgo), updatedAt: at(secondsAgo),
  });

  it('counts pending cards and digests per conversation, aged by the oldest alert they hold', () => {
    const digested = record('19:b', 90, 'digested');
    const digest: DigestRecord = {
      id: 'd1', conversationId: '19:b', state: 'pending', seq: 99, attempts: 0, createdAt: at(10), updatedAt: at(10), revision: 0, shownRevision: 0,
      items: [{ deliveryKey: digested.key, tenantId: 't', alertId: digested.alertId, customer: 'C', title: 'x', severity: 'high', status: 'new', createdDateTime: at(90), version: at(90) }],
    };
    const deliveries = [record('19:a', 30), record('19:a', 5), record('19:a', 100, 'sent'), record('x@mssp.example', 500, 'pending', 'email'), digested, record('19:b', 20)];
    const queues = teamsQueues(deliveries, [digest], (key) => deliveries.find((d) => d.key === key), now, 20);
    expect(queues).toEqual([
      { conversation: '19:b', depth: 2, oldestAgeSeconds: 90 },
      { conversation: '19:a', depth: 2, oldestAgeSeconds: 30 },
    ]);
  });

  it('names only the conversations waiting longest and sums the rest into "other"', () => {
    const deliveries = Array.from({ length: 25 }, (_, i) => [record(`19:c${i}`, 100 + i), record(`19:c${i}`, 1)]).flat();
    const queues = teamsQueues(deliveries, [], () => undefined, now, 20);
    expect(queues).toHaveLength(21);
    expect(queues[0]).toEqual({ conversation: '19:c24', depth: 2, oldestAgeSeconds: 124 });
    expect(queues.slice(0, 20).every((q) => q.conversation !== 'other')).toBe(true);
    expect(queues[20]).toEqual({ conversation: 'other', depth: 10, oldestAgeSeconds: 104 });
  });
});
