import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreError } from '../../src/errors.js';
import { LowdbStore, STORE_FILE_NAME } from '../../src/store/lowdb-store.js';
import type { RoleAssignment } from '../../src/store/schema.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'soc-bridge-store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const assignment = (n: number): RoleAssignment => ({
  userId: `user-${n}`,
  role: 'viewer',
  grantedBy: 'test',
  grantedAt: '2026-11-26T09:00:00.000Z',
});

describe('LowdbStore', () => {
  it('creates a versioned file on first open', async () => {
    const store = await LowdbStore.open(dir);
    await store.close();
    const file = JSON.parse(readFileSync(join(dir, STORE_FILE_NAME), 'utf8')) as Record<string, unknown>;
    expect(file).toEqual({ schemaVersion: 1, roles: [], conversations: [], tenants: [], audit: [], settings: {}, channelLinks: [], rules: [], onboarding: [], delivery: { deliveries: {}, alerts: {}, digests: {}, cursors: {}, targets: {} } });
  });

  it('keeps every one of many concurrent writes', async () => {
    const store = await LowdbStore.open(dir);
    const writers = Array.from({ length: 300 }, (_, n) =>
      (async () => {
        await new Promise((resolve) => setTimeout(resolve, n % 7));
        await store.update((data) => {
          data.roles.push(assignment(n));
        });
      })(),
    );
    await Promise.all(writers);
    await store.close();
    const reopened = await LowdbStore.open(dir);
    const ids = reopened.read().roles.map((r) => r.userId).sort();
    expect(ids).toHaveLength(300);
    expect(new Set(ids).size).toBe(300);
    await reopened.close();
  });

  it('leaves the data as it was when a mutation throws', async () => {
    const store = await LowdbStore.open(dir);
    await store.update((data) => {
      data.roles.push(assignment(1));
    });
    await expect(
      store.update((data) => {
        data.roles.push(assignment(2));
        throw new Error('half-way');
      }),
    ).rejects.toThrow('half-way');
    expect(store.read().roles.map((r) => r.userId)).toEqual(['user-1']);
    await store.update((data) => {
      data.roles.push(assignment(3));
    });
    await store.close();
    const onDisk = JSON.parse(readFileSync(join(dir, STORE_FILE_NAME), 'utf8')) as { roles: RoleAssignment[] };
    expect(onDisk.roles.map((r) => r.userId)).toEqual(['user-1', 'user-3']);
  });

  it('writes atomically: no temporary file is left behind', async () => {
    const store = await LowdbStore.open(dir);
    await Promise.all(Array.from({ length: 50 }, (_, n) => store.update((d) => void d.roles.push(assignment(n)))));
    await store.close();
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir)).toEqual([STORE_FILE_NAME]);
  });

  it('refuses a file that is not JSON, and does not overwrite it', async () => {
    const path = join(dir, STORE_FILE_NAME);
    writeFileSync(path, '{"schemaVersion": 1, "roles": [');
    const error = await LowdbStore.open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('store.corrupt');
    expect((error as StoreError).message).toContain('is not valid JSON');
    expect((error as StoreError).message).toContain('left untouched');
    expect(readFileSync(path, 'utf8')).toBe('{"schemaVersion": 1, "roles": [');
  });

  it('refuses a file whose data does not fit the schema, naming where', async () => {
    const path = join(dir, STORE_FILE_NAME);
    const text = JSON.stringify({ schemaVersion: 1, roles: [{ userId: 'u', role: 'god', grantedBy: 'x', grantedAt: 'now' }] });
    writeFileSync(path, text);
    const error = (await LowdbStore.open(dir).catch((e: unknown) => e)) as StoreError;
    expect(error.code).toBe('store.corrupt');
    expect(error.message).toContain('at roles.0.role');
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('refuses a file from a newer schema version', async () => {
    writeFileSync(join(dir, STORE_FILE_NAME), JSON.stringify({ schemaVersion: 9, roles: [] }));
    await expect(LowdbStore.open(dir)).rejects.toThrow('schema version 9, written by a newer SOC Bridge');
  });

  it('reports an unreadable store file', async () => {
    mkdirSync(join(dir, STORE_FILE_NAME));
    const error = (await LowdbStore.open(dir).catch((e: unknown) => e)) as StoreError;
    expect(error.code).toBe('store.unreadable');
    expect(error.message).toContain('Cannot read the store file');
  });

  it('refuses a second open of the same folder while the first holds it, and frees it on close', async () => {
    const first = await LowdbStore.open(dir);
    const error = (await LowdbStore.open(dir).catch((e: unknown) => e)) as StoreError;
    expect(error).toBeInstanceOf(StoreError);
    expect(error.code).toBe('store.locked');
    expect(error.message).toContain(`Another SOC Bridge process is using the data folder ${dir}`);
    expect(error.message).toContain('set DATABASE_URL');
    await first.close();
    const second = await LowdbStore.open(dir);
    await second.close();
  });

  it('frees the folder again when the file it finds is invalid', async () => {
    writeFileSync(join(dir, STORE_FILE_NAME), 'not json');
    await expect(LowdbStore.open(dir)).rejects.toThrow('is not valid JSON');
    rmSync(join(dir, STORE_FILE_NAME));
    const store = await LowdbStore.open(dir);
    await store.close();
  });

  it('refuses changes after close', async () => {
    const store = await LowdbStore.open(dir);
    await store.close();
    await expect(store.update(() => undefined)).rejects.toThrow('closed');
  });
});
