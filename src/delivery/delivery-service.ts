import type { Clock } from '../clock.js';
import type { Messenger } from '../conversations/messenger.js';
import type { Alert } from '../defender/alert.js';
import type { Logger } from '../log.js';
import type { RateWindow } from '../rate-limit/sliding-window.js';
import type { ConversationRecord, TenantRecord } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { EmailDelivery, type AlertEmailComposer } from './email-delivery.js';
import { AlertIntake, emptyIntake, type IntakeResult } from './intake.js';
import type { JournalOptions } from './journal.js';
import { alertKeyOf, DeliveryLedger, isNewer } from './ledger.js';
import { TEAMS_CONVERSATION_WINDOWS, withMargin } from './pacing.js';
import { AlertPoller, type PollingGraph, type PollReport } from './poller.js';
import type { AlertRouter, DeliveryNoticePort, EmailSender, LinkHealth, RoutedTarget } from './ports.js';
import { pruneDeliveries, type PruneReport } from './retention.js';
import { TeamsDelivery } from './teams/teams-delivery.js';

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
  readonly emailConcurrency?: number;
  readonly emailMaxAttempts?: number;
  readonly emailBackoff?: { baseMs: number; capMs: number };
  readonly random?: () => number;
}

export interface DeliveryServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly graph: PollingGraph;
  readonly tenants: { connected(): TenantRecord[]; find(ref: string): TenantRecord | undefined; recordSuccess(tenantId: string): Promise<void> };
  readonly failures: { failed(tenant: TenantRecord, error: unknown): Promise<string> };
  readonly conversations: { get(id: string): ConversationRecord | undefined };
  readonly messenger: Messenger;
  /** Tells the SOC channel about targets delivery lost. */
  readonly notices: DeliveryNoticePort;
  readonly router: AlertRouter;
  readonly linkHealth: LinkHealth;
  readonly emailSender?: EmailSender;
  readonly emailComposer?: AlertEmailComposer;
  readonly settings: DeliverySettings;
  readonly tuning?: DeliveryTuning;
}

/** A card an analyst acted on: it already shows the result, so it needs no edit of its own. */
export interface ChangeOrigin {
  readonly conversationId: string;
  readonly messageId?: string;
}

const HOUR = 3_600_000;

/**
 * The per-app budget: TEAMS_GLOBAL_RATE a second (already below Teams' 50), admitted a quarter at
 * a time. Admitting a whole second's worth at once would send them over the next few hundred
 * milliseconds (rendering is serial), and the tail of one second and the head of the next would
 * reach Teams inside one of its windows.
 */
export function globalWindows(perSecond: number): RateWindow[] {
  return [
    { limit: perSecond, periodMs: 1000 },
    { limit: Math.max(1, Math.ceil(perSecond / 4)), periodMs: 250 },
  ];
}

/**
 * Proactive alert delivery: the poller finds new and changed alerts, the intake records what
 * each means (outbox entries keyed by alert and target, card edits), and the Teams and email
 * queues deliver it. Records live in memory and reach the store through the journal.
 */
