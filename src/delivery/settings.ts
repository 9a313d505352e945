import type { RateWindow } from '../rate-limit/sliding-window.js';
import type { JournalOptions } from './journal.js';

/** The delivery settings an operator chooses (src/config.ts). */
export interface DeliverySettings {
  /** 0 = do not poll. */
  readonly pollIntervalMs: number;
  readonly pollOverlapMs: number;
  /** 0 = never post digests. */
  readonly stormThresholdMs: number;
  readonly retentionMs: number;
  /** Requests per second SOC Bridge allows itself across every conversation. */
  readonly teamsGlobalRate: number;
}

/** How a kind on the generic worker (email, webhook) sends: in parallel, and how often it retries. */
export interface SenderTuning {
  /** Messages sent at the same time. */
  readonly concurrency?: number;
  /** Attempts before a message that keeps failing is given up. */
  readonly maxAttempts?: number;
  readonly backoff?: { readonly baseMs: number; readonly capMs: number };
}

/** Knobs tests and benchmarks turn; production uses the defaults. */
export interface DeliveryTuning {
  readonly conversationWindows?: readonly RateWindow[];
  readonly pacingMarginMs?: number;
  readonly digestMaxItems?: number;
  readonly editDelayMs?: number;
  readonly editMaxWaitMs?: number;
  readonly backoff?: { baseMs: number; capMs: number };
  readonly maxTransientAttempts?: number;
  readonly maxThrottledAttempts?: number;
  readonly journal?: JournalOptions;
  readonly pageSize?: number;
  readonly maxPages?: number;
  readonly headroomReserve?: number;
  /** Per target kind on the generic worker, by kind key (`email`, `webhook`). */
  readonly senders?: Readonly<Record<string, SenderTuning>>;
  /** How long `rule test` waits for its samples before it reports "still trying". */
  readonly sampleWaitMs?: number;
  readonly random?: () => number;
}

/** How long `rule test` waits for its samples' outcomes unless tuned. */
export const DEFAULT_SAMPLE_WAIT_MS = 8000;

/**
 * The per-app budget: TEAMS_GLOBAL_RATE a second (by default below the conservative 30 Teams
 * documents), admitted a quarter at a time. Admitting a whole second's worth at once would send
 * them over the next few hundred milliseconds (rendering is serial), and the tail of one second and
 * the head of the next would reach Teams inside one of its windows.
 */
export function globalWindows(perSecond: number): RateWindow[] {
  return [
    { limit: perSecond, periodMs: 1000 },
    { limit: Math.max(1, Math.ceil(perSecond / 4)), periodMs: 250 },
  ];
}
