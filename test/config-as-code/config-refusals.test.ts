import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOTIFICATION_RULES } from '../../src/routing/store-schema.js';
import { EmbeddedStorage, STORE_FILE_NAME } from '../../src/store/embedded/embedded-storage.js';
import { configCommand, sandboxEnv, seedConfiguration, seedTenantsAndConversations, tempDataDir } from './fixture.js';

let dir: string;
let exported: string;

beforeAll(async () => {
  dir = tempDataDir();
  const storage = await EmbeddedStorage.open(dir);
  await seedTenantsAndConversations(storage, dir);
  await seedConfiguration(storage, dir);
  await storage.close();
  expect((await configCommand(['export', join(dir, 'exported.yaml')], sandboxEnv(dir))).code).toBe(0);
  exported = readFileSync(join(dir, 'exported.yaml'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The 1-based line of the `nth` line of `text` containing `fragment`. */
function lineOf(text: string, fragment: string, nth = 1): number {
  let seen = 0;
  const index = text.split('\n').findIndex((line) => line.includes(fragment) && ++seen === nth);
  if (index === -1) throw new Error(`"${fragment}" is not in the file`);
  return index + 1;
}

/** Applies `text` as bad.yaml (or bad.json), expecting a refusal that changes nothing. */
async function refused(text: string, name = 'bad.yaml'): Promise<string> {
  const storeBefore = readFileSync(join(dir, STORE_FILE_NAME), 'utf8');
  writeFileSync(join(dir, name), text);
  const diff = await configCommand(['diff', join(dir, name)], sandboxEnv(dir));
  const apply = await configCommand(['apply', join(dir, name), '--prune'], sandboxEnv(dir));
  expect(diff.code).toBe(1);
  expect(apply.code).toBe(1);
  expect(apply.out).toBe('');
  expect(apply.err).toBe(diff.err);
  expect(apply.err.endsWith('Nothing was changed.\n')).toBe(true);
  expect(readFileSync(join(dir, STORE_FILE_NAME), 'utf8')).toBe(storeBefore);
  expect(existsSync(join(dir, 'audit.jsonl'))).toBe(false);
  return apply.err;
}

describe('config apply refuses a bad file with its line numbers, and writes nothing', () => {
  it('an unknown tenant, with the nearest handle', async () => {
    const text = exported.replace('    tenant: contoso\n', '    tenant: contosso\n');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, 'tenant: contosso')}: tenant: there is no customer tenant "contosso". Did you mean "contoso"? Known tenants: contoso, fabrikam, northwind.`);
  });

  it('a tenant id SOC Bridge does not serve', async () => {
    const text = exported.replace('tenantId: 22222222-2222-4222-8222-222222222222', 'tenantId: 99999999-2222-4222-8222-222222222222');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, '99999999-')}: there is no customer tenant 99999999-2222-4222-8222-222222222222. A file names customers SOC Bridge already serves: add a new one with "onboard" in chat first.`);
  });

  it('an unknown conversation', async () => {
    const text = exported.replace('conversation: 19:fabrikam-alerts@thread.tacv2', 'conversation: 19:fabrikam-alarms@thread.tacv2');
    const err = await refused(text);
    expect(err).toContain(`bad.yaml:${lineOf(text, 'fabrikam-alarms')}: SOC Bridge is not in a conversation 19:fabrikam-alarms@thread.tacv2: add it to that channel or group chat first, or check the id`);
  });

  it('a personal chat as an alert channel', async () => {
    const text = exported.replace('conversation: 19:fabrikam-alerts@thread.tacv2', 'conversation: a:personal-chat-of-alex');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, 'a:personal-chat')}: a:personal-chat-of-alex is a personal chat; alerts go to Teams channels and group chats.`);
  });

  it('a rule chat would refuse, with the same words as chat', async () => {
    const text = exported.replace('    severity: high\n', '    severity: urgent\n');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, 'severity: urgent')}: severity: "urgent" is not a severity. Use one or more of: high, medium, low, informational`);
  });

  it('a rule sending to a channel not linked to the customers it covers (checked against the links of the file)', async () => {
    const text = exported.replace('    name: SOC › shared\n    tenants: contoso,fabrikam\n', '    name: SOC › shared\n    tenants: northwind\n');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, 'to: 19:soc-shared')}: to: SOC › shared is not linked to `);
    expect(await refused(text)).toContain('and alerts only go to conversations linked to their customer.');
  });

  it('"here", which a file has not', async () => {
    const text = exported.replace('to: 19:soc-shared@thread.tacv2', 'to: here');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, 'to: here')}: to: "here" means the conversation a chat command is typed in, and a file has none`);
  });

  it('YAML syntax errors', async () => {
    const nested = exported.replace('    name: Contoso high\n', '    name: Contoso: high\n');
    expect(await refused(nested)).toBe(`bad.yaml:${lineOf(nested, 'name: Contoso: high')}: not valid YAML or JSON: Nested mappings are not allowed in compact mappings\nNothing was changed.\n`);
    const twice = exported.replace('    severity: high\n', '    severity: high\n    severity: medium\n');
    expect(await refused(twice)).toBe(`bad.yaml:${lineOf(twice, 'severity: medium')}: not valid YAML or JSON: Map keys must be unique\nNothing was changed.\n`);
  });

  it('a key that is not one (a typo), naming the keys there are', async () => {
    const text = exported.replace('    severity: high\n', '    severty: high\n');
    expect(await refused(text)).toContain(`bad.yaml:${lineOf(text, 'severty')}: rules[0]: "severty" is not a key here. Keys: id, name, tenants, except, severity, groups, source, detection, category, title, to, mode, include, group, notify, enabled, escalate, escalate-to.`);
  });

  it('a bad handle, a duplicate role and a bootstrap admin, all at once', async () => {
    const text = exported
      .replace('handle: fabrikam', 'handle: Fabrikam Inc')
      .replace('  - user: cccccccc-0000-4000-8000-000000000003\n', '  - user: bbbbbbbb-0000-4000-8000-000000000002\n')
      .replace('roles:\n', 'roles:\n  - user: aaaaaaaa-0000-4000-8000-000000000001\n    role: admin\n');
    const err = await refused(text);
    expect(err).toContain(`bad.yaml:${lineOf(text, 'handle: Fabrikam Inc')}: tenants[1].handle: must be 1 to 40 lower-case letters, digits and dashes`);
    // Schema problems stop the check before the store is read: fixed, the rest is reported.
    const fixed = text.replace('handle: Fabrikam Inc', 'handle: fabrikam');
    const rest = await refused(fixed);
    expect(rest).toContain(`bad.yaml:${lineOf(fixed, 'aaaaaaaa-')}: aaaaaaaa-0000-4000-8000-000000000001 is a bootstrap admin from the SOC_ADMIN_IDS setting`);
    expect(rest).toContain(`bad.yaml:${lineOf(fixed, 'bbbbbbbb-', 2)}: user bbbbbbbb-0000-4000-8000-000000000002 is listed twice; a user has one role.`);
  });

  it('a JSON file, with the line of the problem', async () => {
    writeFileSync(join(dir, 'exported.json'), '');
    expect((await configCommand(['export', join(dir, 'exported.json')], sandboxEnv(dir))).code).toBe(0);
    const text = readFileSync(join(dir, 'exported.json'), 'utf8').replace('"severity": "high"', '"severity": "highest"');
    expect(await refused(text, 'bad.json')).toContain(`bad.json:${lineOf(text, '"highest"')}: severity: "highest" is not a severity.`);
  });

  it('a file of good changes with one bad entry: none of them is made', async () => {
    const text = exported
      .replace('name: Contoso Ltd', 'name: Contoso Group')
      .replace('    role: viewer\n', '    role: analyst\n')
      .replace('    name: SOC › fabrikamAlerts\n    tenants: fabrikam\n', '    name: SOC › fabrikamAlerts\n    tenants: fabrikam,northwind\n')
      .concat('  - name: Last one\n    tenants: nowhere\n');
    expect(await refused(text)).toBe(`bad.yaml:${lineOf(text, 'tenants: nowhere')}: tenants: there is no customer tenant "nowhere". Known tenants: contoso, fabrikam, northwind.\nNothing was changed.\n`);
  });

  it('an empty file, a missing file and bad arguments', async () => {
    expect(await refused('')).toContain('bad.yaml: the file is empty: it needs "version: 1"');
    expect(await refused('version: 2\n')).toContain('bad.yaml:1: version: must be 1');
    const missing = await configCommand(['apply', join(dir, 'missing.yaml')], sandboxEnv(dir));
    expect(missing).toEqual({ code: 1, out: '', err: `Cannot read ${join(dir, 'missing.yaml')}: there is no such file.\nNothing was changed.\n` });
    const usage = await configCommand(['apply'], sandboxEnv(dir));
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('config apply takes one file.\nUsage: npm run config -- <command> <file> [--prune]');
    expect((await configCommand(['import', 'x.yaml'], sandboxEnv(dir))).err).toContain('"import" is not a config command.');
  });
});

