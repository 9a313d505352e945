import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_LOG } from '../../src/audit/audit-schema.js';
import { readConfigState } from '../../src/config-as-code/apply.js';
import { parseConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { projectRoot } from '../../src/paths.js';
import { NOTIFICATION_RULES } from '../../src/routing/store-schema.js';
import { openStorage } from '../../src/store/open-storage.js';
import type { Storage } from '../../src/store/storage.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { useTestDatabase } from '../helpers/postgres.js';
import { sandboxEnv, seedConfiguration, seedTenantsAndConversations, tempDataDir } from './fixture.js';

const CONFIG_CLI = join(projectRoot, 'dist', 'cli', 'config.js');
const BIN = join(projectRoot, 'scripts', 'soc-bridge.mjs');

const configured = useTestDatabase();
const empty = useTestDatabase();

/** `config <args>` as a child process, as an operator runs it: `npm run config --` (dist/cli/config.js) or the package's bin. */
function cli(args: string[], env: Record<string, string>, entry = CONFIG_CLI) {
  const run = spawnSync(process.execPath, [entry, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

function postgresEnv(dataDir: string, url: string): Record<string, string> {
  return { ...sandboxEnv(dataDir), DATABASE_URL: url, DATABASE_SSL: 'disable' };
}

async function open(env: Record<string, string>): Promise<Storage> {
  return openStorage(parseConfig(env, env.DATA_DIR), { logger: silentLogger, clock: new ManualClock() });
}

describe('config on PostgreSQL, while instances run', () => {
  const dir = tempDataDir();
  let configuredEnv: Record<string, string>;
  let emptyEnv: Record<string, string>;
  /** An instance of SOC Bridge running on the configured database the whole time. */
  let instance: Storage;

  beforeAll(async () => {
    configuredEnv = postgresEnv(dir, configured().url);
    emptyEnv = postgresEnv(dir, empty().url);
    instance = await open(configuredEnv);
    await seedTenantsAndConversations(instance, dir);
    await seedConfiguration(instance, dir);
    const other = await open(emptyEnv);
    await seedTenantsAndConversations(other, dir);
    await other.close();
  });
  afterAll(async () => {
    await instance.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips through a child process: export, apply to a database with the same customers, export the same file', async () => {
    const exported = cli(['export', join(dir, 'pg.yaml')], configuredEnv);
    expect(exported.err).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('Exported 3 tenants, 3 roles, 4 linked conversations and 3 rules from postgresql://');
    expect(exported.out).not.toContain('postgres:'); // the password is never shown

    const applied = cli(['apply', join(dir, 'pg.yaml')], emptyEnv);
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('Applied 11 changes');
    // The package's bin (npx soc-bridge config …) runs the same command.
    const again = cli(['config', 'export', join(dir, 'pg-again.yaml')], emptyEnv, BIN);
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'pg-again.yaml'), 'utf8')).toBe(readFileSync(join(dir, 'pg.yaml'), 'utf8'));

    const target = await open(emptyEnv);
    try {
      const audit = await target.log(AUDIT_LOG).query({ limit: 100 });
      expect(audit).toHaveLength(11);
      expect(new Set(audit.map((e) => e.actorName))).toEqual(new Set(['config apply']));
    } finally {
      await target.close();
    }
  });

  it('applies while an instance runs, which sees the change at its next refresh', async () => {
    const text = readFileSync(join(dir, 'pg.yaml'), 'utf8').replace('    severity: high\n', '    severity: high,medium\n');
    writeFileSync(join(dir, 'pg-edited.yaml'), text);
    const diff = cli(['diff', join(dir, 'pg-edited.yaml')], configuredEnv);
    expect(diff.out).toMatch(/^rules: 1 changed\n {2}~ "Contoso high" \(r[a-z0-9]{4}\): severity: high → high,medium\n$/);
    const rules = instance.collection(NOTIFICATION_RULES);
    const version = rules.version;
    const applied = cli(['apply', join(dir, 'pg-edited.yaml')], configuredEnv);
    expect(applied.code).toBe(0);
    expect(applied.out).toBe(`${diff.out}Applied 1 change to ${applied.out.match(/to (postgresql:\/\/\S+);/)?.[1]}; each is in the audit trail, by config apply.\n`);
    await instance.refresh();
    expect(rules.version).toBeGreaterThan(version);
    expect(rules.all().find((r) => r.name === 'Contoso high')?.severities).toEqual(['high', 'medium']);
    const [entry] = await instance.log(AUDIT_LOG).query({ limit: 1 });
    expect(entry).toMatchObject({ actorName: 'config apply', action: 'rule changed', tenantHandle: 'contoso', config: { before: { severity: 'high' }, after: { severity: 'high,medium' } } });
  });

  it('refuses a bad file with its line and writes nothing to the database', async () => {
    const before = await readConfigState(instance);
    const auditBefore = await instance.log(AUDIT_LOG).count({});
    const text = readFileSync(join(dir, 'pg.yaml'), 'utf8')
      .replace('name: Contoso Ltd', 'name: Contoso Group')
      .replace('conversation: 19:contoso-alerts@thread.tacv2', 'conversation: 19:unknown@thread.tacv2');
    writeFileSync(join(dir, 'pg-bad.yaml'), text);
    const run = cli(['apply', join(dir, 'pg-bad.yaml')], configuredEnv);
    expect(run.code).toBe(1);
    const line = text.split('\n').findIndex((l) => l.includes('19:unknown@thread.tacv2')) + 1;
    expect(run.err).toContain(`pg-bad.yaml:${line}: SOC Bridge is not in a conversation 19:unknown@thread.tacv2`);
    expect(run.err).toContain('Nothing was changed.');
    expect(await readConfigState(instance)).toEqual(before);
    expect(await instance.log(AUDIT_LOG).count({})).toBe(auditBefore);
  });
});
