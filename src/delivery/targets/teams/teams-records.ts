import type { DeliveryError } from '../../../errors.js';
import type { Logger } from '../../../log.js';
import { incidentKeyOf } from '../../incident-ledger.js';
import { alertKeyOf, type DeliveryLedger } from '../../ledger.js';
import { conversationOf } from './teams-address.js';
import type { OutcomeBoard } from '../../outcomes.js';
import type { DigestRecord } from '../../store-schema.js';
import type { ConversationQueue, Job } from './conversation-queues.js';
import type { TeamsDeliveryCounters } from './counters.js';

/** A job's name and record for log lines. */
export function jobLabel(job: Job): { job: string; ref: string } {
  if (job.type === 'edit') return { job: `edit-${job.kind}`, ref: job.ref };
  return { job: job.kind, ref: job.kind === 'card' ? job.key : job.id };
}

/**
 * What Teams delivery writes down when a job will not be done: attempts made, jobs given up,
 * cards deleted in Teams, and everything waiting in a conversation that is gone.
 */
export class TeamsRecords {
  constructor(private readonly deps: { ledger: DeliveryLedger; counters: TeamsDeliveryCounters; outcomes: OutcomeBoard; logger: Logger }) {}

  /** Counts one more attempt of `job`; returns the attempts made so far. */
  bumpAttempts(job: Job): number {
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
  giveUp(job: Job, reason: string, failure?: DeliveryError): void {
    const { ledger, logger } = this.deps;
    this.deps.counters.failed++;
    logger.error({ event: 'delivery.failed', ...jobLabel(job), reason }, 'a Teams delivery was given up');
    if (job.type === 'post' && job.kind === 'card') {
      const d = ledger.updateDelivery(job.key, { state: 'failed', error: reason });
      this.deps.outcomes.settled(job.key, { status: 'failed', reason, ...(failure ? { failure } : {}) });
      if (d) ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
    } else if (job.type === 'post') {
      this.closeDigest(job.id, 'failed', reason);
    } else if (job.kind === 'thread') {
      const thread = ledger.incidents.thread(job.ref);
      const version = thread ? ledger.incidents.incident(incidentKeyOf(thread.tenantId, thread.incidentId))?.version : undefined;
      if (thread) ledger.incidents.putThread({ ...thread, ...(version ? { shownVersion: version } : {}), error: `edit failed: ${reason}`, updatedAt: ledger.now() });
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

  /** The card or digest an edit was for was deleted in Teams: it is no longer edited. */
  messageDeleted(job: Extract<Job, { type: 'edit' }>): void {
    const { ledger } = this.deps;
    if (job.kind === 'card') ledger.updateDelivery(job.ref, { cardGone: true, error: 'the card was deleted in Teams' });
    else if (job.kind === 'thread') {
      const thread = ledger.incidents.thread(job.ref);
      if (thread) ledger.incidents.putThread({ ...thread, cardGone: true, error: 'the incident card was deleted in Teams', updatedAt: ledger.now() });
    } else {
      const digest = ledger.digest(job.ref);
      if (digest) ledger.putDigest({ ...digest, state: 'gone', error: 'the digest card was deleted in Teams', updatedAt: ledger.now() });
    }
  }

  /** Closes everything waiting in a conversation that is gone; returns how many alerts that was. */
  closeConversation(q: ConversationQueue, reason: string, failure?: DeliveryError): number {
    const { ledger } = this.deps;
    let alerts = 0;
    for (const job of q.posts) {
      if (job.kind === 'card') {
        const d = ledger.delivery(job.key);
        if (d?.state !== 'pending') continue;
        ledger.updateDelivery(job.key, { state: 'gone', error: reason });
        this.deps.outcomes.settled(job.key, { status: 'gone', reason, ...(failure ? { failure } : {}) });
        ledger.releaseBodyIfIdle(alertKeyOf(d.tenantId, d.alertId));
        alerts++;
      } else {
        alerts += ledger.digest(job.id)?.items.length ?? 0;
        this.closeDigest(job.id, 'gone', reason);
      }
    }
    for (const thread of [...ledger.incidents.threads()]) {
      if (thread.state === 'pending' && conversationOf(thread.target) === q.id) ledger.incidents.putThread({ ...thread, state: 'gone', error: reason, updatedAt: ledger.now() });
    }
    q.posts = [];
    q.edits.clear();
    return alerts;
  }

  private closeDigest(id: string, state: Extract<DigestRecord['state'], 'failed' | 'gone'>, reason: string): void {
    const { ledger } = this.deps;
    const digest = ledger.digest(id);
    if (!digest) return;
    ledger.putDigest({ ...digest, state, error: reason, updatedAt: ledger.now() });
    for (const item of digest.items) {
      const d = ledger.delivery(item.deliveryKey);
      if (d?.state === 'digested' && d.digestId === id) ledger.updateDelivery(item.deliveryKey, { state, error: reason });
    }
  }
}
