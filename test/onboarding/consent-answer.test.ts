import { describe, expect, it } from '@jest/globals';
import { describeConsentError } from '../../src/onboarding/consent-answer.js';

const base = { org: 'Tailspin Toys', handle: 'tailspin' };

describe('describeConsentError', () => {
  it('reads a cancel as a decline, whichever way Entra says it', () => {
    for (const answer of [{ error: 'access_denied' }, { error: 'consent_denied', subcode: 'cancel' }, { error: 'invalid_request', description: 'AADSTS65004: User declined to consent' }]) {
      expect(describeConsentError({ ...base, ...answer }).summary).toContain('declined');
    }
  });

  it('tells the admin who can consent when their role cannot', () => {
    const refusal = describeConsentError({ ...base, error: 'consent_required', description: 'AADSTS90094: Admin consent is required' });
    expect(refusal.advice).toContain('Privileged Role Administrator');
  });

  it('names the code of anything else and offers a new link', () => {
    const refusal = describeConsentError({ ...base, error: 'server_error', description: 'AADSTS50000: something' });
    expect(refusal.summary).toContain('AADSTS50000');
    expect(refusal.advice).toContain('consent tailspin');
  });
});
