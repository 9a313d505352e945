import type { Clock } from '../clock.js';
import type { Messenger } from '../conversations/messenger.js';
import type { Logger } from '../log.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';
import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { DeliveryLedger } from './ledger.js';
import type { OutcomeBoard } from './outcomes.js';
import type { DeliveryNoticePort, DeliveryTarget, LinkHealth } from './ports.js';
import type { DeliverySettings, DeliveryTuning } from './settings.js';
import type { CardMark, DeliveryRecord } from './store-schema.js';
import type { TargetHealthBook } from './target-health.js';

/**
 * One piece of work for one kind's worker, started once the records it needs are on disk. `action`
 * and `ref` are the worker's own vocabulary: `post` with a delivery key for every kind; Teams also
 * edits cards and digests, the generic worker sends `update`s.
 */
export interface DeliveryWork {
  readonly targetKind: string;
  readonly action: string;
  readonly ref: string;
}

/** A card an analyst acted on: it already shows the result, so it needs no edit of its own. */
export interface ChangeOrigin {
  readonly conversationId: string;
  readonly messageId?: string;
}

/** Delivers one kind's outbox entries: one worker per kind, so one kind never waits for another. */
export interface DeliveryWorker {
  /** Queues everything the ledger says is unfinished (at start). */
  resume(): void;
  /** Starts work whose records are on disk. */
  dispatch(work: readonly DeliveryWork[]): void;
  /**
   * The alert has a newer version in the ledger: records what this kind's deliveries of it need
   * (an edit, an update event) and returns the work to dispatch once that is on disk.
   */
  planChange(alertKey: string): DeliveryWork[];
  /** Whether rules with `group:incident` reach this kind by incident thread (else alert by alert). */
  readonly threadsIncidents?: boolean;
  /** Whether a delivery keeps following its alert's changes (so its alert body must be kept). */
  followsChanges(delivery: DeliveryRecord): boolean;
  /**
   * Puts `mark` on this kind's cards of the alert (kinds that post cards), recorded so every later
   * redraw keeps it; `planChange` then finds the cards that do not show it yet. Returns how many.
   */
  mark?(alertKey: string, mark: CardMark): number;
  /** An analyst changed the alert from a card: that card already shows `version`. */
  changedFrom?(origin: ChangeOrigin, alertKey: string, version: string): void;
  /** An analyst changed the incident from a card of it: that card already shows `version`. */
  incidentChangedFrom?(origin: ChangeOrigin, incidentKey: string, version: string): void;
  /** What it did since start, for `DeliveryService.stats()`. */
  counters(): Readonly<Record<string, number>>;
  /** Nothing queued, in flight or waiting to be retried. */
  readonly idle: boolean;
  /** Stops taking work; waits (up to `timeoutMs`) for what is in flight to finish and be recorded. */
  stop(timeoutMs?: number): Promise<void>;
}

/** What a kind's worker is given: the outbox and the ports delivery holds. */
export interface WorkerContext {
  readonly ledger: DeliveryLedger;
  readonly tenants: { find(ref: string): TenantRecord | undefined };
  readonly conversations: { get(id: string): ConversationRecord | undefined };
  readonly messenger: Messenger;
  /** Whether this instance may still deliver (it holds the delivery lease); checked before each send. */
  readonly mayDeliver: () => boolean;
  readonly linkHealth: LinkHealth;
  readonly notices: DeliveryNoticePort;
  /** Where `rule test` waits for its samples' outcomes. */
  readonly outcomes: OutcomeBoard;
  readonly health: TargetHealthBook;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly random: () => number;
  /** Knobs tests and benchmarks turn (see DeliveryTuning); production uses the defaults. */
  readonly tuning: DeliveryTuning;
  readonly settings: DeliverySettings;
}
