import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { notice, type Reply } from '../chat/reply.js';
import { ChatDeliveryError, type Messenger } from '../conversations/messenger.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from '../rate-limit/backoff.js';
import { SlidingWindowLimiter, type RateWindow } from '../rate-limit/sliding-window.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import { deliveredAlertCard, digestCard, digestItemOf } from './cards.js';
import { alertKeyOf, type DeliveryLedger } from './ledger.js';
import { StopSignal, admit, sleepUnless } from './pacing.js';
import type { LinkHealth } from './ports.js';
import type { DeliveryRecord, DigestRecord } from './store-schema.js';

export interface TeamsDeliveryOptions {
  /** Per conversation (Teams: 7/1 s, 8/2 s, 60/30 s, 1,800/h), already padded with the pacing margin. */
  readonly conversationWindows: readonly RateWindow[];
  /** Per app, across every conversation. */
  readonly globalWindows: readonly RateWindow[];
  /** A conversation whose backlog would take longer than this to post card by card gets digests; 0 = never. */
  readonly stormThresholdMs: number;
  /** Alerts per digest card (a Teams message holds about 28 KB). */
  readonly digestMaxItems: number;
  /** An edit waits this long for more changes to the same card, so a burst costs one update. */
  readonly editDelayMs: number;
  /** After this long an edit goes before new cards, so a busy channel's cards still catch up. */
  readonly editMaxWaitMs: number;
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
  /** Attempts for 412/5xx/network failures (each already retried by the Bot Framework client). */
  readonly maxTransientAttempts: number;
  /** Attempts for 429s that outlasted the Bot Framework client's own retries. */
  readonly maxThrottledAttempts: number;
}

export interface TeamsDeliveryDeps {
  readonly ledger: DeliveryLedger;
  readonly messenger: Messenger;
  readonly conversations: { get(id: string): ConversationRecord | undefined };
  readonly tenants: { find(ref: string): TenantRecord | undefined };
  readonly linkHealth: LinkHealth;
  readonly soc: { notify(reply: Reply, event: string): Promise<boolean> };
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random?: () => number;
}

/** Work for the Teams side, started once the records it needs are on disk. */
export type TeamsWork = { kind: 'post'; key: string } | { kind: 'edit-card'; key: string } | { kind: 'edit-digest'; id: string };

type PostJob = { kind: 'card'; key: string } | { kind: 'digest'; id: string };
interface EditJob {
  readonly kind: 'card' | 'digest';
  /** Delivery key or digest id. */
  readonly ref: string;
  readonly messageId: string;
  readonly dueAt: number;
  attempts: number;
}
type Job = ({ type: 'post' } & PostJob) | ({ type: 'edit' } & EditJob);

/** What happened, for tests, logs and benchmarks. */
export interface TeamsDeliveryCounters {
  posted: number;
  postedWithoutId: number;
  edited: number;
  digests: number;
  digestedAlerts: number;
  throttled: number;
  transientFailures: number;
  globalPauses: number;
  gone: number;
  failed: number;
}

class ConversationQueue {
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
}

const MAX_STEPS_PER_RUN = 100_000;

/**
 * Teams delivery: one send queue and one worker per conversation, paced by that conversation's
 * limiter and one global limiter (both the shared sliding-window primitive). New cards go first;
 * edits wait a moment so a burst of changes costs one update, and never wait too long. A 429 that
 * outlasts the Bot Framework client's own retries pauses every conversation (Teams said stop);
 * 412/5xx back off this conversation only; 403/404 mark the link broken and tell the SOC once.
 * When a backlog would take longer than the storm threshold to post card by card, the pending
 * alerts go out as digest cards instead.
 */
export class TeamsDelivery {
  private readonly queues = new Map<string, ConversationQueue>();
  private readonly global: SlidingWindowLimiter;
  private readonly signal = new StopSignal();
  readonly counters: TeamsDeliveryCounters = { posted: 0, postedWithoutId: 0, edited: 0, digests: 0, digestedAlerts: 0, throttled: 0, transientFailures: 0, globalPauses: 0, gone: 0, failed: 0 };

