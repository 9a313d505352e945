import type { Clock } from '../clock.js';
import type { Alert } from '../defender/alert.js';
import type { Logger } from '../log.js';
import { backoffDelayMs } from '../rate-limit/backoff.js';
import type { TenantRecord } from '../store/schema.js';
import { alertKeyOf, type DeliveryLedger } from './ledger.js';
import { StopSignal, sleepUnless, stopWithin } from './pacing.js';
import { EmailDeliveryError, type ContentOptions, type EmailSender, type OutgoingEmail } from './ports.js';

/** Turns an alert into the mail one rule sends one address (routing renders; delivery sends). */
export interface AlertEmailComposer {
  compose(input: { tenant: TenantRecord; alert: Alert; options: ContentOptions; to: string; ruleId?: string }): OutgoingEmail;
}

export interface EmailDeliveryOptions {
  /** Mails sent at the same time. */
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly backoff: { readonly baseMs: number; readonly capMs: number };
}

export interface EmailDeliveryCounters {
  sent: number;
  retried: number;
  failed: number;
}

/**
 * Email targets: a queue of its own with a few mails in flight, so a slow or failing mail server
 * never holds up Teams. Transient failures retry with backoff; rejected mails fail at once.
 */
export class EmailDelivery {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly retrying = new Set<Promise<void>>();
  private readonly signal = new StopSignal();
  readonly counters: EmailDeliveryCounters = { sent: 0, retried: 0, failed: 0 };

  constructor(
    private readonly deps: {
      ledger: DeliveryLedger;
      sender: EmailSender | undefined;
      composer: AlertEmailComposer | undefined;
      tenants: { find(ref: string): TenantRecord | undefined };
      clock: Clock;
      logger: Logger;
      random?: () => number;
    },
    private readonly options: EmailDeliveryOptions,
  ) {}

  /** Queues every pending email delivery (at start). */
  resume(): void {
    const pending = [...this.deps.ledger.deliveries()].filter((d) => d.target.kind === 'email' && d.state === 'pending').sort((a, b) => a.seq - b.seq);
    this.enqueue(pending.map((d) => d.key));
  }

  enqueue(keys: readonly string[]): void {
    for (const key of keys) {
      if (this.queued.has(key)) continue;
      this.queued.add(key);
      this.queue.push(key);
    }
    this.pump();
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.inFlight.size === 0 && this.retrying.size === 0;
  }

  /** Stops starting mails; waits (up to `timeoutMs`) for those in flight. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.signal.stop();
    await stopWithin(timeoutMs, Promise.all([...this.inFlight]));
  }

  private pump(): void {
    while (!this.signal.isStopped && this.inFlight.size < this.options.concurrency && this.queue.length > 0) {
      const key = this.queue.shift() as string;
      this.queued.delete(key);
      const sending: Promise<void> = this.sendOne(key).finally(() => {
        this.inFlight.delete(sending);
        this.pump();
      });
      this.inFlight.add(sending);
    }
  }

  private async sendOne(key: string): Promise<void> {
    const { ledger, logger } = this.deps;
    const d = ledger.delivery(key);
    if (!d || d.state !== 'pending' || d.target.kind !== 'email') return;
    const alertKey = alertKeyOf(d.tenantId, d.alertId);
    const alert = ledger.alertBody(alertKey);
    const tenant = this.deps.tenants.find(d.tenantId);
    if (!this.deps.sender || !this.deps.composer) return this.fail(key, 'email is not configured (no mail sender)');
    if (!alert || !tenant) return this.fail(key, alert ? 'the customer tenant is no longer known' : 'the alert data was lost before mailing');
    try {
      await this.deps.sender.send(this.deps.composer.compose({ tenant, alert, options: d.options, to: d.target.address, ruleId: d.ruleId }));
      ledger.updateDelivery(key, { state: 'sent', sentAt: ledger.now(), attempts: d.attempts + 1, error: undefined });
      this.counters.sent++;
      ledger.releaseBodyIfIdle(alertKey);
    } catch (error) {
      const rejected = error instanceof EmailDeliveryError && error.kind === 'rejected';
      const message = error instanceof Error ? error.message : String(error);
      const attempts = d.attempts + 1;
      if (rejected || attempts >= this.options.maxAttempts) return this.fail(key, rejected ? message : `${message} (gave up after ${attempts} attempts)`);
      ledger.updateDelivery(key, { attempts, error: message });
      this.counters.retried++;
      const waitMs = backoffDelayMs(attempts - 1, this.options.backoff, this.deps.random);
      logger.warn({ event: 'delivery.email_retry', key, attempts, waitMs, err: message }, 'mail not sent; retrying');
      this.retryLater(key, waitMs);
    }
  }

  private retryLater(key: string, waitMs: number): void {
    const retry: Promise<void> = sleepUnless(this.deps.clock, waitMs, this.signal).then(() => {
      this.retrying.delete(retry);
      if (!this.signal.isStopped) this.enqueue([key]);
    });
    this.retrying.add(retry);
  }

  private fail(key: string, reason: string): void {
    const d = this.deps.ledger.updateDelivery(key, { state: 'failed', error: reason });
    this.counters.failed++;
    this.deps.logger.error({ event: 'delivery.email_failed', key, reason }, 'an alert email was given up');
    if (d) this.deps.ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
  }
}