describe('config on the embedded store while SOC Bridge runs on it', () => {
  it('reads a snapshot that refuses every write, and says when DATA_DIR holds no store', async () => {
    const snapshot = await EmbeddedStorage.openReadOnly(dir);
    try {
      const rules = snapshot.collection(NOTIFICATION_RULES);
      expect(rules.all()).toHaveLength(3);
      await expect(rules.write((draft) => draft.delete(rules.all()[0]!.id))).rejects.toThrow(`The store in ${dir} was opened read only; the change was not made.`);
    } finally {
      await snapshot.close();
    }
    const nowhere = join(dir, 'not-a-data-folder');
    const run = await configCommand(['export', join(dir, 'x.yaml')], sandboxEnv(nowhere));
    expect(run).toEqual({ code: 1, out: '', err: `There is no SOC Bridge store in ${nowhere} (no soc-bridge.json): check DATA_DIR.\n` });
    expect(existsSync(nowhere)).toBe(false);
  });

  it('export and diff read it; apply says it cannot write while SOC Bridge runs', async () => {
    const running = await EmbeddedStorage.open(dir);
    try {
      const file = join(dir, 'while-running.yaml');
      const exportRun = await configCommand(['export', file], sandboxEnv(dir));
      expect(exportRun.code).toBe(0);
      expect(readFileSync(file, 'utf8')).toBe(exported);
      writeFileSync(file, exported.replace('name: Contoso Ltd', 'name: Contoso Group'));
      const diff = await configCommand(['diff', file], sandboxEnv(dir));
      expect(diff.out).toContain('~ contoso (11111111-1111-4111-8111-111111111111): name: Contoso Ltd → Contoso Group');
      const apply = await configCommand(['apply', file], sandboxEnv(dir));
      expect(apply.code).toBe(1);
      expect(apply.err).toBe(
        `SOC Bridge is running on the data folder ${dir}, and the embedded store serves one process: config apply cannot write while it runs. Stop SOC Bridge, apply, and start it again (export and diff work while it runs). On PostgreSQL (DATABASE_URL) apply works while SOC Bridge runs.\nNothing was changed.\n`,
      );
    } finally {
      await running.close();
    }
  });
});