  constructor(
    private readonly deps: TeamsDeliveryDeps,
    private readonly options: TeamsDeliveryOptions,
  ) {
    this.global = new SlidingWindowLimiter(options.globalWindows, deps.clock);
  }

  private get random(): () => number {
    return this.deps.random ?? Math.random;
  }

  /** Queues everything the store says is unfinished: pending cards and digests, edits behind. */
  resume(): void {
    const { ledger } = this.deps;
    const pending: { seq: number; conversationId: string; job: PostJob }[] = [];
    for (const d of ledger.deliveries()) {
      if (d.target.kind !== 'teams') continue;
      if (d.state === 'pending') pending.push({ seq: d.seq, conversationId: d.target.conversationId, job: { kind: 'card', key: d.key } });
      else if (d.state === 'sent') this.planCardEdit(d);
    }
    for (const digest of ledger.digests()) {
      if (digest.state === 'pending') pending.push({ seq: digest.seq, conversationId: digest.conversationId, job: { kind: 'digest', id: digest.id } });
      else if (digest.state === 'sent' && digest.messageId && digest.shownRevision < digest.revision) this.scheduleEdit(digest.conversationId, { kind: 'digest', ref: digest.id, messageId: digest.messageId });
    }
    pending.sort((a, b) => a.seq - b.seq);
    this.rememberRecentPosts();
    for (const p of pending) this.queue(p.conversationId).posts.push(p.job);
    for (const q of this.queues.values()) this.kick(q);
  }

  /**
   * Teams still counts what this bot posted before a restart: the limiters start from the recorded
   * post times of the last hour, or the first seconds after a restart would draw 429s.
   */
  private rememberRecentPosts(): void {
    const { ledger } = this.deps;
    const since = this.deps.clock.nowMs() - 3_600_000;
    const byConversation = new Map<string, number[]>();
    const note = (conversationId: string, iso: string | undefined) => {
      const at = iso === undefined ? NaN : Date.parse(iso);
      if (!(at > since)) return;
      byConversation.set(conversationId, [...(byConversation.get(conversationId) ?? []), at]);
    };
    for (const d of ledger.deliveries()) if (d.target.kind === 'teams' && (d.state === 'sent' || d.state === 'sent-no-id')) note(d.target.conversationId, d.sentAt);
    // A digest's last change is no earlier than its post: counting it then errs on the safe side.
    for (const digest of ledger.digests()) if (digest.state === 'sent' || digest.state === 'sent-no-id') note(digest.conversationId, digest.updatedAt);
    for (const [conversationId, times] of byConversation) this.queue(conversationId).limiter.recordPast(times);
    this.global.recordPast([...byConversation.values()].flat());
  }

  /** Starts work whose records are on disk. */
  dispatch(work: readonly TeamsWork[]): void {
    const touched = new Set<ConversationQueue>();
    for (const item of work) {
      if (item.kind === 'post') {
        const d = this.deps.ledger.delivery(item.key);
        if (d?.target.kind !== 'teams' || d.state !== 'pending') continue;
        const q = this.queue(d.target.conversationId);
        if (!q.posts.some((j) => j.kind === 'card' && j.key === item.key)) q.posts.push({ kind: 'card', key: item.key });
        touched.add(q);
      } else if (item.kind === 'edit-card') {
        const d = this.deps.ledger.delivery(item.key);
        if (d) this.planCardEdit(d);
      } else {
        const digest = this.deps.ledger.digest(item.id);
        if (digest?.state === 'sent' && digest.messageId) this.scheduleEdit(digest.conversationId, { kind: 'digest', ref: digest.id, messageId: digest.messageId });
      }
    }
    for (const q of touched) this.kick(q);
  }

