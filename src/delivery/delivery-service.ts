import type { Clock } from '../clock.js';
import { ChatDeliveryError, type Messenger } from '../conversations/messenger.js';
import type { Alert } from '../defender/alert.js';
import type { Incident } from '../defender/incident.js';
import type { Logger } from '../log.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import type { RecordSet } from '../store/storage.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { PollNotes } from './journal.js';
import { AlertIntake, emptyIntake, type IntakeResult } from './intake.js';
import { incidentKeyOf } from './incident-ledger.js';
import { IncidentReader, type IncidentGraph } from './incident-reader.js';
import { alertKeyOf, DeliveryLedger, isNewer } from './ledger.js';
import { OutcomeBoard, type DeliveryOutcome } from './outcomes.js';
import { AlertPoller, type PollerCounters, type PollingGraph, type PollObserver, type PollReport } from './poller.js';
import type { AlertRouter, CompanionContext, DeliveryCompanion, DeliveryNoticePort, DeliveryTarget, LinkHealth, RoutedTarget, SampleDelivery, SampleRequest, SampleResult } from './ports.js';
import { pruneDeliveries, type PruneReport } from './retention.js';
import { SAMPLE_TENANT } from './samples.js';
import { DEFAULT_SAMPLE_WAIT_MS, type DeliverySettings, type DeliveryTuning } from './settings.js';
import type { CardMark, SampleInfo } from './store-schema.js';
import { TargetHealthBook } from './target-health.js';
import type { TargetRegistry } from './targets/registry.js';
import type { TargetStatus } from './status-schema.js';
import type { ChangeOrigin, DeliveryWork, DeliveryWorker, WorkerContext } from './worker.js';

// Callers that configure delivery name its settings from here.
export type { DeliverySettings, DeliveryTuning } from './settings.js';

export interface DeliveryServiceDeps {
  /** Where the outbox, snapshots, digests, poll cursors and target health are kept. */
  readonly records: RecordSet;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Alerts for polling; incidents too (for incident threads) when the client reads them. */
  readonly graph: PollingGraph & Partial<IncidentGraph>;
  readonly tenants: PollNotes & { connected(): TenantRecord[]; find(ref: string): TenantRecord | undefined; recordSuccess(tenantId: string): Promise<void> };
  readonly failures: { failed(tenant: TenantRecord, error: unknown): Promise<string> };
  readonly conversations: { get(id: string): ConversationRecord | undefined };
  readonly messenger: Messenger;
  /** Tells the SOC channel about targets delivery lost. */
  readonly notices: DeliveryNoticePort;
  readonly router: AlertRouter;
  readonly linkHealth: LinkHealth;
  /** The target kinds: one worker each. */
  readonly targets: TargetRegistry;
  readonly settings: DeliverySettings;
  readonly tuning?: DeliveryTuning;
  /** Brings shared state up to date with other instances' changes (before each round of polls). */
  readonly refreshState?: () => Promise<void>;
  /** Told of every poll's outcome and duration (metrics). */
  readonly pollObserver?: PollObserver;
  /**
   * Whether this instance may still deliver: false from the moment it can no longer be sure it
   * holds the delivery lease, so nothing is sent while another instance may already run delivery.
   */
  readonly mayDeliver?: () => boolean;
  /** Work that runs beside delivery while it runs here (escalations), built once per service. */
  readonly companions?: (ctx: CompanionContext) => readonly DeliveryCompanion[];
}