export class DeliveryService {
  readonly ledger: DeliveryLedger;
  readonly teams: TeamsDelivery;
  readonly email: EmailDelivery;
  readonly poller: AlertPoller;
  private readonly intake: AlertIntake;
  private retentionTimer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: DeliveryServiceDeps) {
    const { settings, clock, logger } = deps;
    const tuning = deps.tuning ?? {};
    const margin = tuning.pacingMarginMs ?? 250;
    this.ledger = new DeliveryLedger({ store: deps.store, clock, logger }, tuning.journal);
    this.teams = new TeamsDelivery(
      {
        ledger: this.ledger,
        messenger: deps.messenger,
        conversations: deps.conversations,
        tenants: deps.tenants,
        linkHealth: deps.linkHealth,
        notices: deps.notices,
        clock,
        logger,
        ...(tuning.random ? { random: tuning.random } : {}),
      },
      {
        conversationWindows: withMargin(tuning.conversationWindows ?? TEAMS_CONVERSATION_WINDOWS, margin),
        globalWindows: globalWindows(settings.teamsGlobalRate),
        stormThresholdMs: settings.stormThresholdMs,
        digestMaxItems: tuning.digestMaxItems ?? 25,
        editDelayMs: tuning.editDelayMs ?? 2000,
        editMaxWaitMs: tuning.editMaxWaitMs ?? 30_000,
        backoff: tuning.backoff ?? { baseMs: 1000, capMs: 5 * 60_000 },
        maxTransientAttempts: tuning.maxTransientAttempts ?? 8,
        maxThrottledAttempts: tuning.maxThrottledAttempts ?? 30,
      },
    );
    this.email = new EmailDelivery(
      { ledger: this.ledger, sender: deps.emailSender, composer: deps.emailComposer, tenants: deps.tenants, clock, logger, ...(tuning.random ? { random: tuning.random } : {}) },
      { concurrency: tuning.emailConcurrency ?? 4, maxAttempts: tuning.emailMaxAttempts ?? 6, backoff: tuning.emailBackoff ?? { baseMs: 2000, capMs: 5 * 60_000 } },
    );
    this.intake = new AlertIntake({ ledger: this.ledger, router: deps.router, teams: this.teams, clock }, { overlapMs: settings.pollOverlapMs, retentionMs: settings.retentionMs });
    this.poller = new AlertPoller(
      { graph: deps.graph, tenants: deps.tenants, failures: deps.failures, ledger: this.ledger, intake: this.intake, dispatch: (result) => this.dispatch(result), clock, logger },
      {
        intervalMs: settings.pollIntervalMs,
        overlapMs: settings.pollOverlapMs,
        pageSize: tuning.pageSize ?? 1000,
        maxPages: tuning.maxPages ?? 20,
        headroomReserve: tuning.headroomReserve ?? 30,
      },
    );
  }

  /** Resumes what the store says is unfinished, then starts polling. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.prune();
    this.teams.resume();
    this.email.resume();
    this.poller.start();
    this.retentionTimer = setInterval(() => this.prune(), HOUR);
    this.retentionTimer.unref();
    const pending = [...this.ledger.deliveries()].filter((d) => d.state === 'pending').length;
    this.deps.logger.info({ event: 'delivery.started', pollIntervalMs: this.deps.settings.pollIntervalMs, pending }, 'alert delivery started');
  }

  /** Stops polling and posting, lets posts in flight finish and be recorded, and writes everything. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.poller.stop();
    await Promise.all([this.teams.stop(), this.email.stop()]);
    await this.ledger.journal.close();
  }

  private dispatch(result: IntakeResult): void {
    if (this.stopped) return;
    this.teams.dispatch(result.teams);
    this.email.enqueue(result.emails);
  }

  /**
   * An analyst changed an alert from a card: every other card it became is edited too (the one
   * clicked already shows the result). A change the poller sees later is then a duplicate.
   */
  alertChanged(tenant: TenantRecord, alert: Alert, origin?: ChangeOrigin): void {
    if (this.stopped) return;
    const key = alertKeyOf(tenant.tenantId, alert.id);
    const snapshot = this.ledger.snapshot(key);
    if (!snapshot || !isNewer(alert.lastUpdateDateTime, snapshot.version)) return;
    if (origin?.messageId) {
      const clicked = this.ledger.deliveriesOf(key).find((d) => d.target.kind === 'teams' && d.target.conversationId === origin.conversationId && d.messageId === origin.messageId);
      if (clicked) this.ledger.updateDelivery(clicked.key, { shownVersion: alert.lastUpdateDateTime });
    }
    const result = emptyIntake();
    this.intake.changed(key, alert, result);
    this.dispatch(result);
  }

  /**
   * Records `alert` for exactly these targets, outside polling, and starts delivering it.
   * Resolves once the outbox entries are on disk; delivery itself follows.
   */
  async deliver(tenant: TenantRecord, alert: Alert, targets: readonly RoutedTarget[]): Promise<void> {
    const result = emptyIntake();
    this.intake.record(tenant, alert, targets, result);
    await this.ledger.journal.flush();
    this.dispatch(result);
  }

  /** Polls one tenant now, whatever its schedule (the scheduler does the same when it is due). */
  pollNow(tenant: TenantRecord): Promise<PollReport> {
    return this.poller.pollTenant(tenant);
  }

  prune(): PruneReport {
    const report = pruneDeliveries(this.ledger, this.deps.clock.nowMs(), this.deps.settings.retentionMs);
    if (report.deliveries + report.digests + report.alerts > 0) this.deps.logger.info({ event: 'delivery.pruned', ...report }, 'old delivery records pruned');
    return report;
  }

  /** When a card (or digest) last reached this conversation, for `channels`. */
  lastDeliveryAt(conversationId: string): string | undefined {
    let last: string | undefined;
    for (const d of this.ledger.deliveries()) {
      if (d.target.kind === 'teams' && d.target.conversationId === conversationId && d.sentAt && (!last || d.sentAt > last)) last = d.sentAt;
    }
    for (const digest of this.ledger.digests()) {
      if (digest.conversationId === conversationId && (digest.state === 'sent' || digest.state === 'sent-no-id') && digest.updatedAt > (last ?? '')) last = digest.updatedAt;
    }
    return last;
  }

  /** Nothing queued, in flight or waiting to be retried. */
  get idle(): boolean {
    return this.teams.idle && this.email.idle;
  }
}