  /**
   * The alert behind `alertKey` has a newer version in the ledger: decide what each card it became
   * needs (an edit, a fresh card where Teams gave no id, a digest row) and record it. Returns the
   * work to dispatch once those records are on disk.
   */
  planChange(alertKey: string): TeamsWork[] {
    const { ledger } = this.deps;
    const snapshot = ledger.snapshot(alertKey);
    if (!snapshot) return [];
    const alert = ledger.alertBody(alertKey);
    const work: TeamsWork[] = [];
    for (const d of ledger.deliveriesOf(alertKey)) {
      if (d.target.kind !== 'teams') continue;
      if (d.state === 'sent' && d.messageId && !d.cardGone && d.shownVersion !== snapshot.version) work.push({ kind: 'edit-card', key: d.key });
      else if (d.state === 'sent-no-id' && d.shownVersion !== snapshot.version) {
        // No id to edit: the current state goes out as a fresh card.
        ledger.updateDelivery(d.key, { state: 'pending', attempts: 0 });
        work.push({ kind: 'post', key: d.key });
      } else if (d.state === 'digested' && d.digestId && alert) {
        work.push(...this.changeDigestRow(d, alert));
      }
    }
    return work;
  }

  private changeDigestRow(d: DeliveryRecord, alert: NonNullable<ReturnType<DeliveryLedger['alertBody']>>): TeamsWork[] {
    const { ledger } = this.deps;
    const digest = d.digestId ? ledger.digest(d.digestId) : undefined;
    const tenant = this.deps.tenants.find(d.tenantId);
    if (!digest || !tenant) return [];
    if (digest.state === 'sent-no-id') {
      ledger.updateDelivery(d.key, { state: 'pending', attempts: 0, digestId: undefined });
      return [{ kind: 'post', key: d.key }];
    }
    const item = digestItemOf(d.key, tenant, alert, d.options);
    const items = digest.items.map((i) => (i.deliveryKey === d.key ? item : i));
    ledger.putDigest({ ...digest, items, revision: digest.revision + 1, updatedAt: ledger.now() });
    return digest.state === 'sent' ? [{ kind: 'edit-digest', id: digest.id }] : [];
  }

  /** Backlog per conversation (posts and edits), for stats and tests. */
  backlog(): Map<string, number> {
    return new Map([...this.queues].map(([id, q]) => [id, q.size]));
  }

  /** True when no conversation has anything queued or in flight. */
  get idle(): boolean {
    return [...this.queues.values()].every((q) => q.size === 0 && !q.worker);
  }

  /** Stops taking jobs; waits (up to `timeoutMs`) for posts in flight to finish and be recorded. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.signal.stop();
    const workers = [...this.queues.values()].flatMap((q) => (q.worker ? [q.worker] : []));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    await Promise.race([Promise.all(workers), timeout]);
    if (timer) clearTimeout(timer);
  }

  private queue(conversationId: string): ConversationQueue {
    let q = this.queues.get(conversationId);
    if (!q) {
      q = new ConversationQueue(conversationId, new SlidingWindowLimiter(this.options.conversationWindows, this.deps.clock));
      this.queues.set(conversationId, q);
    }
    return q;
  }

  private planCardEdit(d: DeliveryRecord): void {
    if (d.target.kind !== 'teams' || d.state !== 'sent' || !d.messageId || d.cardGone) return;
    const snapshot = this.deps.ledger.snapshot(alertKeyOf(d.tenantId, d.alertId));
    if (!snapshot || snapshot.version === d.shownVersion || !this.deps.ledger.alertBody(alertKeyOf(d.tenantId, d.alertId))) return;
    this.scheduleEdit(d.target.conversationId, { kind: 'card', ref: d.key, messageId: d.messageId });
  }

  /** Coalesces: a card already waiting for an edit keeps its place and gets the newest state when it goes. */
  private scheduleEdit(conversationId: string, edit: Omit<EditJob, 'dueAt' | 'attempts'>): void {
    if (this.signal.isStopped) return;
    const q = this.queue(conversationId);
    if (!q.edits.has(edit.messageId)) q.edits.set(edit.messageId, { ...edit, dueAt: this.deps.clock.nowMs() + this.options.editDelayMs, attempts: 0 });
    this.kick(q);
  }

