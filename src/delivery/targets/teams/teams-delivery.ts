import type { DeliveryError } from '../../../errors.js';
import type { RateWindow } from '../../../rate-limit/sliding-window.js';
import type { ConversationRecord } from '../../../conversations/conversation-schema.js';
import { decideOnFailure, type RetryLimits } from '../../failure-policy.js';
import type { DeliveryTarget } from '../../ports.js';
import type { CardMark, DeliveryRecord } from '../../store-schema.js';
import type { ChangeOrigin, DeliveryWork, DeliveryWorker, WorkerContext } from '../../worker.js';
import { CardPublisher, type PublishOutcome } from './card-publisher.js';
import { ChangePlanner, followsChanges, type TeamsWork } from './change-planner.js';
import { ConversationQueues, type ConversationQueue, type Job, type PostJob } from './conversation-queues.js';
import { emptyTeamsCounters, type TeamsDeliveryCounters } from './counters.js';
import { StormPlanner } from './storm.js';
import { conversationOf } from './teams-address.js';
import { TeamsRecords, jobLabel } from './teams-records.js';
import { threadEditsBehind } from '../../incident-reader.js';

export interface TeamsDeliveryOptions extends RetryLimits {
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
}

/**
 * The Teams worker: conversation queues paced to Teams' limits, storm planning, card publishing
 * and the failure policy, put together. A 429 that outlasts the Bot Framework client's own retries
 * pauses every conversation (Teams said stop); 412/5xx back off this conversation only; 403/404
 * mark the link broken and tell the SOC once.
 */
export class TeamsDelivery implements DeliveryWorker {
  /** Rules with `group:incident` reach Teams by incident thread. */
  readonly threadsIncidents = true;
  private readonly count: TeamsDeliveryCounters = emptyTeamsCounters();
  private readonly queues: ConversationQueues;
  private readonly storm: StormPlanner;
  private readonly publisher: CardPublisher;
  private readonly planner: ChangePlanner;
  private readonly records: TeamsRecords;

  constructor(
    private readonly deps: WorkerContext,
    private readonly options: TeamsDeliveryOptions,
  ) {
    const { ledger, tenants, logger, outcomes } = deps;
    const stillPending = (job: PostJob) => (job.kind === 'card' ? ledger.delivery(job.key)?.state === 'pending' : ledger.digest(job.id)?.state === 'pending');
    this.queues = new ConversationQueues({ clock: deps.clock, logger }, options, {
      stillPending,
      beforePosts: (q) => this.storm.maybeDigest(q),
      execute: (q, job) => this.execute(q, job),
    });
    this.storm = new StormPlanner({ ledger, tenants, queues: this.queues, counters: this.count, logger, stillPending }, options);
    this.planner = new ChangePlanner({ ledger, tenants });
    this.records = new TeamsRecords({ ledger, counters: this.count, outcomes, logger });
    this.publisher = new CardPublisher({
      ledger,
      messenger: deps.messenger,
      tenants,
      counters: this.count,
      outcomes,
      stormReason: () => this.storm.reason(),
      followUps: {
        alertChanged: (alertKey) => this.start(this.planner.planChange(alertKey)),
        cardBehind: (key) => this.planCardEdit(ledger.delivery(key)),
        digestBehind: (conversationId, id, messageId) => this.queues.scheduleEdit(conversationId, { kind: 'digest', ref: id, messageId }),
        threadBehind: (conversationId, key, messageId) => this.queues.scheduleEdit(conversationId, { kind: 'thread', ref: key, messageId }),
      },
    });
  }

  /** Queues everything the store says is unfinished: pending cards and digests, edits behind. */
  resume(): void {
    const { ledger } = this.deps;
    const pending: { seq: number; conversationId: string; job: PostJob }[] = [];
    for (const d of ledger.deliveries()) {
      const conversationId = conversationOf(d.target);
      if (conversationId === undefined) continue;
      if (d.state === 'pending') pending.push({ seq: d.seq, conversationId, job: { kind: 'card', key: d.key } });
      else if (d.state === 'sent') this.planCardEdit(d);
    }
    for (const digest of ledger.digests()) {
      if (digest.state === 'pending') pending.push({ seq: digest.seq, conversationId: digest.conversationId, job: { kind: 'digest', id: digest.id } });
      else if (digest.state === 'sent' && digest.messageId && digest.shownRevision < digest.revision) this.queues.scheduleEdit(digest.conversationId, { kind: 'digest', ref: digest.id, messageId: digest.messageId });
    }
    for (const edit of threadEditsBehind(ledger)) this.startThreadEdit(edit.ref);
    pending.sort((a, b) => a.seq - b.seq);
    this.rememberRecentPosts();
    for (const p of pending) this.queues.queue(p.conversationId).posts.push(p.job);
    for (const q of this.queues.all()) this.queues.kick(q);
  }