/** What delivery did since start: what an operator's metrics would show, and what benchmarks read. */
export interface DeliveryStats {
  /** Batched writes of delivery's records to the store. */
  readonly storeWrites: number;
  /** Tenants polled at least once. */
  readonly tenantsPolled: number;
  readonly poller: Readonly<PollerCounters>;
  /** Each target kind's worker's counters, by kind. */
  readonly targets: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const HOUR = 3_600_000;
/** How often the ledger lets go of the alerts nothing waits on. */
const EVICT_EVERY_MS = 60_000;

/**
 * Proactive alert delivery: the poller finds new and changed alerts, the intake records what
 * each means (outbox entries keyed by alert and target), and one worker per target kind delivers
 * them. Records live in memory and reach the store through the journal.
 */
export class DeliveryService implements SampleDelivery {
  readonly ledger: DeliveryLedger;
  readonly poller: AlertPoller;
  private readonly workers = new Map<string, DeliveryWorker>();
  private readonly intake: AlertIntake;
  private readonly outcomes: OutcomeBoard;
  private readonly health: TargetHealthBook;
  private readonly companions: readonly DeliveryCompanion[];
  private readonly incidentReader: IncidentReader | undefined;
  private retentionTimer: NodeJS.Timeout | undefined;
  private evictionTimer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly deps: DeliveryServiceDeps) {
    const { settings, clock, logger } = deps;
    const tuning = deps.tuning ?? {};
    this.ledger = new DeliveryLedger({ records: deps.records, polls: deps.tenants, clock, logger, followsChanges: (d) => this.workers.get(d.target.kind)?.followsChanges(d) ?? false }, tuning.journal);
    this.outcomes = new OutcomeBoard(clock);
    this.health = new TargetHealthBook(this.ledger);
    // A sample for a rule that covers no tenant yet names a placeholder customer.
    const tenants = { find: (ref: string) => deps.tenants.find(ref) ?? (ref === SAMPLE_TENANT.tenantId ? SAMPLE_TENANT : undefined) };
    const mayDeliver = deps.mayDeliver ?? (() => true);
    const context: WorkerContext = {
      ledger: this.ledger, tenants, conversations: deps.conversations, messenger: fencedMessenger(deps.messenger, mayDeliver), mayDeliver, linkHealth: deps.linkHealth, notices: deps.notices,
      outcomes: this.outcomes, health: this.health, clock, logger, random: tuning.random ?? Math.random, tuning, settings,
    };
    for (const { kind, built } of deps.targets.entries) this.workers.set(kind.key, built.createWorker(context));
    this.companions = deps.companions?.({ deliveriesOf: async (alertKey) => {
        await this.ledger.hydrate([alertKey]);
        return this.ledger.deliveriesOf(alertKey);
      },
      threadRootOf: (delivery) => (delivery.threadKey ? this.ledger.incidents.thread(delivery.threadKey)?.messageId : undefined),
      markCards: (tenantId, alert, mark) => this.markCards(tenantId, alert, mark), messenger: context.messenger, mayDeliver }) ?? [];
    this.intake = new AlertIntake(
      {
        ledger: this.ledger,
        router: deps.router,
        planChange: (alertKey) => [...this.workers.values()].flatMap((w) => w.planChange(alertKey)),
        targetKeyOf: (target) => deps.targets.keyOf(target),
        threaded: (kind) => this.workers.get(kind)?.threadsIncidents === true,
        clock,
        watchers: this.companions,
      },
      { overlapMs: settings.pollOverlapMs, retentionMs: settings.retentionMs },
    );
    const { getIncident, grantedRoles, listIncidents } = deps.graph;
    if (getIncident && grantedRoles && listIncidents) {
      const graph: IncidentGraph = { getIncident: getIncident.bind(deps.graph), listIncidents: listIncidents.bind(deps.graph), grantedRoles: grantedRoles.bind(deps.graph), rateHeadroom: (tenantId) => deps.graph.rateHeadroom(tenantId) };
      this.incidentReader = new IncidentReader({ graph, ledger: this.ledger, clock, logger }, { headroomReserve: tuning.headroomReserve ?? 30, overlapMs: settings.pollOverlapMs });
    }
    this.poller = new AlertPoller(
      { graph: deps.graph, tenants: deps.tenants, failures: deps.failures, ledger: this.ledger, intake: this.intake, ...(this.incidentReader ? { incidents: this.incidentReader } : {}), dispatch: (result) => this.dispatch(result), ...(deps.refreshState ? { refreshState: deps.refreshState } : {}), ...(deps.pollObserver ? { observer: deps.pollObserver } : {}), clock, logger },
      {
        intervalMs: settings.pollIntervalMs,
        overlapMs: settings.pollOverlapMs,
        pageSize: tuning.pageSize ?? 1000,
        maxPages: tuning.maxPages ?? 20,
        headroomReserve: tuning.headroomReserve ?? 30,
      },
    );
  }

