import type { DeliveryError } from '../errors.js';
import { decideOnFailure, type RetryLimits } from './failure-policy.js';
import { GenericThreads, eventIdOf, type ThreadStep } from './generic-threads.js';
import { threadEditsBehind } from './incident-reader.js';
import { alertKeyOf } from './ledger.js';
import { StopSignal, sleepUnless } from './pacing.js';
import { stopWithin } from '../stop-within.js';
import type { DeliveryTarget } from './ports.js';
import type { DeliveryRecord } from './store-schema.js';
import type { IncidentNotification, Notification, TargetSender } from './targets/target-kind.js';
import type { DeliveryWork, DeliveryWorker, WorkerContext } from './worker.js';

export interface GenericWorkerOptions {
  /** The target kind it delivers. */
  readonly kind: string;
  /** Messages sent at the same time. */
  readonly concurrency: number;
  readonly limits: RetryLimits;
  /** A sent delivery follows its alert: each newer version goes out as an `updated` event. */
  readonly followsChanges: boolean;
  /** A target that refuses for good is marked failing (shown by `rules` and `channels`) and the SOC is told once. */
  readonly reportsHealth: boolean;
  /** The target's key within the registry (`kind:…`), for its health and its pause. */
  targetKeyOf(target: DeliveryTarget): string;
  /** The target for people, in the SOC's notice. */
  show(target: DeliveryTarget): string;
}

/** Queue entries for incident threads (`incident.updated`) carry this before the thread's key. */
const THREAD_REF = 'thread:';

/**
 * The worker for kinds that need no pacing of their own (email, webhooks): a queue with a few
 * messages in flight, retries with backoff through the failure policy (a target that says "too
 * many" pauses only itself, for as long as it asked), and permanent failures given up at once. One
 * instance per kind, so a slow mail server never holds up a webhook, nor either of them Teams.
 * A kind whose sender takes incident messages delivers rules with `group:incident` by incident
 * thread (see GenericThreads); one thread's first message is sent before any other of its alerts.
 */
export class GenericWorker implements DeliveryWorker {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  /** Keys dispatched again while in flight: looked at once more when their attempt ends. */
  private readonly again = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retrying = new Set<Promise<void>>();
  private readonly updateAttempts = new Map<string, number>();
  private readonly pausedUntil = new Map<string, number>();
  private readonly signal = new StopSignal();
  private readonly count = { sent: 0, updates: 0, retried: 0, failed: 0 };
  private readonly threads: GenericThreads;
  /** Threads whose first message is on its way, with the deliveries waiting for it. */
  private readonly opening = new Map<string, string[]>();
  /** The delivery sending each of those first messages, by its key. */
  private readonly openers = new Map<string, string>();

  constructor(
    private readonly ctx: WorkerContext,
    private readonly sender: TargetSender,
    private readonly options: GenericWorkerOptions,
  ) {
    this.threads = new GenericThreads({ ledger: ctx.ledger });
  }

  /** Rules with `group:incident` reach this kind by incident thread when its sender takes incident messages. */
  get threadsIncidents(): boolean {
    return this.sender.sendIncident !== undefined;
  }

  resume(): void {
    const mine = [...this.ctx.ledger.deliveries()].filter((d) => d.target.kind === this.options.kind).sort((a, b) => a.seq - b.seq);
    this.enqueue(mine.filter((d) => d.state === 'pending' || this.behind(d)).map((d) => d.key));
    this.dispatch(threadEditsBehind(this.ctx.ledger).filter((w) => w.targetKind === this.options.kind));
  }

  dispatch(work: readonly DeliveryWork[]): void {
    this.enqueue(work.flatMap((w) => (w.action !== 'edit-thread' ? [w.ref] : this.sender.followsIncidents ? [`${THREAD_REF}${w.ref}`] : [])));
  }