  dispatch(work: readonly DeliveryWork[]): void {
    for (const w of work) if (w.action === 'edit-thread') this.startThreadEdit(w.ref);
    this.start(work.flatMap((w): TeamsWork[] => (w.action === 'post' || w.action === 'edit-card' ? [{ kind: w.action, key: w.ref }] : w.action === 'edit-digest' ? [{ kind: 'edit-digest', id: w.ref }] : [])));
  }

  /** What the alert's cards need now that the ledger holds a newer version (see ChangePlanner). */
  planChange(alertKey: string): DeliveryWork[] {
    return this.planner.planChange(alertKey).map((w) => ({ targetKind: 'teams', action: w.kind, ref: w.kind === 'edit-digest' ? w.id : w.key }));
  }

  followsChanges(d: DeliveryRecord): boolean {
    return followsChanges(d);
  }

  /** Marks the alert's own cards (not an incident card that lists it, not a sample, not one Teams lost). */
  mark(alertKey: string, mark: CardMark): number {
    let marked = 0;
    for (const d of this.deps.ledger.deliveriesOf(alertKey)) {
      if (d.target.kind !== 'teams' || d.sample || d.threadRole === 'card' || d.cardGone || d.state === 'failed' || d.state === 'gone') continue;
      if (d.mark?.text !== mark.text || d.mark.color !== mark.color) this.deps.ledger.updateDelivery(d.key, { mark });
      marked++;
    }
    return marked;
  }

  /** The card the analyst clicked already shows the change: it is not edited again. */
  changedFrom(origin: ChangeOrigin, alertKey: string, version: string): void {
    if (!origin.messageId) return;
    const clicked = this.deps.ledger.deliveriesOf(alertKey).find((d) => conversationOf(d.target) === origin.conversationId && d.messageId === origin.messageId);
    if (clicked) this.deps.ledger.updateDelivery(clicked.key, { shownVersion: version });
  }


  /** The incident card the analyst clicked shows the change and who made it: it is not redrawn. */
  incidentChangedFrom(origin: ChangeOrigin, incidentKey: string, version: string): void {
    if (!origin.messageId) return;
    const { ledger } = this.deps;
    const clicked = ledger.incidents.threadsOf(incidentKey).find((t) => conversationOf(t.target) === origin.conversationId && t.messageId === origin.messageId);
    if (clicked) ledger.incidents.putThread({ ...clicked, shownVersion: version, updatedAt: ledger.now() });
  }

  counters(): Readonly<Record<string, number>> {
    return { ...this.count };
  }

  /** True when no conversation has anything queued or in flight. */
  get idle(): boolean {
    return this.queues.idle;
  }

  /** Stops taking jobs; waits (up to `timeoutMs`) for posts in flight to finish and be recorded. */
  stop(timeoutMs = 10_000): Promise<void> {
    return this.queues.stop(timeoutMs);
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
    for (const d of ledger.deliveries()) {
      const conversationId = conversationOf(d.target);
      if (conversationId !== undefined && (d.state === 'sent' || d.state === 'sent-no-id')) note(conversationId, d.sentAt);
    }
    // A digest's last change is no earlier than its post: counting it then errs on the safe side.
    for (const digest of ledger.digests()) if (digest.state === 'sent' || digest.state === 'sent-no-id') note(digest.conversationId, digest.updatedAt);
    for (const [conversationId, times] of byConversation) this.queues.queue(conversationId).limiter.recordPast(times);
    this.queues.global.recordPast([...byConversation.values()].flat());
  }

  private start(work: readonly TeamsWork[]): void {
    const touched = new Set<ConversationQueue>();
    for (const item of work) {
      if (item.kind === 'post') {
        const d = this.deps.ledger.delivery(item.key);
        const conversationId = d ? conversationOf(d.target) : undefined;
        if (conversationId === undefined || d?.state !== 'pending') continue;
        const q = this.queues.queue(conversationId);
        this.queues.addCard(q, item.key);
        touched.add(q);
      } else if (item.kind === 'edit-card') {
        this.planCardEdit(this.deps.ledger.delivery(item.key));
      } else {
        const digest = this.deps.ledger.digest(item.id);
        if (digest?.state === 'sent' && digest.messageId) this.queues.scheduleEdit(digest.conversationId, { kind: 'digest', ref: digest.id, messageId: digest.messageId });
      }
    }
    for (const q of touched) this.queues.kick(q);
  }

  private startThreadEdit(threadKey: string): void {
    const thread = this.deps.ledger.incidents.thread(threadKey);
    const conversationId = thread ? conversationOf(thread.target) : undefined;
    if (thread?.messageId && conversationId !== undefined) this.queues.scheduleEdit(conversationId, { kind: 'thread', ref: threadKey, messageId: thread.messageId });
  }

