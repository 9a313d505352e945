import type { Clock } from '../clock.js';
import { SlidingWindowLimiter, type RateWindow } from '../rate-limit/sliding-window.js';

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
 * Admits one request into a conversation when both its own limiter and the global one allow it,
 * taking both slots at the same instant (a slot taken early and used late would let the
 * conversation's real sends bunch up). Returns false if stopped while waiting.
 */
export async function admit(clock: Clock, conversation: SlidingWindowLimiter, global: SlidingWindowLimiter, signal: StopSignal): Promise<boolean> {
  for (let round = 0; round < 1_000_000; round++) {
    if (signal.isStopped) return false;
    const wait = Math.max(conversation.delayMs(), global.delayMs());
    if (wait > 0) {
      await sleepUnless(clock, wait, signal);
      continue;
    }
    // Other conversations compete for the global slot; the conversation's own is ours alone.
    if (!global.tryAcquire()) continue;
    conversation.tryAcquire();
    return true;
  }
  return false;
}
