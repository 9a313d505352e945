import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_LOG } from '../../src/audit/audit-schema.js';
import { StoreError } from '../../src/errors.js';
import { SETTINGS } from '../../src/notify/settings-schema.js';
import { ROLE_ASSIGNMENTS } from '../../src/roles/role-schema.js';
import { EmbeddedStorage, STORE_FILE_NAME, VERSION_1_BACKUP_NAME } from '../../src/store/embedded/embedded-storage.js';
import { RecordSetFile } from '../../src/store/embedded/record-set-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'soc-bridge-embedded-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const role = (n: number) => ({ userId: `user-${n}`, role: 'viewer' as const, grantedBy: 'test', grantedAt: '2026-11-26T09:00:00.000Z' });
const audit = (n: number) => ({
  id: `a${n}`, at: `2026-11-26T09:00:0${n}.000Z`, actorId: 'u', actorName: 'U', tenantId: 't1', tenantHandle: 'contoso', alertId: `x${n}`,
  action: 'assign', before: {}, after: {}, outcome: 'done' as const,
});

describe('the embedded store', () => {
  it('creates a versioned collections file on first open, and writes atomically (no temporary file left)', async () => {
    const storage = await EmbeddedStorage.open(dir);
    const roles = storage.collection(ROLE_ASSIGNMENTS);
    await Promise.all(Array.from({ length: 50 }, (_, n) => roles.write((d) => d.put(role(n)))));
    await storage.close();
    expect(readdirSync(dir)).toEqual([STORE_FILE_NAME]);
    const file = JSON.parse(readFileSync(join(dir, STORE_FILE_NAME), 'utf8')) as { schemaVersion: number; collections: { roles: unknown[] } };
    expect(file.schemaVersion).toBe(2);
    expect(file.collections.roles).toHaveLength(50);
  });

  it('refuses a file that is not JSON, and does not overwrite it', async () => {
    const path = join(dir, STORE_FILE_NAME);
    writeFileSync(path, '{"schemaVersion": 2, "collections": {');
    const error = (await EmbeddedStorage.open(dir).catch((e: unknown) => e)) as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.code).toBe('store.corrupt');
    expect(error.message).toContain('is not valid JSON');
    expect(error.message).toContain('left untouched');
    expect(readFileSync(path, 'utf8')).toBe('{"schemaVersion": 2, "collections": {');
  });

  it('refuses records that do not fit their schema when the owner opens the collection, naming where, and leaves the file alone', async () => {
    const path = join(dir, STORE_FILE_NAME);
    const text = JSON.stringify({ schemaVersion: 2, collections: { roles: [{ userId: 'u', role: 'god', grantedBy: 'x', grantedAt: 'now' }] } });
    writeFileSync(path, text);
    const storage = await EmbeddedStorage.open(dir);
    let error: unknown;
    try {
      storage.collection(ROLE_ASSIGNMENTS);
    } catch (e) {
      error = e;
    }
    expect((error as StoreError).code).toBe('store.corrupt');
    expect((error as StoreError).message).toContain('at collections.roles.0.role');
    await storage.close();
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('refuses a file from a newer schema version', async () => {
    writeFileSync(join(dir, STORE_FILE_NAME), JSON.stringify({ schemaVersion: 9, collections: {} }));
    await expect(EmbeddedStorage.open(dir)).rejects.toThrow('schema version 9, written by a newer SOC Bridge');
  });

  it('reports an unreadable store file', async () => {
    mkdirSync(join(dir, STORE_FILE_NAME));
    const error = (await EmbeddedStorage.open(dir).catch((e: unknown) => e)) as StoreError;
    expect(error.code).toBe('store.unreadable');
    expect(error.message).toContain('Cannot read the store file');
  });

  it('converts a file of the previous format once, keeping a copy of it and losing nothing', async () => {
    const v1 = {
      schemaVersion: 1,
      roles: [role(1)],
      conversations: [],
      tenants: [],
      audit: [audit(1), audit(2)],
      settings: { socConversationId: '19:soc@thread.tacv2' },
      channelLinks: [],
      rules: [],
      onboarding: [],
      delivery: { deliveries: { 'k1': { any: 'record' } }, alerts: {}, digests: {}, cursors: { t1: { tenantId: 't1' } } },
    };
    writeFileSync(join(dir, STORE_FILE_NAME), JSON.stringify(v1));
    const storage = await EmbeddedStorage.open(dir);
    expect(storage.collection(ROLE_ASSIGNMENTS).all()).toEqual([role(1)]);
    expect(storage.collection(SETTINGS).get('global')?.socConversationId).toBe('19:soc@thread.tacv2');
    expect((await storage.log(AUDIT_LOG).query({ limit: 10 })).map((e) => e.id)).toEqual(['a2', 'a1']);
    const records = [];
    for await (const change of storage.recordSet('delivery').load()) records.push(change);
    expect(records).toEqual([
      { section: 'deliveries', key: 'k1', record: { any: 'record' } },
      { section: 'cursors', key: 't1', record: { tenantId: 't1' } },
    ]);
    await storage.close();
    expect(JSON.parse(readFileSync(join(dir, VERSION_1_BACKUP_NAME), 'utf8'))).toEqual(v1);
    const again = await EmbeddedStorage.open(dir);
    expect(await again.log(AUDIT_LOG).count({})).toBe(2);
    await again.close();
  });

  it('skips a log line cut short by a crash', async () => {
    const storage = await EmbeddedStorage.open(dir);
    await storage.log(AUDIT_LOG).append(audit(1));
    appendFileSync(join(dir, 'audit.jsonl'), '{"id":"a2","at":"2026-');
    await storage.log(AUDIT_LOG).append(audit(3));
    expect((await storage.log(AUDIT_LOG).query({ limit: 5 })).map((e) => e.id)).toEqual(['a1']);
    await storage.close();
  });
});

describe('a record set file', () => {
  it('compacts itself so its size follows the live records, not the number of changes', async () => {
    const path = join(dir, 'x.records.jsonl');
    const set = new RecordSetFile(path);
    for (let round = 0; round < 30; round++) {
      await set.write(Array.from({ length: 1000 }, (_, n) => ({ section: 's', key: String(n % 200), record: { round, n } })));
    }
    const live = [];
    for await (const change of set.load()) live.push(change);
    expect(live).toHaveLength(200);
    expect(live.every((c) => (c.record as { round: number }).round === 29)).toBe(true);
    const oneCopyBytes = JSON.stringify(live).length;
    expect(statSync(path).size).toBeLessThan(oneCopyBytes * 40);
  });

  it('stores a batch whole or not at all: a batch cut short by a crash is left out', async () => {
    const path = join(dir, 'y.records.jsonl');
    const set = new RecordSetFile(path);
    await set.write([{ section: 's', key: 'a', record: 1 }]);
    appendFileSync(path, '{"b":[["s","b",2],["s","c"');
    const live = [];
    for await (const change of new RecordSetFile(path).load()) live.push(change);
    expect(live).toEqual([{ section: 's', key: 'a', record: 1 }]);
  });
});
