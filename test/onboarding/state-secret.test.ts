import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '../../src/errors.js';
import { silentLogger } from '../../src/log.js';
import { STATE_SECRET_FILE, loadOrCreateStateSecret } from '../../src/onboarding/state-secret.js';
import { EmbeddedStorage } from '../../src/store/embedded/embedded-storage.js';
import { openMigratedDatabase } from '../../src/store/postgres/open-database.js';
import { PostgresStorage } from '../../src/store/postgres/postgres-storage.js';
import { useTestDatabase } from '../helpers/postgres.js';

const freshDir = () => join(mkdtempSync(join(tmpdir(), 'soc-bridge-secret-')), 'data');

/** The secret as a process on the embedded store sees it: it holds the folder while it reads. */
async function embeddedSecret(dir: string): Promise<string> {
  const storage = await EmbeddedStorage.open(dir);
  try {
    return await loadOrCreateStateSecret(storage, dir);
  } finally {
    await storage.close();
  }
}

describe('the sandbox consent-state secret on the embedded store', () => {
  it('is made once, readable by the owner only, and the same after a restart', async () => {
    const dir = freshDir();
    const first = await embeddedSecret(dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, STATE_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(await embeddedSecret(dir)).toBe(first);
    expect(await embeddedSecret(freshDir())).not.toBe(first);
  });

  it('refuses a file that holds too short a secret instead of overwriting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-secret-'));
    writeFileSync(join(dir, STATE_SECRET_FILE), 'short\n');
    await expect(embeddedSecret(dir)).rejects.toThrow(StartupError);
    await expect(embeddedSecret(dir)).rejects.toThrow(/consent-state secret in .* is shorter than 32 characters or unreadable; remove the file/);
    expect(readFileSync(join(dir, STATE_SECRET_FILE), 'utf8')).toBe('short\n');
  });
});

describe('the sandbox consent-state secret on PostgreSQL', () => {
  const database = useTestDatabase();

  it('is the same for every instance, whichever starts first, and kept in the database rather than DATA_DIR', async () => {
    const instances = await Promise.all([0, 1, 2].map(async () => new PostgresStorage(await openMigratedDatabase(database().config, silentLogger), silentLogger)));
    const dirs = instances.map(() => freshDir());
    const secrets = await Promise.all(instances.map((storage, i) => loadOrCreateStateSecret(storage, dirs[i]!)));
    expect(new Set(secrets).size).toBe(1);
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    for (const dir of dirs) expect(() => statSync(join(dir, STATE_SECRET_FILE))).toThrow();
    await Promise.all(instances.map((s) => s.close()));
  });
});