  private kick(q: ConversationQueue): void {
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
        if (!(await admit(this.deps.clock, q.limiter, this.global, this.signal))) {
          this.putBack(q, next);
          break;
        }
        await this.execute(q, next);
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
    if (overdue) return this.takeEdit(q, overdue);
    if (q.posts.length > 0) await this.maybeDigest(q);
    for (let job = q.posts.shift(); job; job = q.posts.shift()) {
      if (this.stillPending(job)) return { type: 'post', ...job };
    }
    const due = edits[0];
    if (!due) return undefined;
    return due.dueAt <= now ? this.takeEdit(q, due) : due.dueAt - now;
  }

  private takeEdit(q: ConversationQueue, edit: EditJob): Job {
    q.edits.delete(edit.messageId);
    return { type: 'edit', ...edit };
  }

  private putBack(q: ConversationQueue, job: Job): void {
    if (job.type === 'post') q.posts.unshift(job.kind === 'card' ? { kind: 'card', key: job.key } : { kind: 'digest', id: job.id });
    else if (!q.edits.has(job.messageId)) q.edits.set(job.messageId, { kind: job.kind, ref: job.ref, messageId: job.messageId, dueAt: job.dueAt, attempts: job.attempts });
  }

  private stillPending(job: PostJob): boolean {
    if (job.kind === 'card') return this.deps.ledger.delivery(job.key)?.state === 'pending';
    return this.deps.ledger.digest(job.id)?.state === 'pending';
  }

  private totalQueued(): number {
    let total = 0;
    for (const q of this.queues.values()) total += q.size;
    return total;
  }

  /**
   * Storm mode: if posting this conversation's backlog card by card would take longer than the
   * threshold under its own and the global limits, its pending alerts become digest cards.
   */
  private async maybeDigest(q: ConversationQueue): Promise<void> {
    const threshold = this.options.stormThresholdMs;
    if (threshold <= 0) return;
    const cards = q.posts.filter((j): j is Extract<PostJob, { kind: 'card' }> => j.kind === 'card' && this.stillPending(j));
    if (cards.length < 2) return;
    const drainMs = Math.max(q.limiter.timeToAdmitMs(q.size), this.global.timeToAdmitMs(this.totalQueued()));
    if (drainMs <= threshold) return;
    const { ledger } = this.deps;
    const digested = new Set<string>();
    const created: PostJob[] = [];
    let chunk: DigestRecord['items'] = [];
    const flushChunk = () => {
      if (chunk.length === 0) return;
      const now = ledger.now();
      const digest: DigestRecord = { id: `dg-${ledger.nextSeq()}-${randomBytes(3).toString('hex')}`, conversationId: q.id, state: 'pending', seq: ledger.nextSeq(), attempts: 0, createdAt: now, updatedAt: now, revision: 0, shownRevision: 0, items: chunk };
      ledger.putDigest(digest);
      for (const item of chunk) ledger.updateDelivery(item.deliveryKey, { state: 'digested', digestId: digest.id });
      created.push({ kind: 'digest', id: digest.id });
      chunk = [];
    };
    for (const job of cards) {
      const d = ledger.delivery(job.key);
      const alert = d ? ledger.alertBody(alertKeyOf(d.tenantId, d.alertId)) : undefined;
      const tenant = d ? this.deps.tenants.find(d.tenantId) : undefined;
      if (!d || !alert || !tenant) continue;
      chunk.push(digestItemOf(d.key, tenant, alert, d.options));
      digested.add(job.key);
      if (chunk.length >= this.options.digestMaxItems) flushChunk();
    }
    flushChunk();
    if (created.length === 0) return;
    const waitingDigests = q.posts.filter((j) => j.kind === 'digest');
    const leftCards = q.posts.filter((j) => j.kind === 'card' && !digested.has(j.key));
    q.posts = [...waitingDigests, ...created, ...leftCards];
    this.counters.digests += created.length;
    this.counters.digestedAlerts += digested.size;
    for (const key of digested) {
      const d = ledger.delivery(key);
      if (d) ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
    }
    this.deps.logger.info({ event: 'delivery.storm', conversationId: q.id, alerts: digested.size, digests: created.length, drainMs }, 'storm mode: posting digests instead of one card per alert');
    // The alerts must be on record as digested before the digest goes out, or a crash would post them twice.
    await ledger.journal.flush().catch((error: unknown) => this.deps.logger.error({ event: 'delivery.digest_unrecorded', err: error }, 'digest not recorded before posting'));
  }

