import { describe, expect, it } from '@jest/globals';
import { ChatDeliveryError } from '../../src/conversations/messenger.js';
import { EmailDeliveryError } from '../../src/delivery/ports.js';
import { asDeliveryError, decideOnFailure, type RetryLimits } from '../../src/delivery/failure-policy.js';
import { DeliveryError } from '../../src/errors.js';

const LIMITS: RetryLimits = { maxTransientAttempts: 3, maxThrottledAttempts: 5, backoff: { baseMs: 1000, capMs: 8000 } };
const half = () => 0.5;

describe('the failure policy', () => {
  it('retries a transient failure with exponential backoff and jitter, then gives up', () => {
    const failure = new ChatDeliveryError('transient', 502, undefined, 'Teams answered 502');
    // random() = 0.5 → 75 % of the ceiling: 1 s, 2 s, … doubled per attempt.
    expect(decideOnFailure({ failure, attempts: 1, edit: false }, LIMITS, half)).toEqual({ action: 'retry', waitMs: 750, throttled: false });
    expect(decideOnFailure({ failure, attempts: 2, edit: false }, LIMITS, half)).toEqual({ action: 'retry', waitMs: 1500, throttled: false });
    expect(decideOnFailure({ failure, attempts: 3, edit: false }, LIMITS, half)).toEqual({ action: 'give-up', reason: 'Teams answered 502 (gave up after 3 attempts)' });
  });

  it('caps the backoff', () => {
    const failure = new ChatDeliveryError('transient', 500, undefined, '500');
    const decision = decideOnFailure({ failure, attempts: 2, edit: false }, { ...LIMITS, maxTransientAttempts: 20, backoff: { baseMs: 1000, capMs: 1200 } }, () => 1);
    expect(decision).toEqual({ action: 'retry', waitMs: 1200, throttled: false });
  });

  it('takes Retry-After as a floor with a little jitter, and marks throttling', () => {
    const failure = new DeliveryError({ service: 'webhook', kind: 'throttled', status: 429, retryAfterMs: 5000, message: 'the endpoint answered 429' });
    expect(decideOnFailure({ failure, attempts: 1, edit: false }, LIMITS, half)).toEqual({ action: 'retry', waitMs: 5250, throttled: true });
    expect(decideOnFailure({ failure, attempts: 4, edit: false }, LIMITS, () => 0)).toEqual({ action: 'retry', waitMs: 5000, throttled: true });
    expect(decideOnFailure({ failure, attempts: 5, edit: false }, LIMITS, half)).toMatchObject({ action: 'give-up' });
  });

  it('gives up a rejected message at once, whatever the attempts', () => {
    const failure = new EmailDeliveryError('rejected', 'The mail server refused the message (550): no such mailbox');
    expect(decideOnFailure({ failure, attempts: 1, edit: false }, LIMITS, half)).toEqual({ action: 'give-up', reason: 'The mail server refused the message (550): no such mailbox' });
  });

  it('tells a place that is gone from a message deleted there', () => {
    const gone = new ChatDeliveryError('gone', 404, undefined, 'Teams answered 404');
    expect(decideOnFailure({ failure: gone, attempts: 0, edit: true }, LIMITS, half)).toEqual({ action: 'gone', scope: 'message', reason: 'the message was deleted' });
    expect(decideOnFailure({ failure: gone, attempts: 0, edit: false }, LIMITS, half)).toEqual({ action: 'gone', scope: 'place', reason: 'Teams answered 404' });
    const forbidden = new ChatDeliveryError('gone', 403, undefined, 'Teams answered 403');
    expect(decideOnFailure({ failure: forbidden, attempts: 0, edit: true }, LIMITS, half)).toEqual({ action: 'gone', scope: 'place', reason: 'Teams answered 403' });
  });

  it('treats anything a sender throws that is not classified as a network failure', () => {
    const failure = asDeliveryError(new Error('ECONNRESET'), 'smtp');
    expect(failure).toBeInstanceOf(DeliveryError);
    expect(failure.kind).toBe('transient');
    expect(failure.message).toBe('ECONNRESET');
    const classified = new EmailDeliveryError('rejected', '550');
    expect(asDeliveryError(classified, 'smtp')).toBe(classified);
  });
});
