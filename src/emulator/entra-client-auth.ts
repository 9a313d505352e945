import { X509Certificate, constants as cryptoConstants, createHash, timingSafeEqual, verify as verifySignature } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { EmulatedApp } from './entra-directory.js';

/*
 * How the emulated token endpoint authenticates apps: client secrets (in the body or HTTP Basic)
 * and certificate-signed client assertions, checked as Entra does.
 */

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How a client identified itself on the token endpoint. */
export interface ClientAuthentication {
  clientId: string | undefined;
  secret: string | undefined;
}

/** Client id and secret from the form body, or from HTTP Basic auth, which Entra also accepts. */
export function readClientAuthentication(req: IncomingMessage, params: URLSearchParams): ClientAuthentication {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  }
  return { clientId: params.get('client_id') ?? undefined, secret: params.get('client_secret') ?? undefined };
}

/** Why a client assertion is unacceptable, or undefined when it is good. */
export function checkClientAssertion(assertion: string, type: string | null, app: EmulatedApp, audiences: string[], nowSeconds: number): string | undefined {
  if (type !== JWT_BEARER) return `client_assertion_type must be ${JWT_BEARER}`;
  if (!app.certificatePem) return `no certificate is registered for app '${app.clientId}'`;
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'the client assertion is not a JWT';
  const [headerPart = '', payloadPart = '', signaturePart = ''] = parts;
  const header = parseJsonObject(headerPart);
  const claims = parseJsonObject(payloadPart);
  if (!header || !claims) return 'the client assertion is not a JWT';
  const certificate = new X509Certificate(app.certificatePem);
  const keyProblem = checkThumbprint(header, certificate);
  if (keyProblem) return keyProblem;
  if (!signatureMatches(String(header.alg), `${headerPart}.${payloadPart}`, signaturePart, certificate)) {
    return 'the client assertion signature does not match the registered certificate';
  }
  return checkAssertionClaims(claims, app.clientId, audiences, nowSeconds);
}

function checkThumbprint(header: Record<string, unknown>, certificate: X509Certificate): string | undefined {
  const sha256 = createHash('sha256').update(certificate.raw).digest('base64url');
  const sha1 = createHash('sha1').update(certificate.raw).digest('base64url');
  if (header['x5t#S256'] === sha256 || header.x5t === sha1) return undefined;
  return 'the key identifier (x5t / x5t#S256) names no registered certificate';
}

function signatureMatches(alg: string, signedText: string, signature: string, certificate: X509Certificate): boolean {
  const key = certificate.publicKey;
  const data = Buffer.from(signedText);
  const sig = Buffer.from(signature, 'base64url');
  if (alg === 'RS256') return verifySignature('sha256', data, { key, padding: cryptoConstants.RSA_PKCS1_PADDING }, sig);
  if (alg === 'PS256') {
    return verifySignature('sha256', data, { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST }, sig);
  }
  return false;
}

function checkAssertionClaims(claims: Record<string, unknown>, clientId: string, audiences: string[], nowSeconds: number): string | undefined {
  if (claims.iss !== clientId || claims.sub !== clientId) return 'iss and sub of the client assertion must be the client id';
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud.toLowerCase())) return 'the client assertion audience is not this token endpoint';
  if (typeof claims.exp !== 'number' || claims.exp <= nowSeconds) return 'the client assertion has expired';
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds + 300) return 'the client assertion is not valid yet';
  return undefined;
}

function parseJsonObject(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of a secret as given with the one registered. */
export function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
