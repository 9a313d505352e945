import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson, startLoopbackServer, type RunningServer, type TlsMaterial } from '../../src/emulator/http-kit.js';

/** The issuer the Bot Framework channel service puts on the tokens it sends to bots. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** An RSA signing key and the id its JWKS entry carries. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function generateSigningKey(kid: string = randomUUID()): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

/** The claims the channel service sends (times in seconds since the epoch). */
export interface ChannelTokenClaims {
  iss?: string;
  aud?: string;
  serviceurl?: string;
  nbf?: number;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

/**
 * Claims of a token as the Bot Framework channel signs it for `appId`, valid from five minutes ago
 * for an hour. botbuilder compares `serviceurl` byte for byte with the activity's serviceUrl.
 */
export function channelClaims(appId: string, serviceUrl: string, nowSeconds = Math.floor(Date.now() / 1000)): ChannelTokenClaims {
  return { iss: BOT_FRAMEWORK_ISSUER, aud: appId, serviceurl: serviceUrl, nbf: nowSeconds - 300, iat: nowSeconds - 300, exp: nowSeconds + 3600 };
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `claims` as an RS256 JWT with `key`, naming `kid` in the header (the key's own by default). */
export function signToken(claims: ChannelTokenClaims, key: SigningKey, { kid = key.kid }: { kid?: string } = {}): string {
  const input = `${base64url({ alg: 'RS256', typ: 'JWT', kid })}.${base64url(claims)}`;
  // For an RSA key node:crypto signs with PKCS#1 v1.5, which is exactly what RS256 means.
  const signature = sign('sha256', Buffer.from(input), key.privateKey).toString('base64url');
  return `${input}.${signature}`;
}

/** An `alg: none` token: claims that look right, no signature at all. */
export function unsignedToken(claims: ChannelTokenClaims, { kid }: { kid?: string } = {}): string {
  return `${base64url({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${base64url(claims)}.`;
}

/**
 * The Bot Framework's token issuer on loopback: an OpenID configuration and a JWKS holding one RSA
 * key endorsed for `msteams`, as https://login.botframework.com/v1/.well-known/openidconfiguration
 * publishes them. Served over HTTPS because the app's configuration only accepts an https metadata
 * URL (botframework-connector itself fetches whatever URL it is given, with node-fetch).
 *
 * botframework-connector caches the metadata per URL in a static map for 24 hours, so every
 * issuer serves under a fresh random path: a second issuer never hits another one's cached keys.
 */
export class BotTokenIssuer {
  /** Paths requested so far, to show the bot really fetched the metadata and keys from here. */
  readonly requests: string[] = [];
  readonly key: SigningKey;
  private readonly prefix = `/${randomUUID()}`;

  private constructor(
    private readonly server: RunningServer,
    key: SigningKey,
    private readonly endorsements: readonly string[],
  ) {
    this.key = key;
  }

  static async start({ tls, endorsements = ['msteams'], key = generateSigningKey() }: { tls: TlsMaterial; endorsements?: readonly string[]; key?: SigningKey }): Promise<BotTokenIssuer> {
    let issuer: BotTokenIssuer | undefined;
    const server = await startLoopbackServer((req, res) => issuer?.handle(req, res), { tls });
    issuer = new BotTokenIssuer(server, key, endorsements);
    return issuer;
  }

  /** The value for BOT_OPENID_METADATA_URL (botbuilder's ToBotFromChannelOpenIdMetadataUrl). */
  get metadataUrl(): string {
    return `${this.server.url}${this.prefix}/.well-known/openidconfiguration`;
  }

  get jwksUrl(): string {
    return `${this.server.url}${this.prefix}/keys`;
  }

  /** A token signed with the published key. */
  sign(claims: ChannelTokenClaims): string {
    return signToken(claims, this.key);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'https://issuer').pathname;
    this.requests.push(path);
    if (req.method !== 'GET') return sendJson(res, 405, { error: 'method not allowed' });
    if (path === `${this.prefix}/.well-known/openidconfiguration`) {
      return sendJson(res, 200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: `${this.server.url}${this.prefix}/authorize`,
        jwks_uri: this.jwksUrl,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === `${this.prefix}/keys`) {
      const jwk = this.key.publicKey.export({ format: 'jwk' });
      return sendJson(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: this.key.kid, n: jwk.n, e: jwk.e, endorsements: [...this.endorsements] }] });
    }
    return sendJson(res, 404, { error: 'not found' });
  }
}
