import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigProblem } from '../../errors.js';

/**
 * How the connection to PostgreSQL is encrypted: `disable` (plain, loopback or a private network
 * only), `require` (TLS without checking the certificate), `verify-full` (TLS, certificate chain
 * and host name checked; what Azure Database for PostgreSQL Flexible Server should get).
 */
export const DATABASE_TLS_MODES = ['disable', 'require', 'verify-full'] as const;
export type DatabaseTls = (typeof DATABASE_TLS_MODES)[number];

/** Where SOC Bridge keeps its state: the embedded store in DATA_DIR, or a PostgreSQL database. */
export type DatabaseConfig =
  | { readonly kind: 'embedded' }
  | {
      readonly kind: 'postgres';
      /** The connection URL; it may hold the password, so it is never logged or shown (see `describeDatabaseUrl`). */
      readonly url: string;
      readonly tls: DatabaseTls;
      /** PEM file of the certificate authorities to trust instead of Node's, with `verify-full`. */
      readonly caFile: string | undefined;
      readonly poolSize: number;
    };

export const DEFAULT_POOL_SIZE = 10;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
// Set through DATABASE_SSL and DATABASE_SSL_CA only: pg lets URL parameters override its options.
const TLS_URL_PARAMETERS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslcompat'];
const URL_SHAPE = 'postgresql://user:password@host:5432/database (URL-encode special characters in the user and password)';

interface DatabaseVars {
  DATABASE_URL?: string | undefined;
  DATABASE_SSL?: DatabaseTls | undefined;
  DATABASE_SSL_CA?: string | undefined;
  DATABASE_POOL_SIZE?: number | undefined;
}

/**
 * The DATABASE_* variables (already syntax-checked) into a DatabaseConfig. Problems never quote
 * DATABASE_URL, which may hold a password.
 */
export function resolveDatabase(vars: DatabaseVars, cwd: string, problems: ConfigProblem[]): DatabaseConfig {
  if (!vars.DATABASE_URL) {
    for (const name of ['DATABASE_SSL', 'DATABASE_SSL_CA', 'DATABASE_POOL_SIZE'] as const) {
      if (vars[name] !== undefined) problems.push({ variable: name, expected: 'is set but DATABASE_URL is empty; set DATABASE_URL too, or unset it for the embedded store' });
    }
    return { kind: 'embedded' };
  }
  const url = parseDatabaseUrl(vars.DATABASE_URL, problems);
  const tls = vars.DATABASE_SSL ?? (url && LOOPBACK_HOSTS.has(url.hostname) ? 'disable' : 'verify-full');
  let caFile: string | undefined;
  if (vars.DATABASE_SSL_CA !== undefined) {
    caFile = resolve(cwd, vars.DATABASE_SSL_CA);
    if (tls !== 'verify-full') {
      problems.push({ variable: 'DATABASE_SSL_CA', expected: `is only used with DATABASE_SSL=verify-full (it is ${tls}); set DATABASE_SSL=verify-full, or unset DATABASE_SSL_CA` });
    } else if (!existsSync(caFile)) {
      problems.push({ variable: 'DATABASE_SSL_CA', expected: `must name a readable PEM file of certificate authorities; ${caFile} does not exist` });
    }
  }
  return { kind: 'postgres', url: vars.DATABASE_URL, tls, caFile, poolSize: vars.DATABASE_POOL_SIZE ?? DEFAULT_POOL_SIZE };
}

function parseDatabaseUrl(text: string, problems: ConfigProblem[]): URL | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push({ variable: 'DATABASE_URL', expected: `must be a PostgreSQL URL: ${URL_SHAPE}` });
    return undefined;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    problems.push({ variable: 'DATABASE_URL', expected: `must start with postgresql:// or postgres://, as in ${URL_SHAPE}` });
  } else if (url.hostname === '') {
    problems.push({ variable: 'DATABASE_URL', expected: `must name the server's host, as in ${URL_SHAPE}` });
  } else if (!/^\/[^/]+$/.test(url.pathname)) {
    problems.push({ variable: 'DATABASE_URL', expected: `must name one database after the host, as in ${URL_SHAPE}` });
  }
  if (![url.username, url.password, url.pathname].every(decodes)) {
    problems.push({ variable: 'DATABASE_URL', expected: `has a broken %-escape; URL-encode special characters in the user, password and database, as in ${URL_SHAPE}` });
  }
  const tlsParameters = TLS_URL_PARAMETERS.filter((name) => url.searchParams.has(name));
  if (tlsParameters.length > 0) {
    problems.push({ variable: 'DATABASE_URL', expected: `must not carry TLS settings (${tlsParameters.join(', ')}); set DATABASE_SSL (and DATABASE_SSL_CA) instead` });
  }
  return url;
}

function decodes(part: string): boolean {
  try {
    decodeURIComponent(part);
    return true;
  } catch {
    return false;
  }
}

/** The URL without its password, for messages and logs: `postgresql://user@host:5432/database`. */
export function describeDatabaseUrl(text: string): string {
  try {
    const url = new URL(text);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return 'the server in DATABASE_URL';
  }
}
