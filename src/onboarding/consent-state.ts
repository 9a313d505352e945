import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod/v4';
import { LOWER_CASE_GUID_PATTERN } from '../text/ids.js';

/**
 * The `state` of an admin-consent link. Entra echoes it back to the callback, where it is the
 * only thing that says which onboarding the answer belongs to, so it is signed (HMAC-SHA256 with
 * the configured secret) and carries the tenant, a random nonce and the expiry. The signature
 * makes it unforgeable; the nonce, checked against the tenant's stored link, makes it single-use
 * and lets a newer link cancel older ones.
 */
const VERSION = 'v1';
const MAX_STATE_LENGTH = 1024;
const NONCE_BYTES = 18;

const PayloadSchema = z.strictObject({
  /** Customer tenant id (GUID, lower case). */
  t: z.string().regex(LOWER_CASE_GUID_PATTERN),
  n: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  /** Expiry, milliseconds since the epoch. */
  e: z.number().int().positive(),
});

export interface ConsentStatePayload {
  readonly tenantId: string;
  readonly nonce: string;
  readonly expiresAtMs: number;
}

export type StateCheck =
  | { readonly ok: true; readonly payload: ConsentStatePayload }
  | { readonly ok: false; readonly reason: 'malformed' | 'bad-signature' };

export class ConsentStateSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('the consent state secret must be at least 32 characters');
    this.key = Buffer.from(secret, 'utf8');
  }

  /** A fresh random nonce for a new link. */
  static newNonce(): string {
    return randomBytes(NONCE_BYTES).toString('base64url');
  }

  sign(payload: ConsentStatePayload): string {
    const body = Buffer.from(JSON.stringify({ t: payload.tenantId, n: payload.nonce, e: payload.expiresAtMs })).toString('base64url');
    return `${VERSION}.${body}.${this.mac(body)}`;
  }

  /** Checks the signature before reading anything else from the state. */
  verify(state: string): StateCheck {
    if (state.length > MAX_STATE_LENGTH) return { ok: false, reason: 'malformed' };
    const [version, body, mac, ...extra] = state.split('.');
    if (version !== VERSION || !body || !mac || extra.length > 0) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.mac(body), 'utf8');
    const given = Buffer.from(mac, 'utf8');
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'bad-signature' };
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    const parsed = PayloadSchema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'malformed' };
    return { ok: true, payload: { tenantId: parsed.data.t, nonce: parsed.data.n, expiresAtMs: parsed.data.e } };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(`${VERSION}.${body}`).digest('base64url');
  }
}
