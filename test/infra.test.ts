import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigProblem } from '../src/errors.js';
import { projectRoot } from '../src/paths.js';
import { DATABASE_TLS_MODES, resolveDatabase } from '../src/store/postgres/database-config.js';

// infra/azure.bicep is compiled and checked only when `atk provision` deploys it; these checks keep
// the template, its parameters file and what SOC Bridge accepts in step before that.

const readText = (relative: string) => readFileSync(join(projectRoot, relative), 'utf8');
const template = readText('infra/azure.bicep');
const parametersFile = JSON.parse(readText('infra/azure.parameters.json')) as { parameters: Record<string, { value: unknown }> };
const given = parametersFile.parameters;

interface BicepParam {
  readonly type: string;
  /** The default's expression as written, if any. */
  readonly defaultText: string | undefined;
  readonly secure: boolean;
  readonly allowed: string[] | undefined;
  readonly minValue: number | undefined;
  readonly maxValue: number | undefined;
}

/** The template's `param` declarations with the decorators written directly above each. */
function bicepParams(text: string): Map<string, BicepParam> {
  const params = new Map<string, BicepParam>();
  let decorators: string[] = [];
  let openList: string | undefined;
  for (const line of text.split('\n')) {
    if (openList !== undefined) {
      openList += `\n${line}`;
      if (line.startsWith('])')) {
        decorators.push(openList);
        openList = undefined;
      }
      continue;
    }
    if (line.startsWith('@allowed([')) openList = line;
    else if (line.startsWith('@')) decorators.push(line);
    else {
      const declaration = /^param (\w+) (\w+)(?: = (.+))?$/.exec(line);
      if (declaration) {
        const allowed = decorators.find((d) => d.startsWith('@allowed('));
        const bound = (name: string) => {
          const found = decorators.map((d) => new RegExp(`^@${name}\\((\\d+)\\)$`).exec(d)).find(Boolean);
          return found ? Number(found[1]) : undefined;
        };
        params.set(declaration[1] ?? '', {
          type: declaration[2] ?? '',
          defaultText: declaration[3],
          secure: decorators.includes('@secure()'),
          allowed: allowed ? [...allowed.matchAll(/^\s+'([^']*)'$/gm)].map((m) => m[1] ?? '') : undefined,
          minValue: bound('minValue'),
          maxValue: bound('maxValue'),
        });
      }
      decorators = [];
    }
  }
  return params;
}

const params = bicepParams(template);
const param = (name: string): BicepParam => {
  const found = params.get(name);
  if (!found) throw new Error(`infra/azure.bicep declares no parameter ${name}`);
  return found;
};

