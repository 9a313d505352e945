import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../../src/config.js';
import { describeDatabaseUrl } from '../../../src/store/postgres/database-config.js';
import { configProblems } from '../../helpers/config.js';

const REMOTE = 'postgresql://socbridge:S3cret%40pw@socbridge.postgres.database.azure.com:5432/socbridge';

/** The one problem parseConfig reports for `env`, checked never to quote the password. */
function onlyProblem(env: Record<string, string>) {
  const problems = configProblems(env);
  expect(problems).toHaveLength(1);
  expect(JSON.stringify(problems)).not.toMatch(/S3cret/);
  return problems[0]!;
}

describe('database configuration', () => {
  it('uses the embedded store when DATABASE_URL is empty', () => {
    expect(parseConfig({}, '/srv/soc').database).toEqual({ kind: 'embedded' });
    expect(parseConfig({ DATABASE_URL: ' ' }, '/srv/soc').database).toEqual({ kind: 'embedded' });
  });

  it('checks certificates by default, except on loopback', () => {
    expect(parseConfig({ DATABASE_URL: REMOTE }, '/srv/soc').database).toEqual({ kind: 'postgres', url: REMOTE, tls: 'verify-full', caFile: undefined, poolSize: 10 });
    expect(parseConfig({ DATABASE_URL: 'postgres://dev:dev@localhost:5433/socbridge' }, '/srv/soc').database).toMatchObject({ tls: 'disable' });
    expect(parseConfig({ DATABASE_URL: 'postgres://dev:dev@127.0.0.1/socbridge' }, '/srv/soc').database).toMatchObject({ tls: 'disable' });
    expect(parseConfig({ DATABASE_URL: REMOTE, DATABASE_SSL: 'require', DATABASE_POOL_SIZE: '25' }, '/srv/soc').database).toMatchObject({ tls: 'require', poolSize: 25 });
  });

  it('reads a CA file for verify-full, relative to the working folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soc-bridge-ca-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\n');
    expect(parseConfig({ DATABASE_URL: REMOTE, DATABASE_SSL_CA: 'ca.pem' }, dir).database).toMatchObject({ tls: 'verify-full', caFile: join(dir, 'ca.pem') });
    expect(onlyProblem({ DATABASE_URL: REMOTE, DATABASE_SSL_CA: 'missing.pem' })).toEqual({
      variable: 'DATABASE_SSL_CA',
      expected: 'must name a readable PEM file of certificate authorities; /srv/soc/missing.pem does not exist',
    });
    expect(onlyProblem({ DATABASE_URL: REMOTE, DATABASE_SSL: 'require', DATABASE_SSL_CA: 'ca.pem' }).expected).toContain('only used with DATABASE_SSL=verify-full (it is require)');
  });

  it('names what a bad URL lacks, never quoting it', () => {
    expect(onlyProblem({ DATABASE_URL: 'S3cret not a url' })).toEqual({
      variable: 'DATABASE_URL',
      expected: 'must be a PostgreSQL URL: postgresql://user:password@host:5432/database (URL-encode special characters in the user and password)',
    });
    expect(onlyProblem({ DATABASE_URL: 'mysql://u:S3cret@db.example/socbridge' }).expected).toMatch(/^must start with postgresql:\/\/ or postgres:\/\//);
    expect(onlyProblem({ DATABASE_URL: 'postgresql://u:S3cret@db.example' }).expected).toMatch(/^must name one database after the host/);
    expect(onlyProblem({ DATABASE_URL: 'postgresql://u:S3cret@db.example/a/b' }).expected).toMatch(/^must name one database after the host/);
    expect(onlyProblem({ DATABASE_URL: `${REMOTE}?sslmode=require` }).expected).toBe('must not carry TLS settings (sslmode); set DATABASE_SSL (and DATABASE_SSL_CA) instead');
  });

  it('refuses bad TLS modes and pool sizes, and settings without a DATABASE_URL', () => {
    expect(onlyProblem({ DATABASE_URL: REMOTE, DATABASE_SSL: 'prefer' })).toEqual({
      variable: 'DATABASE_SSL',
      expected: 'must be disable, require or verify-full (TLS with the certificate and host name checked, for Azure Database for PostgreSQL) (got "prefer")',
    });
    for (const size of ['0', '101', '2.5', 'many']) {
      expect(onlyProblem({ DATABASE_URL: REMOTE, DATABASE_POOL_SIZE: size }).expected).toContain('must be a whole number of connections between 1 and 100');
    }
    expect(onlyProblem({ DATABASE_SSL: 'require' })).toEqual({ variable: 'DATABASE_SSL', expected: 'is set but DATABASE_URL is empty; set DATABASE_URL too, or unset it for the embedded store' });
  });

  it('describes the server without the password', () => {
    expect(describeDatabaseUrl(REMOTE)).toBe('postgresql://socbridge@socbridge.postgres.database.azure.com:5432/socbridge');
    expect(describeDatabaseUrl('postgres://db.example/x')).toBe('postgres://db.example/x');
  });
});
