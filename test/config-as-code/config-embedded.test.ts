import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUDIT_LOG } from '../../src/audit/audit-schema.js';
import { STORE_FILE_NAME, EmbeddedStorage } from '../../src/store/embedded/embedded-storage.js';
import { CHANNELS, configCommand, sandboxEnv, seedConfiguration, seedTenantsAndConversations, tempDataDir, USERS } from './fixture.js';

/** A store as a deployment that has been used for a while holds it. */
async function configuredStore(): Promise<string> {
  const dir = tempDataDir();
  const storage = await EmbeddedStorage.open(dir);
  await seedTenantsAndConversations(storage, dir);
  await seedConfiguration(storage, dir);
  await storage.close();
  return dir;
}

/** A store with the same customers and conversations, and nothing configured yet. */
async function emptyStore(): Promise<string> {
  const dir = tempDataDir();
  const storage = await EmbeddedStorage.open(dir);
  await seedTenantsAndConversations(storage, dir);
  await storage.close();
  return dir;
}

async function auditOf(dir: string) {
  const storage = await EmbeddedStorage.open(dir);
  try {
    return await storage.log(AUDIT_LOG).query({ limit: 1000 });
  } finally {
    await storage.close();
  }
}

/** The 1-based line of the first line of `text` containing `fragment`. */
function lineOf(text: string, fragment: string): number {
  const index = text.split('\n').findIndex((line) => line.includes(fragment));
  if (index === -1) throw new Error(`"${fragment}" is not in the file`);
  return index + 1;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('config export and apply on the embedded store', () => {
  let source: string;
  let exported: string;

  beforeAll(async () => {
    source = await configuredStore();
    dirs.push(source);
    const run = await configCommand(['export', join(source, 'soc-bridge.yaml')], sandboxEnv(source));
    expect(run).toEqual({ code: 0, out: expect.stringContaining('Exported 3 tenants, 3 roles, 4 linked conversations and 3 rules'), err: '' });
    exported = readFileSync(join(source, 'soc-bridge.yaml'), 'utf8');
  });

  it('writes what chat configured, in the keys and values of chat, with the channel names for people', () => {
    expect(exported).toContain('    name: SOC › shared\n    tenants: contoso,fabrikam\n');
    expect(exported).toMatch(/ {4}name: Servers\n {4}except: northwind\n {4}severity: high,medium\n {4}groups: Servers,"Finance, laptops"\n {4}to: 19:soc-shared@thread.tacv2\n {4}include: org,link\n/);
    expect(exported).toContain('    tenant: contoso\n');
    // Bootstrap admins are configuration (SOC_ADMIN_IDS), and tenants carry no secret.
    expect(exported).not.toContain('aaaaaaaa-0000');
    expect(exported).not.toMatch(/secret|password|writeAccess/i);
  });

  it('round-trips: applied to a store with the same customers and conversations, it exports the same file', async () => {
    const target = await emptyStore();
    dirs.push(target);
    writeFileSync(join(target, 'in.yaml'), exported);
    const applied = await configCommand(['apply', join(target, 'in.yaml')], sandboxEnv(target));
    expect(applied.err).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.out).toContain('roles: 3 added\n');
    expect(applied.out).toContain('links: 5 added\n');
    expect(applied.out).toContain('rules: 3 added\n');
    expect(applied.out).toContain('Applied 11 changes');
    const again = await configCommand(['export', join(target, 'out.yaml')], sandboxEnv(target));
    expect(again.code).toBe(0);
    expect(readFileSync(join(target, 'out.yaml'), 'utf8')).toBe(exported);
    const audit = await auditOf(target);
    expect(audit).toHaveLength(11);
    expect(audit.every((e) => e.actorName === 'config apply' && e.outcome === 'done' && e.detail === 'from in.yaml')).toBe(true);
    const rule = audit.find((e) => e.action === 'rule added' && e.config?.label.startsWith('"Contoso high"'));
    expect(rule?.config?.before).toBeUndefined();
    expect(rule?.config?.after).toMatchObject({ tenants: 'contoso', severity: 'high', to: 'channels,soc@mssp.example' });
    expect(rule?.tenantHandle).toBe('contoso');
    // Applying the same file again changes nothing and audits nothing.
    const same = await configCommand(['apply', join(target, 'in.yaml')], sandboxEnv(target));
    expect(same).toEqual({ code: 0, out: 'No changes: the store already matches the file.\n', err: '' });
    expect(await auditOf(target)).toHaveLength(11);
  });

  it('reads and writes JSON as well', async () => {
    const target = await emptyStore();
    dirs.push(target);
    expect((await configCommand(['export', join(source, 'soc-bridge.json')], sandboxEnv(source))).code).toBe(0);
    const json = readFileSync(join(source, 'soc-bridge.json'), 'utf8');
    expect(JSON.parse(json)).toMatchObject({ version: 1, rules: [{ name: 'Contoso high' }, { name: 'Servers' }, { name: 'Quiet ones' }] });
    expect((await configCommand(['apply', join(source, 'soc-bridge.json')], sandboxEnv(target))).code).toBe(0);
    expect((await configCommand(['export', join(target, 'out.json')], sandboxEnv(target))).code).toBe(0);
    expect(readFileSync(join(target, 'out.json'), 'utf8')).toBe(json);
  });

  it('diff shows exactly what apply changes; removals need --prune, and without it nothing is written', async () => {
    const dir = await configuredStore();
    dirs.push(dir);
    expect((await configCommand(['export', join(dir, 'own.yaml')], sandboxEnv(dir))).code).toBe(0);
    const edited = readFileSync(join(dir, 'own.yaml'), 'utf8')
      .replace('name: Contoso Ltd', 'name: Contoso Group')
      .replace('handle: northwind', 'handle: northwind-traders')
      .replace('tenants: northwind\n', 'tenants: northwind-traders\n')
      .replace(/ {2}- user: cccccccc[^\n]*\n {4}role: viewer\n/, '')
      .replace('    tenants: contoso\n    severity: high\n', '    tenants: contoso\n    severity: high,medium\n')
      .replace('    name: SOC › fabrikamAlerts\n    tenants: fabrikam\n', '    name: SOC › fabrikamAlerts\n    tenants: fabrikam,northwind-traders\n')
      .replace('except: northwind\n', 'except: northwind-traders\n')
      .concat('  - name: Northwind to its chat\n    tenants: northwind-traders\n    to: 19:meeting-soc-leads@thread.v2\n');
    const file = join(dir, 'edited.yaml');
    writeFileSync(file, edited);
    const diff = await configCommand(['diff', file], sandboxEnv(dir));
    expect(diff.err).toBe('');
    expect(diff.code).toBe(0);
    const newRule = /"Northwind to its chat" \((r[a-z0-9]{4})\)/.exec(diff.out)?.[1];
    expect(newRule).toBeDefined();
    const expected = [
      'tenants: 2 changed',
      '  ~ contoso (11111111-1111-4111-8111-111111111111): name: Contoso Ltd → Contoso Group',
      '  ~ northwind-traders (33333333-3333-4333-8333-333333333333): handle: northwind → northwind-traders',
      'roles: 1 removed',
      `  - ${USERS.viewer}: role: viewer`,
      'links: 1 added',
      '  + SOC › fabrikamAlerts (19:fabrikam-alerts@thread.tacv2): tenant: northwind-traders',
      'rules: 1 added, 1 changed',
      expect.stringMatching(/^ {2}~ "Contoso high" \(r[a-z0-9]{4}\): severity: high → high,medium$/),
      `  + "Northwind to its chat" (${newRule}): name: Northwind to its chat; tenants: northwind-traders; severity: high,medium; to: 19:meeting-soc-leads@thread.v2; include: org,link,devices; group: incident; enabled: true`,
      'apply removes the 1 entry marked "-" only with --prune; without it, apply refuses this file and changes nothing.',
      '',
    ];
    expect(diff.out.split('\n')).toEqual(expected);

    const before = readFileSync(join(dir, STORE_FILE_NAME), 'utf8');
    const refused = await configCommand(['apply', file], sandboxEnv(dir));
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`edited.yaml leaves out 1 entry the store holds (roles: ${USERS.viewer}), and apply removes entries only with --prune.`);
    expect(refused.err).toContain('Nothing was changed.');
    expect(readFileSync(join(dir, STORE_FILE_NAME), 'utf8')).toBe(before);
    expect(await auditOf(dir)).toHaveLength(0);

    const applied = await configCommand(['apply', file, '--prune'], sandboxEnv(dir));
    expect(applied.code).toBe(0);
    expect(applied.out).toBe(`${diff.out.split('\n').slice(0, -2).join('\n')}\nApplied 6 changes to ${dir}; each is in the audit trail, by config apply.\n`);
    expect((await configCommand(['diff', file], sandboxEnv(dir))).out).toBe('No changes: the store already matches the file.\n');
    const audit = await auditOf(dir);
    expect(audit.map((e) => e.action).sort()).toEqual(['link added', 'role removed', 'rule added', 'rule changed', 'tenant changed', 'tenant changed']);
    expect(audit.find((e) => e.action === 'rule changed')?.config).toMatchObject({ before: { severity: 'high' }, after: { severity: 'high,medium' } });
    expect(audit.find((e) => e.action === 'role removed')?.config).toEqual({ section: 'roles', key: USERS.viewer, label: USERS.viewer, before: { role: 'viewer' } });
  });
});