describe('Azure template parameters', () => {
  it('are all given by the parameters file unless they have a default, and the file gives no others', () => {
    expect(params.size).toBeGreaterThan(10);
    const required = [...params].filter(([, p]) => p.defaultText === undefined).map(([name]) => name);
    expect(required.filter((name) => !(name in given))).toEqual([]);
    expect(Object.keys(given).filter((name) => !params.has(name))).toEqual([]);
  });

  it('get values of their declared type, within their allowed values and bounds', () => {
    const isOfType: Record<string, (value: unknown) => boolean> = {
      string: (v) => typeof v === 'string',
      int: (v) => Number.isInteger(v),
      bool: (v) => typeof v === 'boolean',
    };
    for (const [name, { value }] of Object.entries(given)) {
      const p = param(name);
      expect([name, isOfType[p.type]?.(value)]).toEqual([name, true]);
      if (p.allowed) expect(p.allowed).toContain(value);
      if (p.minValue !== undefined) expect(value).toBeGreaterThanOrEqual(p.minValue);
      if (p.maxValue !== undefined) expect(value).toBeLessThanOrEqual(p.maxValue);
    }
  });

  // The toolkit masks SECRET_* values in its logs and keeps them in the uncommitted .env.<env>.user.
  it('take every secure value, and only those, from a SECRET_ placeholder', () => {
    const secretPlaceholder = /^\$\{\{SECRET_[A-Z0-9_]+\}\}$/;
    const secureGiven = Object.keys(given).filter((name) => param(name).secure);
    expect(secureGiven).toEqual(expect.arrayContaining(['botAadAppClientSecret', 'postgresAdminPassword']));
    for (const [name, { value }] of Object.entries(given)) {
      expect([name, secretPlaceholder.test(String(value))]).toEqual([name, param(name).secure]);
    }
  });

  it('default to one instance on the embedded store, in the template and in the parameters file', () => {
    expect([param('instanceCount').defaultText, param('postgresEnabled').defaultText]).toEqual(['1', 'false']);
    expect([given.instanceCount?.value, given.postgresEnabled?.value]).toEqual([1, false]);
  });

  it('offer PostgreSQL 17 by default on a stable Flexible Server API version that lists it', () => {
    expect(param('postgresVersion').defaultText).toBe("'17'");
    expect(param('postgresVersion').allowed).toEqual(['16', '17']);
    const apiVersions = [...template.matchAll(/'Microsoft\.DBforPostgreSQL\/flexibleServers[^@']*@([^']+)'/g)].map((m) => m[1]);
    // 2025-08-01 is the first stable version whose PostgresMajorVersion lists 17 (2024-08-01 stops at 16).
    expect(apiVersions).toEqual(['2025-08-01', '2025-08-01', '2025-08-01', '2025-08-01']);
  });
});

describe('Azure template runtime', () => {
  it('runs the Web App on the oldest Node.js line package.json supports, never the end-of-life Node 20', () => {
    const engines = (JSON.parse(readText('package.json')) as { engines: { node: string } }).engines.node;
    const lines = [...engines.matchAll(/\^(\d+)\.\d+\.\d+/g)].map((m) => Number(m[1]));
    expect(engines).toMatch(/^\^\d+\.\d+\.\d+( \|\| \^\d+\.\d+\.\d+)*$/);
    expect(lines).not.toContain(20);
    expect(template).toMatch(new RegExp(`^ {6}linuxFxVersion: 'NODE\\|${Math.min(...lines)}-lts'$`, 'm'));
  });
});

describe('Azure template, operator of the deployment', () => {
  it('passes the operator named on the about, privacy and terms pages to the Web App, "none" leaving it out', () => {
    expect(given.operatorName?.value).toBe('${{OPERATOR_NAME}}');
    expect(given.operatorContact?.value).toBe('${{OPERATOR_CONTACT}}');
    expect(param('operatorName')).toMatchObject({ type: 'string', defaultText: "'none'" });
    expect(template).toContain("empty(operatorName) || toLower(operatorName) == 'none' ? {} : { OPERATOR_NAME: operatorName }");
    expect(template).toContain("empty(operatorContact) || toLower(operatorContact) == 'none' ? {} : { OPERATOR_CONTACT: operatorContact }");
  });
});

describe('Azure template with PostgreSQL', () => {
  const settingsBlock = /^var databaseSettings = \{\n([\s\S]*?)\n\}$/m.exec(template)?.[1] ?? '';
  const setting = (name: string) => new RegExp(`^\\s+${name}: '(.*)'$`, 'm').exec(settingsBlock)?.[1];
  const databaseName = /^var databaseName = '([^']+)'$/m.exec(template)?.[1];

  /**
   * The DATABASE_URL the template writes for a login and password, with ARM's uriComponent
   * (RFC 3986 escaping) played by encodeURIComponent, which leaves a few more characters alone.
   */
  function renderDatabaseUrl(login: string, password: string, host: string): string {
    const values: Record<string, string> = {
      'uriComponent(postgresAdminLogin)': encodeURIComponent(login),
      'uriComponent(postgresAdminPassword)': encodeURIComponent(password),
      'postgres.properties.fullyQualifiedDomainName': host,
      databaseName: databaseName ?? '',
    };
    return (setting('DATABASE_URL') ?? '').replace(/\$\{([^}]+)\}/g, (_all, expression: string) => {
      const value = values[expression];
      if (value === undefined) throw new Error(`DATABASE_URL uses \${${expression}}, which this test does not know`);
      return value;
    });
  }

  it('creates the database socbridge on a server that refuses plain connections', () => {
    expect(databaseName).toBe('socbridge');
    expect(template).toMatch(/^resource postgresDatabase '[^']+' = if \(postgresEnabled\) \{\n {2}parent: postgres\n {2}name: databaseName\n/m);
    expect(template).toMatch(/^ {2}name: 'require_secure_transport'\n {2}properties: \{\n {4}value: 'on'\n/m);
    expect(template).toMatch(/^ {4}startIpAddress: '0\.0\.0\.0'\n {4}endIpAddress: '0\.0\.0\.0'\n/m);
  });

  it('gives the Web App a DATABASE_URL that SOC Bridge accepts, whatever the password holds', () => {
    const login = 'soc admin';
    const password = 'p@ss:w/rd#?%&+ é';
    const url = renderDatabaseUrl(login, password, 'socbridgeabc-db.postgres.database.azure.com');
    const problems: ConfigProblem[] = [];
    const config = resolveDatabase({ DATABASE_URL: url, DATABASE_SSL: 'verify-full' }, projectRoot, problems);
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ kind: 'postgres', url, tls: 'verify-full' });
    const parsed = new URL(url);
    expect([decodeURIComponent(parsed.username), decodeURIComponent(parsed.password)]).toEqual([login, password]);
    expect([parsed.hostname, parsed.port, parsed.pathname]).toEqual(['socbridgeabc-db.postgres.database.azure.com', '5432', '/socbridge']);
  });

  it('checks the server certificate and host name, and sets the database only with postgresEnabled', () => {
    expect(DATABASE_TLS_MODES).toContain(setting('DATABASE_SSL'));
    expect(setting('DATABASE_SSL')).toBe('verify-full');
    expect(template).toMatch(/^ {2}properties: union\(coreSettings, operatorSettings, defenderConfigured \? defenderSettings : \{\}, postgresEnabled \? databaseSettings : \{\}\)$/m);
  });

  it('runs instanceCount instances with no session affinity, health-checked on /readyz when more than one', () => {
    expect(param('instanceCount')).toMatchObject({ type: 'int', minValue: 1 });
    expect(template).toMatch(/^ {4}capacity: instanceCount$/m);
    expect(template).toMatch(/^ {4}clientAffinityEnabled: false$/m);
    expect(template).toMatch(/^ {6}healthCheckPath: instanceCount > 1 \? '\/readyz' : '\/healthz'$/m);
    const server = readText('src/server.ts');
    for (const path of ['/readyz', '/healthz']) expect(server).toContain(`server.get('${path}'`);
  });
});
