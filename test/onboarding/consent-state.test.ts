import { describe, expect, it } from '@jest/globals';
import { ConsentStateSigner } from '../../src/onboarding/consent-state.js';

const SECRET = 'a-test-secret-that-is-at-least-32-characters-long';
const TENANT = '55555555-5555-4555-8555-555555555555';
const payload = { tenantId: TENANT, nonce: ConsentStateSigner.newNonce(), expiresAtMs: 1_900_000_000_000 };

describe('ConsentStateSigner', () => {
  it('reads back what it signed', () => {
    const signer = new ConsentStateSigner(SECRET);
    expect(signer.verify(signer.sign(payload))).toEqual({ ok: true, payload });
  });

  it('makes a different state for each nonce', () => {
    const signer = new ConsentStateSigner(SECRET);
    const other = { ...payload, nonce: ConsentStateSigner.newNonce() };
    expect(other.nonce).not.toBe(payload.nonce);
    expect(signer.sign(other)).not.toBe(signer.sign(payload));
  });

  it('refuses a state signed with another secret', () => {
    const state = new ConsentStateSigner(`${SECRET}-other`).sign(payload);
    expect(new ConsentStateSigner(SECRET).verify(state)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a state whose payload was changed after signing', () => {
    const signer = new ConsentStateSigner(SECRET);
    const [version, , mac] = signer.sign(payload).split('.');
    const changed = Buffer.from(JSON.stringify({ t: '66666666-6666-4666-8666-666666666666', n: payload.nonce, e: payload.expiresAtMs })).toString('base64url');
    expect(signer.verify(`${version}.${changed}.${mac}`)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses shapes that are not a state', () => {
    const signer = new ConsentStateSigner(SECRET);
    const good = signer.sign(payload);
    for (const bad of ['', 'v1', 'v1..', `v2.${good.slice(3)}`, `${good}.extra`, 'x'.repeat(5000)]) {
      expect(signer.verify(bad).ok).toBe(false);
    }
  });

  it('refuses a correctly signed payload of the wrong shape', () => {
    const signer = new ConsentStateSigner(SECRET);
    const forged = signer.sign({ ...payload, tenantId: 'not-a-guid' });
    expect(signer.verify(forged)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('needs a secret of at least 32 characters', () => {
    expect(() => new ConsentStateSigner('short')).toThrow('at least 32 characters');
  });
});
