import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';
import { BotHarness, CUSTOMERS, USERS, cardIn, cardText } from '../helpers/harness.js';
import { useTestDatabase } from '../helpers/postgres.js';

const IMPORT = join(projectRoot, 'dist', 'cli', 'import-store.js');
const CONTOSO_ID = CUSTOMERS.contoso.tenant.tenantId;
const database = useTestDatabase();

function importStore(args: string[], env: Record<string, string>) {
  const run = spawnSync(process.execPath, [IMPORT, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** What a deployment knows, as its test facade answers: the same before and after a move. */
async function stateOf(bot: BotHarness) {
  const t = bot.app.testing;
  return {
    roles: await t.roleHolders(),
    tenants: await t.tenants(),
    links: (await t.channelLinks({})).map((l) => ({ ...l, conversation: undefined })),
    rules: await t.rules(),
    audit: await t.auditTrail({}),
    soc: await t.socChannel(),
  };
}

describe('moving an embedded store into PostgreSQL', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-import-'));
  let before: Awaited<ReturnType<typeof stateOf>>;

  beforeAll(async () => {
    const bot = await BotHarness.start({ env: { DATA_DIR: dataDir } });
    await bot.say(`role grant ${USERS.analyst.aadObjectId} analyst`);
    await bot.say('link contoso', USERS.admin, { kind: 'channel', channelId: '19:contoso-alerts@thread.tacv2', channelName: 'Contoso alerts' });
    await bot.say('soc-channel', USERS.admin, { kind: 'channel', channelId: '19:soc@thread.tacv2', channelName: 'SOC' });
    await bot.say('rule add "High to Contoso" tenants:contoso severity:high to:channels');
    const alert = bot.graph.alerts(CONTOSO_ID).find((a) => a.status !== 'resolved' && !a.assignedTo)!;
    await bot.invoke('alert.assign', { tenantId: CONTOSO_ID, alertId: alert.id }, USERS.analyst);
    before = await stateOf(bot);
    await bot.stop();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('copies everything, and a bot on the database answers as the embedded one did', async () => {
    expect(before.roles.some((r) => r.userId === USERS.analyst.aadObjectId && r.role === 'analyst')).toBe(true);
    expect(before.audit).toHaveLength(1);
    expect(before.rules).toHaveLength(1);
    const run = importStore([dataDir], { DATABASE_URL: database().url, DATABASE_SSL: 'disable' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('roles: 1 record');
    expect(run.stdout).toContain('audit log: 1 entry');
    const bot = await BotHarness.start({ env: { DATABASE_URL: database().url, DATABASE_SSL: 'disable' } });
    try {
      expect(await stateOf(bot)).toEqual(before);
      const { replies } = await bot.say('rules');
      expect(cardText(cardIn(replies[0]!))).toContain('High to Contoso');
    } finally {
      await bot.stop();
    }
  });

  it('refuses to import into a database that already holds data, changing nothing', () => {
    const run = importStore([dataDir], { DATABASE_URL: database().url, DATABASE_SSL: 'disable' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('already holds SOC Bridge data');
    expect(run.stderr).toContain('nothing was copied');
  });

  it('says how to use it when DATABASE_URL or the folder is missing', () => {
    const noDatabase = importStore([dataDir], {});
    expect(noDatabase.code).toBe(2);
    expect(noDatabase.stderr).toContain('DATABASE_URL is not set');
    const noFolder = importStore([], { DATABASE_URL: database().url });
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toContain('Usage: npm run import-store -- <data folder>');
  });
});