  planChange(alertKey: string): DeliveryWork[] {
    return this.ctx.ledger
      .deliveriesOf(alertKey)
      .filter((d) => d.target.kind === this.options.kind && this.behind(d))
      .map((d) => ({ targetKind: this.options.kind, action: 'update', ref: d.key }));
  }

  /** Alerts delivered in an incident thread are followed by the incident's own updates, not one by one. */
  followsChanges(d: DeliveryRecord): boolean {
    return this.options.followsChanges && d.state === 'sent' && !d.sample && d.threadRole === undefined;
  }


  counters(): Readonly<Record<string, number>> {
    return { ...this.count };
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight.size === 0 && this.retrying.size === 0;
  }

  async stop(timeoutMs = 10_000): Promise<void> {
    this.signal.stop();
    await stopWithin(timeoutMs, Promise.all([...this.inFlight]));
  }

  private behind(d: DeliveryRecord): boolean {
    if (!this.followsChanges(d)) return false;
    const snapshot = this.ctx.ledger.snapshot(alertKeyOf(d.tenantId, d.alertId));
    return snapshot !== undefined && snapshot.version !== d.shownVersion;
  }

  private enqueue(keys: readonly string[]): void {
    for (const key of keys) {
      if (this.active.has(key)) this.again.add(key);
      else if (!this.queued.has(key)) {
        this.queued.add(key);
        this.queue.push(key);
      }
    }
    this.pump();
  }

  private pump(): void {
    while (!this.signal.isStopped && this.inFlight.size < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      const target = this.targetOf(key);
      const pausedFor = target ? (this.pausedUntil.get(this.options.targetKeyOf(target)) ?? 0) - this.ctx.clock.nowMs() : 0;
      if (pausedFor > 0) {
        this.retryLater(key, pausedFor);
        continue;
      }
      this.active.add(key);
      const sending: Promise<void> = this.sendOne(key)
        .catch((error: unknown) => this.ctx.logger.error({ event: 'delivery.worker_failed', kind: this.options.kind, err: error }, 'a delivery worker failed'))
        .finally(() => {
          this.inFlight.delete(sending);
          this.active.delete(key);
          this.releaseWaiters(key);
          if (this.again.delete(key)) this.enqueue([key]);
          else this.pump();
        });
      this.inFlight.add(sending);
    }
  }

  private targetOf(key: string) {
    if (key.startsWith(THREAD_REF)) return this.ctx.ledger.incidents.thread(key.slice(THREAD_REF.length))?.target;
    return this.ctx.ledger.delivery(key)?.target;
  }

  /** Whether a pending alert of the thread is queued or being sent. */
  private alertOnItsWay(threadKey: string): boolean {
    const { ledger } = this.ctx;
    const waiting = [...this.queue, ...this.active, ...(this.opening.get(threadKey) ?? [])];
    return waiting.some((key) => {
      const d = ledger.delivery(key);
      return d?.state === 'pending' && d.threadKey === threadKey;
    });
  }

  /** A thread's first message is done with (sent, retrying or given up): the deliveries waiting for it go on. */
  private releaseWaiters(key: string): void {
    const threadKey = this.openers.get(key);
    if (threadKey === undefined) return;
    this.openers.delete(key);
    const waiting = this.opening.get(threadKey) ?? [];
    this.opening.delete(threadKey);
    this.enqueue(waiting);
  }