  /** Reads the stored records, resumes what they say is unfinished, then starts polling. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.ledger.load();
    for (const worker of this.workers.values()) worker.resume();
    for (const companion of this.companions) await companion.start();
    this.poller.start();
    void this.pruneQuietly();
    this.retentionTimer = setInterval(() => void this.pruneQuietly(), HOUR);
    this.retentionTimer.unref();
    this.evictionTimer = setInterval(() => this.ledger.evictIdle(), EVICT_EVERY_MS);
    this.evictionTimer.unref();
    const pending = [...this.ledger.deliveries()].filter((d) => d.state === 'pending').length;
    this.deps.logger.info({ event: 'delivery.started', pollIntervalMs: this.deps.settings.pollIntervalMs, pending }, 'alert delivery started');
  }

  /** Stops polling and sending, lets messages in flight finish and be recorded, and writes everything. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    if (this.evictionTimer) clearInterval(this.evictionTimer);
    await this.poller.stop();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    await Promise.all(this.companions.map((c) => c.stop()));
    await this.ledger.journal.close();
  }

  private dispatch(result: IntakeResult): void {
    if (this.stopped) return;
    const byKind = new Map<string, DeliveryWork[]>();
    for (const work of result.work) byKind.set(work.targetKind, [...(byKind.get(work.targetKind) ?? []), work]);
    for (const [kind, work] of byKind) this.workers.get(kind)?.dispatch(work);
  }

  /**
   * An analyst changed an alert from a card: everything it became follows (the card clicked
   * already shows the result). A change the poller sees later is then a duplicate.
   */
  async alertChanged(tenant: TenantRecord, alert: Alert, origin?: ChangeOrigin): Promise<void> {
    if (this.stopped) return;
    const key = alertKeyOf(tenant.tenantId, alert.id);
    await this.ledger.hydrate([key]);
    if (this.stopped) return;
    const snapshot = this.ledger.snapshot(key);
    if (!snapshot || !isNewer(alert.lastUpdateDateTime, snapshot.version)) return;
    if (origin) for (const worker of this.workers.values()) worker.changedFrom?.(origin, key, alert.lastUpdateDateTime);
    const result = emptyIntake();
    this.intake.changed(key, alert, result);
    this.dispatch(result);
  }

  /**
   * Marks the cards an alert became (see `CompanionContext.markCards`). `alert` is Defender's
   * current version: newer than the records, it is taken as a change; else its body is kept
   * until the marked cards are redrawn.
   */
  private async markCards(tenantId: string, alert: Alert, mark: CardMark): Promise<number> {
    const key = alertKeyOf(tenantId, alert.id);
    await this.ledger.hydrate([key]);
    const snapshot = this.ledger.snapshot(key);
    if (this.stopped || !snapshot) return 0;
    const marked = [...this.workers.values()].reduce((n, worker) => n + (worker.mark?.(key, mark) ?? 0), 0);
    const result = emptyIntake();
    if (isNewer(alert.lastUpdateDateTime, snapshot.version)) this.intake.changed(key, alert, result);
    else {
      if (!isNewer(snapshot.version, alert.lastUpdateDateTime) && this.ledger.alertBody(key) === undefined) this.ledger.putSnapshot(snapshot, alert);
      result.work.push(...[...this.workers.values()].flatMap((w) => w.planChange(key)));
      this.ledger.releaseBodyIfIdle(key);
    }
    this.dispatch(result);
    return marked;
  }

  /**
   * An analyst changed an incident from a card (`incident` is Graph's answer, alerts included):
   * every incident card it became in a thread follows, but the card clicked (`origin`), which the
   * action's answer already shows with who did what.
   */
  incidentChanged(tenant: TenantRecord, incident: Incident, writable: boolean, origin?: ChangeOrigin): void {
    if (this.stopped || !this.incidentReader) return;
    const incidentKey = incidentKeyOf(tenant.tenantId, incident.id);
    if (this.ledger.incidents.threadsOf(incidentKey).length === 0) return;
    const known = this.ledger.incidents.incident(incidentKey);
    const older = known?.version !== undefined && isNewer(known.version, incident.lastUpdateDateTime);
    // Also when a poll read this version first: its edit of the clicked card, if still waiting, is then dropped.
    if (origin && !older) for (const worker of this.workers.values()) worker.incidentChangedFrom?.(origin, incidentKey, incident.lastUpdateDateTime);
    if (known?.version !== undefined && !isNewer(incident.lastUpdateDateTime, known.version)) return;
    this.dispatch({ ...emptyIntake(), work: this.incidentReader.store(tenant, incident, writable) });
  }

  /**
   * Records `alert` for exactly these targets, outside polling, and starts delivering it: the path
   * `rule test`'s samples take (tests drive delivery through it too). Resolves once the outbox
   * entries are on disk; delivery itself follows.
   */
  async deliver(tenant: TenantRecord, alert: Alert, targets: readonly RoutedTarget[]): Promise<void> {
    await this.recordAndStart([{ tenant, alert, targets }]);
  }

