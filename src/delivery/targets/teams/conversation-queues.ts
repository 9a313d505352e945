import type { Clock } from '../../../clock.js';
import type { Logger } from '../../../log.js';
import { SlidingWindowLimiter, type RateWindow } from '../../../rate-limit/sliding-window.js';
import { StopSignal, admit, cardReserve, sleepUnless } from '../../pacing.js';
import { stopWithin } from '../../../stop-within.js';

/** A new card, or a digest card, waiting to be posted. */
export type PostJob = { readonly kind: 'card'; readonly key: string } | { readonly kind: 'digest'; readonly id: string };

/** An edit of a posted card or digest, due at `dueAt`. */
export interface EditJob {
  readonly kind: 'card' | 'digest' | 'thread';
  /** Delivery key, digest id or incident thread key. */
  readonly ref: string;
  readonly messageId: string;
  readonly dueAt: number;
  attempts: number;
}

export type Job = ({ readonly type: 'post' } & PostJob) | ({ readonly type: 'edit' } & EditJob);

/** One conversation's waiting posts (in order) and edits (one per message, coalesced). */
export class ConversationQueue {
  posts: PostJob[] = [];
  readonly edits = new Map<string, EditJob>();
  worker: Promise<void> | undefined;
  wake: (() => void) | undefined;

  constructor(
    readonly id: string,
    readonly limiter: SlidingWindowLimiter,
  ) {}

  get size(): number {
    return this.posts.length + this.edits.size;
  }

  /** A job taken but not done (stopped while waiting for a slot, a retry) goes back to the front. */
  putBack(job: Job): void {
    if (job.type === 'post') this.posts.unshift(job.kind === 'card' ? { kind: 'card', key: job.key } : { kind: 'digest', id: job.id });
    else if (!this.edits.has(job.messageId)) this.edits.set(job.messageId, { kind: job.kind, ref: job.ref, messageId: job.messageId, dueAt: job.dueAt, attempts: job.attempts });
  }
}

/** What the queues ask of the Teams side. */
export interface QueueHandlers {
  /** Whether a post is still waiting in the ledger (it may have been closed meanwhile). */
  stillPending(job: PostJob): boolean;
  /** Runs before the next post is chosen: storm mode may turn waiting cards into digests here. */
  beforePosts(q: ConversationQueue): Promise<void>;
  /** Does one job; the conversation's and the global slots are already taken. */
  execute(q: ConversationQueue, job: Job): Promise<void>;
}

export interface QueueOptions {
  /** Per conversation (Teams: 7/1 s, 8/2 s, 60/30 s, 1,800/h), already padded with the pacing margin. */
  readonly conversationWindows: readonly RateWindow[];
  /** Per app, across every conversation. */
  readonly globalWindows: readonly RateWindow[];
  /** An edit waits this long for more changes to the same card, so a burst costs one update. */
  readonly editDelayMs: number;
  /** After this long an edit goes before new cards, so a busy channel's cards still catch up. */
  readonly editMaxWaitMs: number;
}

const MAX_STEPS_PER_RUN = 100_000;

/**
 * Conversation queues and pacing: one send queue and one worker per conversation, paced by that
 * conversation's limiter and one global limiter (both the shared sliding-window primitive). New
 * cards go first; edits wait a moment so a burst of changes costs one update, and never wait too long.
 */
export class ConversationQueues {
  private readonly queues = new Map<string, ConversationQueue>();
  readonly global: SlidingWindowLimiter;
  /** Slots of each conversation window left to replies (see `cardReserve`). */
  private readonly reserve: readonly number[];
  private readonly signal = new StopSignal();

  constructor(
    private readonly deps: { clock: Clock; logger: Logger },
    private readonly options: QueueOptions,
    private readonly handlers: QueueHandlers,
  ) {
    this.global = new SlidingWindowLimiter(options.globalWindows, deps.clock);
    this.reserve = cardReserve(options.conversationWindows);
  }

  get stopped(): boolean {
    return this.signal.isStopped;
  }

  /** The conversation's queue, made on first use. */
  queue(conversationId: string): ConversationQueue {
    let q = this.queues.get(conversationId);
    if (!q) {
      q = new ConversationQueue(conversationId, new SlidingWindowLimiter(this.options.conversationWindows, this.deps.clock));
      this.queues.set(conversationId, q);
    }
    return q;
  }

