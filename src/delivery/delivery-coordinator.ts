import type { Alert } from '../defender/alert.js';
import type { Incident } from '../defender/incident.js';
import type { Logger } from '../log.js';
import { LeaseKeeper } from '../store/lease-keeper.js';
import type { LeaseStore } from '../store/leases.js';
import type { Mailbox, MailboxRequest } from '../store/mailbox.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { DeliveryService, DeliveryStats } from './delivery-service.js';
import { OwnerRequestSchemas, outcomeToJson, sampleResultsFromJson, type OwnerRequest, type OwnerRequestKind } from './owner-requests.js';
import type { DeliveryTarget, SampleDelivery, SampleRequest, SampleResult } from './ports.js';
import { SAMPLE_TENANT } from './samples.js';
import type { SampleInfo } from './store-schema.js';
import type { TargetStatusBoard } from './target-status-board.js';
import type { TargetHealthView } from './targets/target-kind.js';
import type { ChangeOrigin } from './worker.js';

/** How often, at most, the running instance publishes target statuses. */
const STATUS_EVERY_MS = 1000;

/** The lease the instance running delivery holds. */
export const DELIVERY_LEASE = 'delivery';

export interface DeliveryCoordinatorDeps {
  /**
   * `solo`: this process is the only one on its store (the embedded store's folder lock sees to
   * that) and runs delivery from start to stop. `leased`: instances share a database, and the one
   * holding the delivery lease runs it.
   */
  readonly mode: { readonly kind: 'solo' } | { readonly kind: 'leased'; readonly leases: LeaseStore; readonly holder: string; readonly ttlMs: number };
  /** A fresh delivery service, each time this instance starts running delivery; it delivers only while `mayDeliver` says so. */
  readonly createService: (mayDeliver: () => boolean) => DeliveryService;
  readonly mailbox: Mailbox;
  readonly statuses: TargetStatusBoard;
  readonly tenants: { find(ref: string): TenantRecord | undefined };
  readonly logger: Logger;
  /** How long `rule test` waits for its samples on the instance running delivery. */
  readonly sampleWaitMs: number;
  /** How often the running instance looks for requests and publishes target statuses. */
  readonly beatMs?: number;
}

/**
 * Delivery runs on one instance at a time: polling every tenant, the outbox, the Teams send queues
 * and their pacing stay in one place, so each tenant is polled by one instance, each alert is
 * posted once and Teams' per-conversation and per-app limits hold whatever the instance count.
 * Every instance answers commands and card actions; what they ask of delivery (a card changed an
 * alert, `rule test`, poll a tenant now) goes to the running instance through the store's
 * `delivery` mailbox. The running instance publishes how each target is doing for all to read.
 */
export class DeliveryCoordinator implements SampleDelivery {
  private service: DeliveryService | undefined;
  private starting: Promise<void> = Promise.resolve();
  private readonly keeper: LeaseKeeper | undefined;
  private beat: NodeJS.Timeout | undefined;
  private beating: Promise<void> = Promise.resolve();
  private readonly answering = new Set<Promise<void>>();
  private stopped = false;
  private publishedAtMs = 0;

  constructor(private readonly deps: DeliveryCoordinatorDeps) {
    const { mode } = deps;
    if (mode.kind === 'leased') {
      this.keeper = new LeaseKeeper({
        leases: mode.leases, name: DELIVERY_LEASE, holder: mode.holder, ttlMs: mode.ttlMs, logger: deps.logger,
        onGained: () => this.run(),
        onLost: () => this.halt(),
      });
    }
  }

  /** Runs delivery here (solo), or starts competing for the delivery lease (leased). */
  async start(): Promise<void> {
    if (this.keeper) this.keeper.start();
    else {
      this.run();
      await this.starting;
    }
  }

  /** Stops delivery here (letting sends in flight finish and be recorded) and gives the lease up. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.keeper) await this.keeper.stop();
    else await this.halt();
  }

  /** The delivery service while this instance runs delivery (tests, benchmarks, metrics). */
  get running(): DeliveryService | undefined {
    return this.service;
  }

