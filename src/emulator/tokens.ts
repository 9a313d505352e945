/**
 * Access tokens the Entra emulator issues and the Graph emulator accepts: JWTs with `alg: none`,
 * carrying the claims the real ones carry and SOC Bridge reads (`tid`, `appid`, `roles`, `exp`), and
 * the service principal's `oid`, by which the Graph emulator can tell a token issued before a revocation.
 * Only the emulators mint or trust them.
 */
export interface EmulatorTokenClaims {
  tid: string;
  appid: string;
  roles: readonly string[];
  /** Expiry, seconds since the epoch. */
  exp: number;
  iat?: number;
  aud?: string;
  /** The object id of the app's service principal in the tenant. */
  oid?: string;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mintEmulatorAccessToken(claims: EmulatorTokenClaims): string {
  const payload = { aud: 'https://graph.microsoft.com', iat: claims.exp - 3600, ...claims };
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

/** Reads the claims of an emulator token; undefined if it is not one. */
export function readEmulatorAccessToken(token: string): EmulatorTokenClaims | undefined {
  const [, payload] = token.split('.');
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<EmulatorTokenClaims>;
    if (typeof claims.tid !== 'string' || typeof claims.appid !== 'string' || !Array.isArray(claims.roles) || typeof claims.exp !== 'number') {
      return undefined;
    }
    return claims as EmulatorTokenClaims;
  } catch {
    return undefined;
  }
}