  private async sendOne(key: string): Promise<void> {
    if (key.startsWith(THREAD_REF)) return this.sendIncidentUpdate(key);
    const { ledger, tenants } = this.ctx;
    const d = ledger.delivery(key);
    if (!d || d.target.kind !== this.options.kind) return;
    const update = d.state !== 'pending';
    if (update && !this.behind(d)) return;
    const alertKey = alertKeyOf(d.tenantId, d.alertId);
    const alert = ledger.alertBody(alertKey);
    const tenant = tenants.find(d.tenantId);
    if (!alert || !tenant) return this.giveUp(d, update, alert ? 'the customer tenant is no longer known' : 'the alert data was lost before sending');
    const step: ThreadStep = !update && d.threadKey && this.sender.sendIncident ? this.threads.step(d, tenant, alert, new Set(this.opening.keys())) : { kind: 'alone' };
    if (step.kind === 'wait') {
      this.opening.get(step.threadKey)?.push(key);
      return;
    }
    const event: Notification['event'] = d.sample ? 'sample' : update ? 'updated' : 'new';
    const notification: Notification = { event, eventId: eventIdOf(key, event, alert.lastUpdateDateTime), tenant, alert, options: d.options, ruleId: d.ruleId, ...(d.sample ? { sample: d.sample } : {}) };
    // The entry stays pending for whichever instance runs delivery now.
    if (!this.ctx.mayDeliver()) return;
    if (step.kind === 'open' && d.threadKey) {
      this.opening.set(d.threadKey, []);
      this.openers.set(key, d.threadKey);
    }
    try {
      if (step.kind === 'open' || step.kind === 'add') await this.sendIncidentMessage(d.target, step.notification);
      else if (step.kind === 'alone') await this.sender.send(d.target, notification);
    } catch (error) {
      return this.failed(d, update, this.sender.classify(error));
    }
    if (step.kind !== 'alone') {
      if (step.kind === 'open') this.threads.opened(d, alert, step.incidentVersion);
      else this.threads.delivered(d, alert, step.kind === 'add' ? 'reply' : 'card', step.kind === 'add' ? step.incidentVersion : undefined);
      // The incident was read (or changed) while this message was on its way.
      if (this.sender.followsIncidents && d.threadKey && this.threads.updateOf(d.threadKey, tenants)) this.enqueue([`${THREAD_REF}${d.threadKey}`]);
      this.count.sent++;
    } else if (update) {
      ledger.updateDelivery(key, { shownVersion: alert.lastUpdateDateTime, error: undefined });
      this.updateAttempts.delete(key);
      this.count.updates++;
    } else {
      ledger.updateDelivery(key, { state: 'sent', sentAt: ledger.now(), shownVersion: alert.lastUpdateDateTime, attempts: d.attempts + 1, error: undefined });
      this.count.sent++;
    }
    if (this.options.reportsHealth && step.kind !== 'listed') this.ctx.health.succeeded(this.options.targetKeyOf(d.target), !d.sample);
    this.ctx.outcomes.settled(key, { status: 'sent' });
    const latest = ledger.delivery(key);
    // Changed while it was on its way: the newer version follows as an update.
    if (latest && this.behind(latest)) this.again.add(key);
    ledger.releaseBodyIfIdle(alertKey);
  }

  private sendIncidentMessage(target: DeliveryRecord['target'], notification: IncidentNotification): Promise<void> {
    if (!this.sender.sendIncident) throw new Error(`${this.options.kind} sends no incident messages`);
    return this.sender.sendIncident(target, notification);
  }

