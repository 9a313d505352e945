import type { DatabaseConfig } from './database-config.js';

type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

const UNREACHABLE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);
const CERTIFICATE_REFUSED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * One sentence saying why connecting to PostgreSQL failed and what to check, for the operator
 * reading start-up output. It names the host, port, user and database, never the password.
 */
export function describeConnectionFailure(error: unknown, config: PostgresConfig, timeoutMs: number): string {
  const url = new URL(config.url);
  const where = `${url.hostname}:${url.port || '5432'}`;
  // Both decode: the configuration refuses a URL whose escapes do not.
  const user = decodeURIComponent(url.username) || '(the default user)';
  const database = decodeURIComponent(url.pathname.slice(1));
  const code = String((error as { code?: unknown }).code ?? '');
  const message = scrubPassword(error instanceof Error ? error.message : String(error), config.url);

  if (code === 'ECONNREFUSED') return `Cannot reach PostgreSQL at ${where}: the connection was refused; check that the server runs and listens there (DATABASE_URL).`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `Cannot reach PostgreSQL: the host name ${url.hostname} in DATABASE_URL does not resolve.`;
  if (UNREACHABLE.has(code) || /timeout/i.test(message)) {
    return `Cannot reach PostgreSQL at ${where}: no answer within ${timeoutMs / 1000} s; check the host, the port and the server's firewall rules.`;
  }
  if (code === '28P01') return `PostgreSQL at ${where} refused the password of user "${user}" (DATABASE_URL).`;
  if (code === '3D000') return `The database "${database}" does not exist on PostgreSQL at ${where}: create it or fix DATABASE_URL.`;
  if (code === '28000') {
    const hint = /no encryption/i.test(message) ? '; the server wants TLS, so set DATABASE_SSL=verify-full' : '';
    return `PostgreSQL at ${where} refused user "${user}": ${message}${hint}.`;
  }
  if (/does not support SSL/i.test(message)) {
    return `PostgreSQL at ${where} does not offer TLS, which DATABASE_SSL=${config.tls} asks for; set DATABASE_SSL=disable only if the network to it is private.`;
  }
  if (CERTIFICATE_REFUSED.has(code)) {
    return `PostgreSQL at ${where} presented a TLS certificate that was not accepted (${code}); give the certificate authority that signed it in DATABASE_SSL_CA, or check the host name in DATABASE_URL.`;
  }
  return `Cannot connect to PostgreSQL at ${where} as "${user}", database "${database}": ${message}${code ? ` (${code})` : ''}.`;
}

/** `text` with the password of `url` (as written and decoded) replaced, for anything that may be shown or logged. */
export function scrubPassword(text: string, url: string): string {
  let secrets: string[];
  try {
    const password = new URL(url).password;
    secrets = password === '' ? [] : [password, decodeURIComponent(password)];
  } catch {
    return text;
  }
  return secrets.reduce((scrubbed, secret) => scrubbed.split(secret).join('***'), text);
}