  private planCardEdit(d: DeliveryRecord | undefined): void {
    const conversationId = d ? conversationOf(d.target) : undefined;
    if (!d || conversationId === undefined || !d.messageId || !this.planner.cardBehind(d)) return;
    this.queues.scheduleEdit(conversationId, { kind: 'card', ref: d.key, messageId: d.messageId });
  }

  private async execute(q: ConversationQueue, job: Job): Promise<void> {
    const conversation = this.deps.conversations.get(q.id);
    if (!conversation?.active) {
      q.putBack(job);
      await this.conversationGone(q, conversation ? 'SOC Bridge was removed from this conversation' : 'SOC Bridge has never been added to this conversation');
      return;
    }
    const outcome = await this.publish(conversation, job);
    if (outcome.status === 'unpublishable') this.records.giveUp(job, outcome.reason);
    else if (outcome.status === 'failed') await this.failed(q, job, outcome.failure);
  }

  private publish(conversation: ConversationRecord, job: Job): Promise<PublishOutcome> {
    if (job.type === 'post') return job.kind === 'card' ? this.publisher.postCard(conversation, job.key) : this.publisher.postDigest(conversation, job.id);
    if (job.kind === 'thread') return this.publisher.editThread(conversation, job.ref, job.messageId);
    return job.kind === 'card' ? this.publisher.editCard(conversation, job.ref, job.messageId) : this.publisher.editDigest(conversation, job.ref, job.messageId);
  }

  private async failed(q: ConversationQueue, job: Job, failure: DeliveryError): Promise<void> {
    const { logger } = this.deps;
    const retrying = failure.kind === 'throttled' || failure.kind === 'transient';
    const attempts = retrying ? this.records.bumpAttempts(job) : 0;
    const decision = decideOnFailure({ failure, attempts, edit: job.type === 'edit' }, this.options, this.deps.random);
    const log = { conversationId: q.id, job: jobLabel(job).job, status: failure.status };
    switch (decision.action) {
      case 'retry': {
        const now = this.deps.clock.nowMs();
        q.limiter.pauseUntil(now + decision.waitMs);
        if (decision.throttled) {
          // The Bot Framework client already retried this 429 with Retry-After: Teams wants every post to stop.
          this.queues.global.pauseUntil(now + decision.waitMs);
          this.count.throttled++;
          this.count.globalPauses++;
        } else {
          this.count.transientFailures++;
        }
        if (job.type === 'post' && job.kind === 'card') this.deps.outcomes.retrying(job.key, failure);
        q.putBack(job);
        logger.warn({ event: decision.throttled ? 'delivery.throttled' : 'delivery.retry', ...log, attempts, waitMs: decision.waitMs, global: decision.throttled }, decision.throttled ? 'Teams throttled SOC Bridge; pausing every conversation' : 'Teams post failed; retrying');
        return;
      }
      case 'give-up':
        this.records.giveUp(job, decision.reason, failure);
        return;
      case 'gone':
        if (decision.scope === 'message' && job.type === 'edit') {
          // The card was deleted; the conversation may well be fine.
          this.records.messageDeleted(job);
          logger.info({ event: 'delivery.card_deleted', ...log }, 'a posted card was deleted; it is no longer edited');
          return;
        }
        q.putBack(job);
        await this.conversationGone(q, goneReason(failure), failure);
    }
  }

  /**
   * Teams says the bot cannot post here (403/404, or the bot was removed): everything waiting for
   * this conversation is closed as `gone`, the link is marked broken, and the SOC is told once.
   */
  private async conversationGone(q: ConversationQueue, reason: string, failure?: DeliveryError): Promise<void> {
    const { logger } = this.deps;
    // The link is marked broken before the waiting records are closed, so whoever hears of the
    // failure (a rule test's report) finds the link broken already.
    const first = await this.deps.linkHealth.markBroken(q.id, reason).catch((error: unknown) => {
      logger.error({ event: 'delivery.mark_broken_failed', conversationId: q.id, err: error }, 'could not mark the link broken');
      return false;
    });
    const undelivered = this.records.closeConversation(q, reason, failure);
    this.count.gone++;
    logger.warn({ event: 'delivery.conversation_gone', conversationId: q.id, reason, undelivered }, 'Teams conversation is gone; alert link marked broken');
    if (first) await this.deps.notices.channelBroken(q.id, reason, undelivered);
  }
}

/** Why a conversation is gone, as its links (and `channels`) show it. */
function goneReason(failure: DeliveryError): string {
  return `Teams refused the post (${failure.status ?? 'no status'}): the bot was removed or the channel is gone`;
}