  /** `incident.updated` for a thread behind its incident (`ref` is `thread:<key>`). */
  private async sendIncidentUpdate(ref: string): Promise<void> {
    const threadKey = ref.slice(THREAD_REF.length);
    const due = this.threads.updateOf(threadKey, this.ctx.tenants);
    // An alert of the thread on its way carries the incident itself (and checks for an update once sent).
    if (!due || due.thread.target.kind !== this.options.kind || !this.sender.followsIncidents || this.alertOnItsWay(threadKey) || !this.ctx.mayDeliver()) return;
    const targetKey = this.options.targetKeyOf(due.thread.target);
    try {
      await this.sendIncidentMessage(due.thread.target, due.notification);
    } catch (error) {
      const failure = this.sender.classify(error);
      const attempts = (this.updateAttempts.get(ref) ?? 0) + 1;
      const decision = decideOnFailure({ failure, attempts, edit: true }, this.options.limits, this.ctx.random);
      if (decision.action === 'retry') {
        this.updateAttempts.set(ref, attempts);
        if (decision.throttled) this.pausedUntil.set(targetKey, this.ctx.clock.nowMs() + decision.waitMs);
        this.count.retried++;
        this.ctx.logger.warn({ event: 'delivery.retry', kind: this.options.kind, key: threadKey, status: failure.status, attempts, waitMs: decision.waitMs, err: failure.message }, 'incident update not delivered; retrying');
        return this.retryLater(ref, decision.waitMs);
      }
      this.updateAttempts.delete(ref);
      this.threads.shown(threadKey, due.version, `update failed: ${decision.reason}`);
      this.count.failed++;
      this.ctx.logger.error({ event: 'delivery.given_up', kind: this.options.kind, key: threadKey, update: true, reason: decision.reason }, 'an incident update was given up');
      if (this.options.reportsHealth && this.ctx.health.failed(targetKey, decision.reason)) void this.ctx.notices.targetFailing(this.options.show(due.thread.target), decision.reason);
      return;
    }
    this.updateAttempts.delete(ref);
    this.threads.shown(threadKey, due.version);
    this.count.updates++;
    if (this.options.reportsHealth) this.ctx.health.succeeded(targetKey, true);
    // Changed again while it was on its way: the newer version follows.
    if (this.threads.updateOf(threadKey, this.ctx.tenants)) this.again.add(ref);
  }

  private failed(d: DeliveryRecord, update: boolean, failure: DeliveryError): void {
    const { ledger, logger } = this.ctx;
    const attempts = update ? (this.updateAttempts.get(d.key) ?? 0) + 1 : d.attempts + 1;
    const decision = decideOnFailure({ failure, attempts, edit: update }, this.options.limits, this.ctx.random);
    if (decision.action !== 'retry') return this.giveUp(d, update, decision.reason, failure);
    if (update) this.updateAttempts.set(d.key, attempts);
    else ledger.updateDelivery(d.key, { attempts, error: failure.message });
    if (decision.throttled) this.pausedUntil.set(this.options.targetKeyOf(d.target), this.ctx.clock.nowMs() + decision.waitMs);
    this.count.retried++;
    this.ctx.outcomes.retrying(d.key, failure);
    logger.warn({ event: 'delivery.retry', kind: this.options.kind, key: d.key, status: failure.status, attempts, waitMs: decision.waitMs, err: failure.message }, 'not delivered; retrying');
    this.retryLater(d.key, decision.waitMs);
  }

  private retryLater(key: string, waitMs: number): void {
    const retry: Promise<void> = sleepUnless(this.ctx.clock, waitMs, this.signal).then(() => {
      this.retrying.delete(retry);
      if (!this.signal.isStopped) this.enqueue([key]);
    });
    this.retrying.add(retry);
  }

  /** A new message becomes `failed`; an update stops at this version (the next change tries again). */
  private giveUp(d: DeliveryRecord, update: boolean, reason: string, failure?: DeliveryError): void {
    const { ledger, logger } = this.ctx;
    const alertKey = alertKeyOf(d.tenantId, d.alertId);
    if (update) {
      this.updateAttempts.delete(d.key);
      const snapshot = ledger.snapshot(alertKey);
      ledger.updateDelivery(d.key, { ...(snapshot ? { shownVersion: snapshot.version } : {}), error: `update failed: ${reason}` });
    } else {
      ledger.updateDelivery(d.key, { state: 'failed', error: reason });
      this.threads.openGivenUp(d, reason);
      this.ctx.outcomes.settled(d.key, { status: 'failed', reason, ...(failure ? { failure } : {}) });
    }
    this.count.failed++;
    logger.error({ event: 'delivery.given_up', kind: this.options.kind, key: d.key, update, reason }, 'a delivery was given up');
    ledger.releaseBodyIfIdle(alertKey);
    if (this.options.reportsHealth && failure && this.ctx.health.failed(this.options.targetKeyOf(d.target), reason)) {
      void this.ctx.notices.targetFailing(this.options.show(d.target), reason);
    }
  }
}