  private async execute(q: ConversationQueue, job: Job): Promise<void> {
    const conversation = this.deps.conversations.get(q.id);
    if (!conversation?.active) {
      this.putBack(q, job);
      await this.conversationGone(q, conversation ? 'SOC Bridge was removed from this conversation' : 'SOC Bridge has never been added to this conversation');
      return;
    }
    try {
      if (job.type === 'edit') await (job.kind === 'card' ? this.editCard(q, conversation, job) : this.editDigest(q, conversation, job));
      else await (job.kind === 'card' ? this.postCard(q, conversation, job.key) : this.postDigest(q, conversation, job.id));
    } catch (error) {
      await this.failed(q, job, error);
    }
  }

  private async postCard(q: ConversationQueue, conversation: ConversationRecord, key: string): Promise<void> {
    const { ledger } = this.deps;
    const d = ledger.delivery(key);
    if (!d || d.state !== 'pending') return;
    const alertKey = alertKeyOf(d.tenantId, d.alertId);
    const alert = ledger.alertBody(alertKey);
    const tenant = this.deps.tenants.find(d.tenantId);
    if (!alert || !tenant) {
      this.giveUp({ type: 'post', kind: 'card', key }, alert ? 'the customer tenant is no longer known' : 'the alert data was lost before posting');
      return;
    }
    const { messageId } = await this.deps.messenger.send(conversation, deliveredAlertCard(tenant, alert, d.options));
    ledger.updateDelivery(key, { state: messageId ? 'sent' : 'sent-no-id', messageId, shownVersion: alert.lastUpdateDateTime, sentAt: ledger.now(), attempts: d.attempts + 1, error: undefined });
    if (messageId) this.counters.posted++;
    else this.counters.postedWithoutId++;
    // Changed while it was being posted: bring the card up to date.
    if (ledger.snapshot(alertKey)?.version !== alert.lastUpdateDateTime) this.dispatch(this.planChange(alertKey));
    ledger.releaseBodyIfIdle(alertKey);
  }

  private async postDigest(q: ConversationQueue, conversation: ConversationRecord, id: string): Promise<void> {
    const { ledger } = this.deps;
    const digest = ledger.digest(id);
    if (!digest || digest.state !== 'pending') return;
    const revision = digest.revision;
    const { messageId } = await this.deps.messenger.send(conversation, digestCard(digest, this.stormReason()));
    const now = ledger.now();
    const latest = ledger.digest(id) ?? digest;
    ledger.putDigest({ ...latest, state: messageId ? 'sent' : 'sent-no-id', ...(messageId ? { messageId } : {}), shownRevision: revision, attempts: latest.attempts + 1, updatedAt: now });
    if (messageId) this.counters.posted++;
    else this.counters.postedWithoutId++;
    if (messageId && latest.revision > revision) this.scheduleEdit(q.id, { kind: 'digest', ref: id, messageId });
  }

  private async editCard(q: ConversationQueue, conversation: ConversationRecord, job: EditJob): Promise<void> {
    const { ledger } = this.deps;
    const d = ledger.delivery(job.ref);
    if (!d || d.state !== 'sent' || d.messageId !== job.messageId || d.cardGone) return;
    const alertKey = alertKeyOf(d.tenantId, d.alertId);
    const alert = ledger.alertBody(alertKey);
    const tenant = this.deps.tenants.find(d.tenantId);
    if (!alert || !tenant || alert.lastUpdateDateTime === d.shownVersion) {
      ledger.releaseBodyIfIdle(alertKey);
      return;
    }
    await this.deps.messenger.update(conversation, job.messageId, deliveredAlertCard(tenant, alert, d.options));
    ledger.updateDelivery(job.ref, { shownVersion: alert.lastUpdateDateTime });
    this.counters.edited++;
    if (ledger.snapshot(alertKey)?.version !== alert.lastUpdateDateTime) this.planCardEdit(ledger.delivery(job.ref) ?? d);
    ledger.releaseBodyIfIdle(alertKey);
  }

