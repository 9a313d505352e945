import { Counter, Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.js';
import type { DeliveryStats } from '../delivery/delivery-service.js';
import type { DeliveryLedger } from '../delivery/ledger.js';
import { DELIVERY_STATES, type DeliveryRecord, type DigestRecord } from '../delivery/store-schema.js';
import { TENANT_STATUSES, type TenantRecord } from '../tenants/tenant-schema.js';
import { OTHER_LABEL } from './bounded-labels.js';

/** Conversations with a label of their own in the queue metrics (those waiting longest); the rest share `other`. */
export const MAX_CONVERSATION_LABELS = 20;

/** Delivery as the state metrics read it: its counters and its records. */
export interface DeliveryState {
  stats(): DeliveryStats;
  readonly ledger: Pick<DeliveryLedger, 'deliveries' | 'digests' | 'delivery' | 'deliveryCounts'>;
}

/** What the state metrics are read from, at each scrape. */
export interface StateSources {
  /** `running`: delivery while this instance runs it (one instance at a time, on PostgreSQL). */
  readonly delivery: { readonly running: DeliveryState | undefined };
  readonly tenants: { all(): TenantRecord[] };
  readonly clock: Clock;
}

/** A conversation's waiting posts (cards and digests) and how long the oldest alert among them has waited. */
export interface ConversationQueue {
  readonly conversation: string;
  readonly depth: number;
  readonly oldestAgeSeconds: number;
}

/**
 * Metrics of state rather than events: the delivery records by kind and state, what waits for each
 * conversation and for how long, tenants by status, and the workers' and poller's counters. Set
 * from the current state just before each scrape, so they always agree with the records.
 */
export class StateMetrics {
  private readonly running: Gauge;
  private readonly deliveries: Gauge<'kind' | 'state'>;
  private readonly oldestPending: Gauge<'kind'>;
  private readonly queueDepth: Gauge<'conversation'>;
  private readonly queueAge: Gauge<'conversation'>;
  private readonly tenants: Gauge<'status'>;
  private readonly needsAttention: Gauge<'tenant'>;
  private readonly deliveryEvents: Counter<'kind' | 'event'>;
  private readonly pollAlerts: Counter<'kind'>;
  private readonly pollPages: Counter;
  private readonly storeWrites: Counter;

  constructor(
    registry: Registry,
    private readonly sources: StateSources,
    private readonly tenantLabel: (tenantId: string) => string,
  ) {
    const registers = [registry];
    this.running = new Gauge({ name: 'socbridge_delivery_running', help: 'Whether this instance runs alert delivery (1) or leaves it to the instance holding the delivery lease (0); the delivery metrics come from the one running it.', registers });
    this.deliveries = new Gauge({ name: 'socbridge_deliveries', help: 'Delivery records kept (within RETENTION), by target kind and state.', labelNames: ['kind', 'state'], registers });
    this.oldestPending = new Gauge({ name: 'socbridge_delivery_oldest_pending_age_seconds', help: 'How long the oldest pending delivery of each target kind has waited (0 when none waits).', labelNames: ['kind'], registers });
    this.queueDepth = new Gauge({ name: 'socbridge_teams_queue_depth', help: `Posts (cards and digests) waiting for each Teams conversation; the ${MAX_CONVERSATION_LABELS} waiting longest by name, the rest as conversation="other".`, labelNames: ['conversation'], registers });
    this.queueAge = new Gauge({ name: 'socbridge_teams_queue_oldest_age_seconds', help: 'How long the oldest alert waiting for each Teams conversation has waited.', labelNames: ['conversation'], registers });
    this.tenants = new Gauge({ name: 'socbridge_tenants', help: 'Customer tenants by status.', labelNames: ['status'], registers });
    this.needsAttention = new Gauge({ name: 'socbridge_tenant_needs_attention', help: 'Each customer tenant in needs-attention (consent or permission trouble): 1 while it is.', labelNames: ['tenant'], registers });
    this.deliveryEvents = new Counter({ name: 'socbridge_delivery_events_total', help: "What each target kind's worker did since start (teams: posted, edited, throttled, global_pauses…; email and webhook: sent, updates, retried, failed).", labelNames: ['kind', 'event'], registers });
    this.pollAlerts = new Counter({ name: 'socbridge_poll_alerts_total', help: 'Alerts read by polls, and those among them that were new or changed.', labelNames: ['kind'], registers });
    this.pollPages = new Counter({ name: 'socbridge_poll_pages_total', help: 'Pages of alerts read by polls.', registers });
    this.storeWrites = new Counter({ name: 'socbridge_delivery_store_writes_total', help: "Batched writes of delivery's records to the store.", registers });
  }

  /** Sets every state metric from the state now. */
  update(): void {
    const { tenants, clock } = this.sources;
    this.updateTenants(tenants.all());
    const delivery = this.sources.delivery.running;
    this.running.set(delivery ? 1 : 0);
    for (const metric of [this.deliveries, this.oldestPending, this.queueDepth, this.queueAge, this.deliveryEvents, this.pollAlerts, this.pollPages, this.storeWrites]) metric.reset();
    if (!delivery) return;
    const stats = delivery.stats();
    const now = clock.nowMs();
    this.updateDeliveries(delivery, Object.keys(stats.targets), now);
    this.updateQueues(delivery, now);
    for (const [kind, counters] of Object.entries(stats.targets)) {
      for (const [event, value] of Object.entries(counters)) this.deliveryEvents.inc({ kind, event: snakeCase(event) }, value);
    }
    this.pollAlerts.inc({ kind: 'read' }, stats.poller.alertsRead);
    this.pollAlerts.inc({ kind: 'new' }, stats.poller.newAlerts);
    this.pollAlerts.inc({ kind: 'changed' }, stats.poller.changedAlerts);
    this.pollPages.inc(stats.poller.pages);
    this.storeWrites.inc(stats.storeWrites);
  }

  private updateDeliveries(delivery: DeliveryState, kinds: readonly string[], now: number): void {
    const counts = new Map<string, number>();
    const oldest = new Map<string, number>();
    for (const kind of kinds) for (const state of DELIVERY_STATES) counts.set(`${kind}\n${state}`, 0);
    for (const { kind, state, count } of delivery.ledger.deliveryCounts()) counts.set(`${kind}\n${state}`, count);
    // Pending deliveries are always in memory (see DeliveryLedger).
    for (const d of delivery.ledger.deliveries()) {
      if (d.state === 'pending') oldest.set(d.target.kind, Math.min(oldest.get(d.target.kind) ?? Infinity, Date.parse(d.createdAt)));
    }
    for (const [key, count] of counts) {
      const [kind = '', state = ''] = key.split('\n');
      this.deliveries.set({ kind, state }, count);
    }
    for (const kind of new Set([...kinds, ...oldest.keys()])) this.oldestPending.set({ kind }, ageSeconds(now, oldest.get(kind)));
  }

  private updateQueues({ ledger }: DeliveryState, now: number): void {
    for (const q of teamsQueues(ledger.deliveries(), ledger.digests(), (key) => ledger.delivery(key), now, MAX_CONVERSATION_LABELS)) {
      this.queueDepth.set({ conversation: q.conversation }, q.depth);
      this.queueAge.set({ conversation: q.conversation }, q.oldestAgeSeconds);
    }
  }

  private updateTenants(all: readonly TenantRecord[]): void {
    this.tenants.reset();
    for (const status of TENANT_STATUSES) this.tenants.set({ status }, all.filter((t) => t.status === status).length);
    this.needsAttention.reset();
    for (const t of all) if (t.status === 'needs-attention') this.needsAttention.set({ tenant: this.tenantLabel(t.tenantId) }, 1);
  }
}

/**
 * What waits for each Teams conversation: pending cards and pending digests (a digest waits since
 * its earliest alert was recorded). The `limit` conversations waiting longest keep their id; the
 * rest are summed into `other` (its age the longest among them).
 */
export function teamsQueues(deliveries: Iterable<DeliveryRecord>, digests: Iterable<DigestRecord>, deliveryOf: (key: string) => DeliveryRecord | undefined, nowMs: number, limit: number): ConversationQueue[] {
  const waiting = new Map<string, { depth: number; since: number }>();
  const add = (conversation: string, since: number) => {
    const entry = waiting.get(conversation) ?? { depth: 0, since: Infinity };
    waiting.set(conversation, { depth: entry.depth + 1, since: Math.min(entry.since, since) });
  };
  for (const d of deliveries) {
    if (d.state === 'pending' && d.target.kind === 'teams' && typeof d.target.conversationId === 'string') add(d.target.conversationId, Date.parse(d.createdAt));
  }
  for (const digest of digests) {
    if (digest.state !== 'pending') continue;
    const itemTimes = digest.items.map((item) => Date.parse(deliveryOf(item.deliveryKey)?.createdAt ?? digest.createdAt));
    add(digest.conversationId, Math.min(Date.parse(digest.createdAt), ...itemTimes));
  }
  const queues = [...waiting].map(([conversation, q]) => ({ conversation, depth: q.depth, oldestAgeSeconds: ageSeconds(nowMs, q.since) }));
  queues.sort((a, b) => b.oldestAgeSeconds - a.oldestAgeSeconds || a.conversation.localeCompare(b.conversation));
  const named = queues.slice(0, limit);
  const rest = queues.slice(limit);
  if (rest.length === 0) return named;
  return [...named, { conversation: OTHER_LABEL, depth: rest.reduce((sum, q) => sum + q.depth, 0), oldestAgeSeconds: Math.max(...rest.map((q) => q.oldestAgeSeconds)) }];
}

function ageSeconds(nowMs: number, sinceMs: number | undefined): number {
  return sinceMs === undefined || !Number.isFinite(sinceMs) ? 0 : Math.max(0, (nowMs - sinceMs) / 1000);
}

/** `globalPauses` → `global_pauses`: Prometheus label values in the convention of metric names. */
function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
