import { describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { MIGRATIONS } from '../../src/store/postgres/migrations/index.js';
import { listeningPort, startBot } from '../helpers/bot-process.js';
import { useTestDatabase } from '../helpers/postgres.js';

const testDatabase = useTestDatabase();
const baseEnv = () => ({ PORT: '0', DATA_DIR: mkdtempSync(join(tmpdir(), 'soc-bridge-data-')), SANDBOX_ALERT_INTERVAL: '0', POLL_INTERVAL: '0' });

describe('the bot process with DATABASE_URL', () => {
  it('stops with exit code 2 on a URL that is not PostgreSQL, without echoing it', async () => {
    const run = await startBot({ ...baseEnv(), DATABASE_URL: 'mysql://soc:Leak-Me-Not@db.example/socbridge' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^ {2}DATABASE_URL: must start with postgresql:\/\/ or postgres:\/\/, as in postgresql:\/\/user:password@host:5432\/database/m);
    expect(run.stderr + run.stdout).not.toContain('Leak-Me-Not');
  });

  it('stops with exit code 1 and one sentence when the password is refused', async () => {
    const url = new URL(testDatabase().url);
    url.password = 'Leak-Me-Not';
    const run = await startBot({ ...baseEnv(), DATABASE_URL: url.toString() });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`SOC Bridge cannot start: PostgreSQL at ${url.host} refused the password of user "postgres" (DATABASE_URL).\n`);
    expect(run.stdout).not.toContain('Leak-Me-Not');
  });

  it('connects, migrates the database, serves, and stops cleanly', async () => {
    let stopping = false;
    const run = await startBot({ ...baseEnv(), DATABASE_URL: testDatabase().url, LOG_LEVEL: 'info' }, {
      onStdout: (stdout, child) => {
        if (!stopping && listeningPort(stdout) !== undefined) stopping = child.kill('SIGTERM');
      },
    });
    expect(run.code).toBe(0);
    const events = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { event?: string; target?: string; schemaVersion?: number });
    expect(events.find((e) => e.event === 'database.connected')).toMatchObject({ schemaVersion: MIGRATIONS.length, target: expect.stringContaining(testDatabase().name) });
    expect(run.stdout).not.toContain(new URL(testDatabase().url).password);
    const client = new pg.Client({ connectionString: testDatabase().url });
    await client.connect();
    try {
      expect((await client.query('SELECT version FROM schema_migrations ORDER BY version')).rows).toEqual(MIGRATIONS.map(({ version }) => ({ version })));
    } finally {
      await client.end();
    }
  });
});
