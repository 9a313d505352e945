import { DeliveryError, type DeliveryFailureKind } from '../errors.js';
import { backoffDelayMs } from '../rate-limit/backoff.js';

/** How often a delivery is tried before it is given up, and how long it waits in between. */
export interface RetryLimits {
  /** Attempts for 5xx, network failures and timeouts. */
  readonly maxTransientAttempts: number;
  /** Attempts for "too many requests" answers. */
  readonly maxThrottledAttempts: number;
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
}

/** What one failed attempt calls for. */
export type FailureDecision =
  /** Try again after `waitMs`; `throttled`: the target asked everyone sending there to slow down. */
  | { readonly action: 'retry'; readonly waitMs: number; readonly throttled: boolean }
  /** Stop trying this message; `reason` is kept on its record. */
  | { readonly action: 'give-up'; readonly reason: string }
  /**
   * The target is gone. `message`: only the message edited was (deleted by someone), the place is
   * fine; `place`: the whole place is (bot removed, channel deleted), so everything waiting there is.
   */
  | { readonly action: 'gone'; readonly scope: 'message' | 'place'; readonly reason: string };

/** One failed attempt: what the target said, classified, and what the attempt was. */
export interface FailedAttempt {
  readonly failure: DeliveryError;
  /** Attempts made so far, this one included. */
  readonly attempts: number;
  /** The attempt edited a message sent earlier (a 404 then means that message was deleted). */
  readonly edit: boolean;
}

/** Anything thrown by a sender, as a DeliveryError: unknown errors count as transient (the network). */
export function asDeliveryError(error: unknown, service: DeliveryError['service']): DeliveryError {
  if (error instanceof DeliveryError) return error;
  return new DeliveryError({ service, kind: 'transient', message: error instanceof Error ? error.message : String(error), cause: error });
}

const RETRIED: ReadonlySet<DeliveryFailureKind> = new Set(['throttled', 'transient']);

/**
 * The one failure policy, for every target kind: an outcome becomes retry, give up or gone. Pure:
 * the same facts (and the same `random`) give the same decision.
 *
 * Retries back off exponentially with jitter; a Retry-After the target sent is a floor instead, with
 * a little jitter so everyone waiting does not resume at once. Out of attempts means give up.
 */
export function decideOnFailure({ failure, attempts, edit }: FailedAttempt, limits: RetryLimits, random: () => number = Math.random): FailureDecision {
  if (failure.kind === 'gone') {
    if (edit && failure.status === 404) return { action: 'gone', scope: 'message', reason: 'the message was deleted' };
    return { action: 'gone', scope: 'place', reason: failure.message };
  }
  if (!RETRIED.has(failure.kind)) return { action: 'give-up', reason: failure.message };
  const throttled = failure.kind === 'throttled';
  const limit = throttled ? limits.maxThrottledAttempts : limits.maxTransientAttempts;
  if (attempts >= limit) return { action: 'give-up', reason: `${failure.message} (gave up after ${attempts} attempts)` };
  const backoff = backoffDelayMs(attempts - 1, limits.backoff, random);
  const waitMs = failure.retryAfterMs === undefined ? backoff : Math.ceil(failure.retryAfterMs * (1 + 0.1 * random()));
  return { action: 'retry', waitMs, throttled };
}
