import { systemClock, type Clock } from '../clock.js';
import { SlidingWindowLimiter, type RateWindow } from '../rate-limit/sliding-window.js';

/** The limits a Bot Connector emulator enforces, as Teams does (reference §14). */
export interface TeamsLimits {
  /** Per conversation (channel, chat): every post and edit counts. */
  readonly conversation: readonly RateWindow[];
  /** Per app, across every conversation. */
  readonly global: readonly RateWindow[];
  /** Whether a 429 names the wait in Retry-After (Teams does not always). */
  readonly retryAfter: boolean;
}

export const TEAMS_PUBLISHED_LIMITS: TeamsLimits = {
  conversation: [
    { limit: 7, periodMs: 1000 },
    { limit: 8, periodMs: 2000 },
    { limit: 60, periodMs: 30_000 },
    { limit: 1800, periodMs: 3_600_000 },
  ],
  global: [{ limit: 50, periodMs: 1000 }],
  retryAfter: true,
};

/**
 * Teams refuses a bot message (a post, an edit, or the first message of a new conversation) over
 * 100 KB, counted in UTF-16, with 413 MessageSizeTooBig (reference §17). Always enforced.
 */
export const TEAMS_MAX_MESSAGE_BYTES = 100 * 1024;

/** The size Teams counts for a request body: its characters in UTF-16, two bytes each. */
export function messageBytes(body: string): number {
  return body.length * 2;
}

/** What one conversation received, accepted and refused. */
export interface ConversationTraffic {
  posts: number;
  edits: number;
  throttled: number;
}

/**
 * Teams' side of rate limiting, for the Bot Connector emulator: a request that would break a
 * conversation's windows or the app's global one is refused with 429 (and Retry-After), and does
 * not count. Uses the same sliding-window primitive the bot paces itself with.
 */
export class TeamsLimitEnforcer {
  private readonly conversations = new Map<string, SlidingWindowLimiter>();
  private readonly global: SlidingWindowLimiter;
  readonly traffic = new Map<string, ConversationTraffic>();
  throttled = 0;
  /** Refusals by the limit that caused them (a request breaking both counts as the conversation's). */
  readonly throttledBy = { conversation: 0, global: 0 };

  constructor(
    readonly limits: TeamsLimits,
    private readonly clock: Clock = systemClock,
  ) {
    this.global = new SlidingWindowLimiter(limits.global, clock);
  }

  /** Admits a post or edit into `conversationId`, or says how long to wait. */
  admit(conversationId: string, kind: 'post' | 'edit'): { ok: true } | { ok: false; retryAfterMs: number } {
    const base = conversationId.split(';messageid=')[0] ?? conversationId;
    let limiter = this.conversations.get(base);
    if (!limiter) {
      limiter = new SlidingWindowLimiter(this.limits.conversation, this.clock);
      this.conversations.set(base, limiter);
    }
    const traffic = this.trafficOf(base);
    const conversationWait = limiter.delayMs();
    const waitMs = Math.max(conversationWait, this.global.delayMs());
    if (waitMs > 0) {
      traffic.throttled++;
      this.throttled++;
      if (conversationWait > 0) this.throttledBy.conversation++;
      else this.throttledBy.global++;
      return { ok: false, retryAfterMs: waitMs };
    }
    limiter.tryAcquire();
    this.global.tryAcquire();
    if (kind === 'post') traffic.posts++;
    else traffic.edits++;
    return { ok: true };
  }

  trafficOf(conversationId: string): ConversationTraffic {
    let traffic = this.traffic.get(conversationId);
    if (!traffic) {
      traffic = { posts: 0, edits: 0, throttled: 0 };
      this.traffic.set(conversationId, traffic);
    }
    return traffic;
  }
}
