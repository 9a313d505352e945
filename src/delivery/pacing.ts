import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { SlidingWindowLimiter, type RateWindow } from '../rate-limit/sliding-window.js';
import type { BudgetTake, RateBudgetStore } from '../store/rate-budgets.js';

/** Teams' published limit for one bot posting into one conversation (send, create, and every edit). */
export const TEAMS_CONVERSATION_WINDOWS: readonly RateWindow[] = [
  { limit: 7, periodMs: 1000 },
  { limit: 8, periodMs: 2000 },
  { limit: 60, periodMs: 30_000 },
  { limit: 1800, periodMs: 3_600_000 },
];

/**
 * Windows a little longer than the published ones: the limiter admits a request when it leaves
 * here, Teams counts it when it arrives, and network and event-loop delays can bunch two requests
 * the limiter spaced exactly one window apart.
 */
export function withMargin(windows: readonly RateWindow[], marginMs: number): RateWindow[] {
  return windows.map((w) => ({ limit: w.limit, periodMs: w.periodMs + marginMs }));
}

/** The margin added to every per-conversation window unless tuned (see `withMargin`). */
export const DEFAULT_PACING_MARGIN_MS = 250;

/** Teams' per-conversation windows as SOC Bridge paces them: published (or tuned) and padded. */
export function conversationWindows(tuning: { conversationWindows?: readonly RateWindow[]; pacingMarginMs?: number }): RateWindow[] {
  return withMargin(tuning.conversationWindows ?? TEAMS_CONVERSATION_WINDOWS, tuning.pacingMarginMs ?? DEFAULT_PACING_MARGIN_MS);
}

/**
 * The slots of each per-conversation window alert cards leave free: a tenth, at least one (of
 * Teams' 7/1 s, 8/2 s, 60/30 s and 1,800/h: 1, 1, 6 and 180). A command reply or a card action's
 * answer then finds one at once, however long the queue of cards, instead of waiting behind it;
 * replies that take them count, so cards slow down after them. A tenth of the longer windows,
 * because a burst of cards fills Teams' 30-second window in about 16 s, after which nothing
 * leaves it for 14 s: one slot would serve only the first reply of those 14 s. Cards give up a
 * tenth of their rate in a storm that lasts over half a minute (storm mode's digests are meant
 * for those).
 */
export function cardReserve(windows: readonly RateWindow[]): number[] {
  return windows.map((w) => Math.max(1, Math.round(w.limit / 10)));
}

/**
 * The share of Teams' per-app limit kept for replies: alert cards take `TEAMS_GLOBAL_RATE` a second
 * (24 by default) and replies up to 6 more, 30 together, the lower of the limits Teams has
 * documented.
 */
export const REPLY_WINDOWS: readonly RateWindow[] = [{ limit: 6, periodMs: 1000 }];

/**
 * Teams' budgets in the store's rate budgets, where every instance on PostgreSQL draws from the
 * same windows: per conversation, everything SOC Bridge sends there (cards, edits, replies), so
 * the replies of an instance that does not run delivery slow the running one's cards down too;
 * and per app, the replies' share (`REPLY_WINDOWS`; cards keep to theirs on the one instance
 * that sends them).
 */
export class TeamsBudgets {
  private warned = false;

  constructor(
    private readonly deps: { rates: RateBudgetStore; logger: Logger },
    readonly windows: readonly RateWindow[],
  ) {}

  /** One reply's part of the per-app budget. */
  takeReplyShare(): Promise<BudgetTake> {
    return this.take('teams:replies', REPLY_WINDOWS, []);
  }

  /** One alert card or card edit, leaving `cardReserve` of every window to replies. */
  takeForCard(conversationId: string): Promise<BudgetTake> {
    return this.take(conversationBudgetName(conversationId), this.windows, cardReserve(this.windows));
  }

  /** One reply (a command's answer, a card action's edit or post, a notice): it may use the reserve. */
  takeForReply(conversationId: string): Promise<BudgetTake> {
    return this.take(conversationBudgetName(conversationId), this.windows, []);
  }

  /**
   * A store that cannot answer (the database away) must not stop chat or delivery: the send goes
   * as if admitted, paced by what the instance knows itself, and the trouble is logged once.
   */
  private async take(name: string, windows: readonly RateWindow[], reserve: readonly number[]): Promise<BudgetTake> {
    try {
      return await this.deps.rates.take(name, windows, { reserve });
    } catch (error) {
      if (!this.warned) this.deps.logger.warn({ event: 'pacing.budget_unavailable', err: error }, 'the shared Teams budget could not be read; pacing with what this instance knows');
      this.warned = true;
      return { admitted: true, used: 0 };
    }
  }
}

/** A conversation's budget name: threads of a channel count against the channel, as Teams counts them. */
export function conversationBudgetName(conversationId: string): string {
  return `teams:conversation:${conversationId.split(';messageid=')[0] ?? conversationId}`;
}

/** Tells waiting loops to give up: every sleep through it ends at once when `stop()` is called. */
export class StopSignal {
  private stopped = false;
  private release: () => void = () => undefined;
  readonly whenStopped: Promise<void> = new Promise((resolve) => (this.release = resolve));

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }
}

/**
 * Sleeps on the clock (so tests drive it) unless stopped first. Slices of at most a second keep
 * any timer left behind by a stop short.
 */
export async function sleepUnless(clock: Clock, ms: number, signal: StopSignal): Promise<void> {
  let left = ms;
  for (let slice = 0; left > 0 && !signal.isStopped && slice < 100_000; slice++) {
    const step = Math.min(left, 1000);
    await Promise.race([clock.sleep(step), signal.whenStopped]);
    left -= step;
  }
}

/**
 * Admits one card or edit into a conversation when both its own limiter (leaving `cardReserve`
 * of every window to replies) and the global one allow it, taking both slots at the same
 * instant (a slot taken early and used late would let the conversation's real sends bunch up).
 * The conversation's shared budget is taken later, as the message leaves (see `TeamsSendGate`).
 * Returns false if stopped while waiting.
 */
export async function admit(clock: Clock, conversation: { limiter: SlidingWindowLimiter; reserve: readonly number[] }, global: SlidingWindowLimiter, signal: StopSignal): Promise<boolean> {
  for (let round = 0; round < 1_000_000; round++) {
    if (signal.isStopped) return false;
    const wait = Math.max(conversation.limiter.delayMs(conversation.reserve), global.delayMs());
    if (wait > 0) {
      await sleepUnless(clock, wait, signal);
      continue;
    }
    // Other conversations compete for the global slot; the conversation's own is ours alone.
    if (!global.tryAcquire()) continue;
    conversation.limiter.tryAcquire(conversation.reserve);
    return true;
  }
  return false;
}