  private async editDigest(q: ConversationQueue, conversation: ConversationRecord, job: EditJob): Promise<void> {
    const { ledger } = this.deps;
    const digest = ledger.digest(job.ref);
    if (!digest || digest.state !== 'sent' || digest.messageId !== job.messageId || digest.shownRevision >= digest.revision) return;
    const revision = digest.revision;
    await this.deps.messenger.update(conversation, job.messageId, digestCard(digest, this.stormReason()));
    const latest = ledger.digest(job.ref) ?? digest;
    ledger.putDigest({ ...latest, shownRevision: revision, updatedAt: ledger.now() });
    this.counters.edited++;
    if (latest.revision > revision) this.scheduleEdit(q.id, { kind: 'digest', ref: job.ref, messageId: job.messageId });
  }

  private stormReason(): string {
    const seconds = Math.round(this.options.stormThresholdMs / 1000);
    return `more alerts arrived than Teams lets one channel receive card by card within ${seconds} s`;
  }

  private async failed(q: ConversationQueue, job: Job, error: unknown): Promise<void> {
    const failure = error instanceof ChatDeliveryError ? error : new ChatDeliveryError('transient', undefined, undefined, error instanceof Error ? error.message : String(error));
    const now = this.deps.clock.nowMs();
    const log = { conversationId: q.id, job: job.type === 'post' ? job.kind : `edit-${job.kind}`, status: failure.status };
    if (failure.kind === 'throttled' || failure.kind === 'transient') {
      const throttled = failure.kind === 'throttled';
      const attempts = this.bumpAttempts(job);
      const limit = throttled ? this.options.maxThrottledAttempts : this.options.maxTransientAttempts;
      if (attempts >= limit) {
        this.giveUp(job, `${failure.message} (gave up after ${attempts} attempts)`);
        return;
      }
      const backoff = backoffDelayMs(attempts - 1, this.options.backoff, this.random);
      // Retry-After is a floor; a little jitter keeps every waiting conversation from resuming at once.
      const waitMs = failure.retryAfterMs === undefined ? backoff : Math.ceil(failure.retryAfterMs * (1 + 0.1 * this.random()));
      q.limiter.pauseUntil(now + waitMs);
      if (throttled) {
        // The Bot Framework client already retried this 429 with Retry-After: Teams wants every post to stop.
        this.global.pauseUntil(now + waitMs);
        this.counters.throttled++;
        this.counters.globalPauses++;
      } else {
        this.counters.transientFailures++;
      }
      this.putBack(q, job);
      this.deps.logger.warn({ event: throttled ? 'delivery.throttled' : 'delivery.retry', ...log, attempts, waitMs, global: throttled }, throttled ? 'Teams throttled SOC Bridge; pausing every conversation' : 'Teams post failed; retrying');
      return;
    }
    if (failure.kind === 'gone') {
      if (job.type === 'edit' && failure.status === 404) {
        // The card was deleted; the conversation may well be fine.
        if (job.kind === 'card') this.deps.ledger.updateDelivery(job.ref, { cardGone: true, error: 'the card was deleted in Teams' });
        else this.deps.ledger.putDigest({ ...(this.deps.ledger.digest(job.ref) as DigestRecord), state: 'gone', error: 'the digest card was deleted in Teams', updatedAt: this.deps.ledger.now() });
        this.deps.logger.info({ event: 'delivery.card_deleted', ...log }, 'a posted card was deleted; it is no longer edited');
        return;
      }
      this.putBack(q, job);
      await this.conversationGone(q, failure.message);
      return;
    }
    this.giveUp(job, failure.message);
  }

  private bumpAttempts(job: Job): number {
    const { ledger } = this.deps;
    if (job.type === 'edit') return ++job.attempts;
    if (job.kind === 'card') {
      const d = ledger.delivery(job.key);
      return ledger.updateDelivery(job.key, { attempts: (d?.attempts ?? 0) + 1 })?.attempts ?? 1;
    }
    const digest = ledger.digest(job.id);
    if (!digest) return 1;
    ledger.putDigest({ ...digest, attempts: digest.attempts + 1, updatedAt: ledger.now() });
    return digest.attempts + 1;
  }