  all(): IterableIterator<ConversationQueue> {
    return this.queues.values();
  }

  /** Posts and edits waiting in every conversation. */
  totalQueued(): number {
    let total = 0;
    for (const q of this.queues.values()) total += q.size;
    return total;
  }

  /** True when no conversation has anything queued or in flight. */
  get idle(): boolean {
    return [...this.queues.values()].every((q) => q.size === 0 && !q.worker);
  }

  /** Queues a new card once, however often it is dispatched. */
  addCard(q: ConversationQueue, key: string): void {
    if (!q.posts.some((j) => j.kind === 'card' && j.key === key)) q.posts.push({ kind: 'card', key });
  }

  /** Coalesces: a card already waiting for an edit keeps its place and gets the newest state when it goes. */
  scheduleEdit(conversationId: string, edit: Omit<EditJob, 'dueAt' | 'attempts'>): void {
    if (this.signal.isStopped) return;
    const q = this.queue(conversationId);
    if (!q.edits.has(edit.messageId)) q.edits.set(edit.messageId, { ...edit, dueAt: this.deps.clock.nowMs() + this.options.editDelayMs, attempts: 0 });
    this.kick(q);
  }

  /** Starts the conversation's worker, or wakes it if it is waiting for an edit to come due. */
  kick(q: ConversationQueue): void {
    if (this.signal.isStopped) return;
    if (q.worker) {
      q.wake?.();
      return;
    }
    if (q.size === 0) return;
    q.worker = this.work(q).catch((error: unknown) => {
      this.deps.logger.error({ event: 'delivery.worker_failed', conversationId: q.id, err: error }, 'a Teams delivery worker failed');
    });
  }

  /** Stops taking jobs; waits (up to `timeoutMs`) for jobs in flight to finish and be recorded. */
  async stop(timeoutMs: number): Promise<void> {
    this.signal.stop();
    const workers = [...this.queues.values()].flatMap((q) => (q.worker ? [q.worker] : []));
    await stopWithin(timeoutMs, Promise.all(workers));
  }

  private async work(q: ConversationQueue): Promise<void> {
    try {
      // Start a turn later, so work dispatched together (one poll's alerts) is seen together.
      await Promise.resolve();
      for (let step = 0; step < MAX_STEPS_PER_RUN && !this.signal.isStopped; step++) {
        const next = await this.nextJob(q);
        if (next === undefined) break;
        if (typeof next === 'number') {
          await this.idleWait(q, next);
          continue;
        }
        if (!(await admit(this.deps.clock, { limiter: q.limiter, reserve: this.reserve }, this.global, this.signal))) {
          q.putBack(next);
          break;
        }
        await this.handlers.execute(q, next);
      }
    } finally {
      q.worker = undefined;
    }
    if (!this.signal.isStopped && q.size > 0) this.kick(q);
  }

  private async idleWait(q: ConversationQueue, ms: number): Promise<void> {
    const woken = new Promise<void>((resolve) => (q.wake = resolve));
    await Promise.race([sleepUnless(this.deps.clock, ms, this.signal), woken]);
    q.wake = undefined;
  }

  /** The next job, milliseconds to wait for one (an edit not due yet), or undefined when there is none. */
  private async nextJob(q: ConversationQueue): Promise<Job | number | undefined> {
    const now = this.deps.clock.nowMs();
    const edits = [...q.edits.values()].sort((a, b) => a.dueAt - b.dueAt);
    const overdue = edits.find((e) => e.dueAt + this.options.editMaxWaitMs <= now);
    if (overdue) return takeEdit(q, overdue);
    if (q.posts.length > 0) await this.handlers.beforePosts(q);
    for (let job = q.posts.shift(); job; job = q.posts.shift()) {
      if (this.handlers.stillPending(job)) return { type: 'post', ...job };
    }
    const due = edits[0];
    if (!due) return undefined;
    return due.dueAt <= now ? takeEdit(q, due) : due.dueAt - now;
  }
}

function takeEdit(q: ConversationQueue, edit: EditJob): Job {
  q.edits.delete(edit.messageId);
  return { type: 'edit', ...edit };
}