  /** Resolves once this instance runs delivery (or at once if it already does). */
  async whenRunning(): Promise<DeliveryService> {
    for (;;) {
      await this.starting;
      if (this.service) return this.service;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  private run(): void {
    if (this.stopped || this.service) return;
    const service = this.deps.createService(() => (this.keeper ? this.keeper.holds : true));
    this.service = service;
    this.starting = service.start().then(
      () => this.startBeat(service),
      (error: unknown) => {
        this.deps.logger.error({ event: 'delivery.start_failed', err: error }, 'delivery could not start; another attempt follows the next lease renewal');
        this.service = undefined;
        void service.stop();
      },
    );
  }

  private async halt(): Promise<void> {
    await this.starting;
    const service = this.service;
    if (!service) return;
    this.service = undefined;
    clearInterval(this.beat);
    await this.beating;
    await Promise.all(this.answering);
    await service.stop();
    await this.deps.statuses.publish(service.targetStatuses()).catch(() => 0);
  }

  private startBeat(service: DeliveryService): void {
    if (this.service !== service) return;
    this.beat = setInterval(() => {
      this.beating = this.beating.then(() => this.onBeat(service));
    }, this.deps.beatMs ?? 250);
    this.beat.unref();
  }

  private async onBeat(service: DeliveryService): Promise<void> {
    if (this.service !== service) return;
    try {
      for (const request of await this.deps.mailbox.take(50)) this.serve(service, request);
      // Statuses change with every card sent: published once a second, not on every beat.
      if (Date.now() - this.publishedAtMs >= STATUS_EVERY_MS) {
        this.publishedAtMs = Date.now();
        await this.deps.statuses.publish(service.targetStatuses());
      }
    } catch (error) {
      this.deps.logger.warn({ event: 'delivery.beat_failed', err: error }, 'could not read delivery requests or publish target statuses; trying again');
    }
  }

  private serve(service: DeliveryService, request: MailboxRequest): void {
    const work = this.handle(service, request).catch((error: unknown) =>
      this.deps.logger.warn({ event: 'delivery.request_failed', kind: request.kind, requestId: request.id, err: error }, 'a request to delivery failed'),
    );
    this.answering.add(work);
    void work.finally(() => this.answering.delete(work));
  }

  private async handle(service: DeliveryService, request: MailboxRequest): Promise<void> {
    switch (request.kind as OwnerRequestKind) {
      case 'alert-changed': {
        const body = this.read('alert-changed', request);
        const tenant = body && this.tenantOf(body.tenantId);
        if (body && tenant) await service.alertChanged(tenant, body.alert, body.origin);
        return;
      }
      case 'incident-changed': {
        const body = this.read('incident-changed', request);
        const tenant = body && this.tenantOf(body.tenantId);
        if (body && tenant) service.incidentChanged(tenant, body.incident, body.writable, body.origin);
        return;
      }
      case 'poll-now': {
        const body = this.read('poll-now', request);
        const tenant = body && this.tenantOf(body.tenantId);
        if (tenant) await service.pollNow(tenant);
        return;
      }
      case 'send-samples': {
        const body = this.read('send-samples', request);
        if (!body) return;
        const samples = body.samples.flatMap((s) => {
          const tenant = this.tenantOf(s.tenantId);
          return tenant ? [{ tenant, alert: s.alert, routed: s.routed }] : [];
        });
        const results = await service.sendSamples(samples, body.sample);
        await this.deps.mailbox.answer(request.id, results.map((r) => outcomeToJson(r.outcome)));
        return;
      }
      default:
        this.read(undefined, request);
    }
  }

  /** The request's body if it is what its kind says; logged and dropped otherwise. */
  private read<K extends OwnerRequestKind>(kind: K | undefined, request: MailboxRequest): OwnerRequest<K> | undefined {
    const parsed = kind && OwnerRequestSchemas[kind].safeParse(request.body);
    if (parsed?.success) return parsed.data as OwnerRequest<K>;
    this.deps.logger.warn({ event: 'delivery.request_unreadable', kind: request.kind, requestId: request.id }, 'a request to delivery could not be read; dropped');
    return undefined;
  }

  private tenantOf(tenantId: string): TenantRecord | undefined {
    return this.deps.tenants.find(tenantId) ?? (tenantId === SAMPLE_TENANT.tenantId ? SAMPLE_TENANT : undefined);
  }

  /** An analyst changed an alert from a card: every card it became follows, wherever delivery runs. */
  alertChanged(tenant: TenantRecord, alert: Alert, origin?: ChangeOrigin): void {
    if (this.service) {
      const service = this.service;
      void service.alertChanged(tenant, alert, origin).catch((error: unknown) => this.deps.logger.warn({ event: 'delivery.change_unfollowed', err: error }, 'could not bring the cards of a changed alert up to date'));
      return;
    }
    this.post('alert-changed', { tenantId: tenant.tenantId, alert, ...(origin ? { origin } : {}) });
  }

  /** An analyst changed an incident from a card: every incident card it became follows, wherever delivery runs. */
  incidentChanged(tenant: TenantRecord, incident: Incident, writable: boolean, origin?: ChangeOrigin): void {
    if (this.service) return this.service.incidentChanged(tenant, incident, writable, origin);
    this.post('incident-changed', { tenantId: tenant.tenantId, incident, writable, ...(origin ? { origin } : {}) });
  }

  /** Polls one tenant now, whatever its schedule. */
  pollNow(tenant: TenantRecord): void {
    if (this.service) void this.service.pollNow(tenant);
    else this.post('poll-now', { tenantId: tenant.tenantId });
  }

  /**
   * `rule test`: samples go through the outbox of the instance running delivery. One that does not
   * answer in time leaves each sample "still trying".
   */
  async sendSamples(samples: readonly SampleRequest[], sample: SampleInfo): Promise<SampleResult[]> {
    if (this.service) return this.service.sendSamples(samples, sample);
    const routed = samples.map((s) => s.routed);
    const id = await this.deps.mailbox.post('send-samples', { samples: samples.map((s) => ({ tenantId: s.tenant.tenantId, alert: s.alert, routed: s.routed })), sample });
    // The running instance waits sampleWaitMs for outcomes; allow for its beat and the round trips.
    const deadline = Date.now() + this.deps.sampleWaitMs + 3_000;
    while (Date.now() < deadline) {
      const answer = await this.deps.mailbox.answerOf(id);
      if (answer) return sampleResultsFromJson(answer.body, routed);
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    return routed.map((r) => ({ routed: r, outcome: { status: 'trying' } }));
  }

  lastDeliveryAt(target: DeliveryTarget): string | undefined {
    return this.deps.statuses.lastDeliveryAt(target);
  }

  targetHealth(target: DeliveryTarget): TargetHealthView | undefined {
    return this.deps.statuses.targetHealth(target);
  }

  stats(): DeliveryStats | undefined {
    return this.service?.stats();
  }

  private post(kind: OwnerRequestKind, body: unknown): void {
    void this.deps.mailbox.post(kind, body).catch((error: unknown) =>
      this.deps.logger.warn({ event: 'delivery.request_not_posted', kind, err: error }, 'could not pass a request to the instance running delivery'),
    );
  }
}
