import { randomBytes } from 'node:crypto';
import type { Logger } from '../../../log.js';
import type { TenantRecord } from '../../../tenants/tenant-schema.js';
import { alertKeyOf, type DeliveryLedger } from '../../ledger.js';
import type { DigestRecord } from '../../store-schema.js';
import { digestItemOf } from './cards.js';
import type { ConversationQueue, ConversationQueues, PostJob } from './conversation-queues.js';
import type { TeamsDeliveryCounters } from './counters.js';

export interface StormOptions {
  /** A conversation whose backlog would take longer than this to post card by card gets digests; 0 = never. */
  readonly stormThresholdMs: number;
  /** Alerts per digest card (a Teams message holds about 28 KB). */
  readonly digestMaxItems: number;
}

/**
 * Storm planning: if posting a conversation's backlog card by card would take longer than the
 * threshold under its own and the global limits, its pending alerts become digest cards, recorded
 * as such before any digest is posted.
 */
export class StormPlanner {
  constructor(
    private readonly deps: {
      ledger: DeliveryLedger;
      tenants: { find(ref: string): TenantRecord | undefined };
      queues: ConversationQueues;
      counters: TeamsDeliveryCounters;
      logger: Logger;
      stillPending(job: PostJob): boolean;
    },
    private readonly options: StormOptions,
  ) {}

  /** The reason digest cards give for themselves. */
  reason(): string {
    const seconds = Math.round(this.options.stormThresholdMs / 1000);
    return `more alerts arrived than Teams lets one channel receive card by card within ${seconds} s`;
  }

  /** Turns the conversation's waiting cards into digests when its backlog is a storm. */
  async maybeDigest(q: ConversationQueue): Promise<void> {
    const threshold = this.options.stormThresholdMs;
    const { ledger } = this.deps;
    if (threshold <= 0) return;
    // A `rule test` sample is always a card of its own: it shows what a real alert will look like.
    // An alert of an incident thread stays in its thread: its incident card already stands for the incident.
    const cards = q.posts.filter((j): j is Extract<PostJob, { kind: 'card' }> => j.kind === 'card' && this.deps.stillPending(j) && !ledger.delivery(j.key)?.sample && !ledger.delivery(j.key)?.threadKey);
    if (cards.length < 2) return;
    const drainMs = Math.max(q.limiter.timeToAdmitMs(q.size), this.deps.queues.global.timeToAdmitMs(this.deps.queues.totalQueued()));
    if (drainMs <= threshold) return;
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
    this.deps.counters.digests += created.length;
    this.deps.counters.digestedAlerts += digested.size;
    for (const key of digested) {
      const d = ledger.delivery(key);
      if (d) ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
    }
    this.deps.logger.info({ event: 'delivery.storm', conversationId: q.id, alerts: digested.size, digests: created.length, drainMs }, 'storm mode: posting digests instead of one card per alert');
    // The alerts must be on record as digested before the digest goes out, or a crash would post them twice.
    await ledger.journal.flush().catch((error: unknown) => this.deps.logger.error({ event: 'delivery.digest_unrecorded', err: error }, 'digest not recorded before posting'));
  }
}