  /** Records that a job will not be retried; new cards become `failed`, edits stop at this version. */
  private giveUp(job: Job, reason: string): void {
    const { ledger, logger } = this.deps;
    this.counters.failed++;
    logger.error({ event: 'delivery.failed', job: job.type === 'post' ? job.kind : `edit-${job.kind}`, ref: job.type === 'post' ? (job.kind === 'card' ? job.key : job.id) : job.ref, reason }, 'a Teams delivery was given up');
    if (job.type === 'post' && job.kind === 'card') {
      const d = ledger.updateDelivery(job.key, { state: 'failed', error: reason });
      if (d) ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
    } else if (job.type === 'post') {
      this.closeDigest(job.id, 'failed', reason);
    } else if (job.kind === 'card') {
      const d = ledger.delivery(job.ref);
      const snapshot = d ? ledger.snapshot(alertKeyOf(d.tenantId, d.alertId)) : undefined;
      if (d && snapshot) {
        ledger.updateDelivery(job.ref, { shownVersion: snapshot.version, error: `edit failed: ${reason}` });
        ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
      }
    } else {
      const digest = ledger.digest(job.ref);
      if (digest) ledger.putDigest({ ...digest, shownRevision: digest.revision, error: `edit failed: ${reason}`, updatedAt: ledger.now() });
    }
  }

  private closeDigest(id: string, state: 'failed' | 'gone', reason: string): void {
    const { ledger } = this.deps;
    const digest = ledger.digest(id);
    if (!digest) return;
    ledger.putDigest({ ...digest, state, error: reason, updatedAt: ledger.now() });
    for (const item of digest.items) {
      const d = ledger.delivery(item.deliveryKey);
      if (d?.state === 'digested' && d.digestId === id) ledger.updateDelivery(item.deliveryKey, { state, error: reason });
    }
  }

  /**
   * Teams says the bot cannot post here (403/404, or the bot was removed): everything waiting for
   * this conversation is closed as `gone`, the link is marked broken, and the SOC is told once.
   */
  private async conversationGone(q: ConversationQueue, reason: string): Promise<void> {
    const { ledger, logger } = this.deps;
    let alerts = 0;
    for (const job of q.posts) {
      if (job.kind === 'card') {
        const d = ledger.delivery(job.key);
        if (d?.state !== 'pending') continue;
        ledger.updateDelivery(job.key, { state: 'gone', error: reason });
        ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
        alerts++;
      } else {
        alerts += ledger.digest(job.id)?.items.length ?? 0;
        this.closeDigest(job.id, 'gone', reason);
      }
    }
    q.posts = [];
    q.edits.clear();
    this.counters.gone++;
    logger.warn({ event: 'delivery.conversation_gone', conversationId: q.id, reason, undelivered: alerts }, 'Teams conversation is gone; alert link marked broken');
    const first = await this.deps.linkHealth.markBroken(q.id, reason).catch((error: unknown) => {
      logger.error({ event: 'delivery.mark_broken_failed', conversationId: q.id, err: error }, 'could not mark the link broken');
      return false;
    });
    if (!first) return;
    const name = this.describe(q.id);
    await this.deps.soc.notify(
      notice({
        tone: 'warning',
        title: 'Alert channel broken',
        text: `SOC Bridge can no longer post alerts in ${name}: ${reason}. ${alerts} waiting alert${alerts === 1 ? ' was' : 's were'} not delivered there.`,
        details: ['Add SOC Bridge to that channel again and link it again, or link another channel; run "channels" to see every link.'],
      }),
      'delivery.link_broken',
    );
  }

  private describe(conversationId: string): string {
    const c = this.deps.conversations.get(conversationId);
    if (c?.channelName) return `${c.teamName ? `${c.teamName} › ` : ''}${c.channelName}`;
    return c?.title ?? conversationId;
  }
}