  /**
   * `rule test`: each sample goes through the outbox to its target like an alert, and each
   * outcome is reported, waiting at most `sampleWaitMs` (then "still trying").
   */
  async sendSamples(samples: readonly SampleRequest[], sample: SampleInfo): Promise<SampleResult[]> {
    let waiting: Promise<Map<string, DeliveryOutcome>> = Promise.resolve(new Map());
    const keys = await this.recordAndStart(
      samples.map((s) => ({ tenant: s.tenant, alert: s.alert, targets: [s.routed] })),
      sample,
      // Waiting starts before anything is sent, so no outcome is missed.
      (recorded) => (waiting = this.outcomes.waitFor(recorded.flat(), this.deps.tuning?.sampleWaitMs ?? DEFAULT_SAMPLE_WAIT_MS)),
    );
    const outcomes = await waiting;
    return samples.map((s, i) => ({ routed: s.routed, outcome: outcomes.get(keys[i]?.[0] ?? '') ?? { status: 'trying' } }));
  }

  /** Records each alert for its targets, writes the records, then dispatches them; returns each alert's new delivery keys. */
  private async recordAndStart(alerts: readonly { tenant: TenantRecord; alert: Alert; targets: readonly RoutedTarget[] }[], sample?: SampleInfo, beforeStart?: (keys: string[][]) => void): Promise<string[][]> {
    await this.ledger.hydrate(alerts.map(({ tenant, alert }) => alertKeyOf(tenant.tenantId, alert.id)));
    const result = emptyIntake();
    const keys = alerts.map(({ tenant, alert, targets }) => this.intake.record(tenant, alert, targets, result, sample));
    beforeStart?.(keys);
    await this.ledger.journal.flush();
    this.dispatch(result);
    return keys;
  }

  /** Polls one tenant now, whatever its schedule (the scheduler does the same when it is due). */
  pollNow(tenant: TenantRecord): Promise<PollReport> {
    return this.poller.pollTenant(tenant);
  }

  /** Forgets records older than the retention period (see pruneDeliveries). */
  async prune(): Promise<PruneReport> {
    const report = await pruneDeliveries(this.ledger, this.deps.clock.nowMs(), this.deps.settings.retentionMs);
    if (report.deliveries + report.digests + report.alerts > 0) this.deps.logger.info({ event: 'delivery.pruned', ...report }, 'old delivery records pruned');
    return report;
  }
  private async pruneQuietly(): Promise<void> {
    await this.prune().catch((error: unknown) => this.deps.logger.error({ event: 'delivery.prune_failed', err: error }, 'could not prune old delivery records; trying again in an hour'));
  }


  /**
   * How every target this instance knows of is doing: when something last reached it (samples
   * aside) and whether it refuses alerts for good. Published for every instance's `channels` and `rules`.
   */
  targetStatuses(): TargetStatus[] {
    const statuses = new Map<string, TargetStatus>();
    for (const [targetKey, lastSentAt] of this.ledger.lastSentTimes()) statuses.set(targetKey, { targetKey, lastSentAt });
    for (const health of this.ledger.targetHealths()) {
      const known = statuses.get(health.key);
      const lastSentAt = [known?.lastSentAt, health.lastSentAt].filter((t): t is string => t !== undefined).sort().at(-1);
      statuses.set(health.key, { targetKey: health.key, ...(lastSentAt ? { lastSentAt } : {}), ...(health.failing ? { failing: health.failing } : {}) });
    }
    return [...statuses.values()];
  }

  stats(): DeliveryStats {
    return {
      storeWrites: this.ledger.journal.writes,
      tenantsPolled: this.ledger.cursorCount,
      poller: { ...this.poller.counters },
      targets: Object.fromEntries([...this.workers].map(([kind, worker]) => [kind, worker.counters()])),
    };
  }

  /** Nothing queued, in flight or waiting to be retried. */
  get idle(): boolean {
    return [...this.workers.values()].every((w) => w.idle);
  }
}

/** Teams posts and edits refused (as a passing failure, retried by whoever runs delivery next) once this instance may no longer deliver. */
function fencedMessenger(messenger: Messenger, mayDeliver: () => boolean): Messenger {
  const refuse = () => new ChatDeliveryError('transient', undefined, undefined, 'this instance no longer runs delivery');
  return {
    send: (conversation, reply) => (mayDeliver() ? messenger.send(conversation, reply) : Promise.reject(refuse())),
    update: (conversation, messageId, reply) => (mayDeliver() ? messenger.update(conversation, messageId, reply) : Promise.reject(refuse())),
    reply: (conversation, rootMessageId, reply) => (mayDeliver() ? messenger.reply(conversation, rootMessageId, reply) : Promise.reject(refuse())),
    // A probe delivers nothing, so any instance may make one.
    probe: (conversation) => messenger.probe(conversation),
  };
}
