import type { z } from 'zod/v4';
import type { Clock } from '../../clock.js';
import type { AppConfig } from '../../config.js';
import type { Alert } from '../../defender/alert.js';
import type { Incident } from '../../defender/incident.js';
import type { DeliveryError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { ConversationKind } from '../../conversations/conversation-schema.js';
import type { TenantRecord } from '../../tenants/tenant-schema.js';
import type { DeliveryTarget } from '../ports.js';
import type { ContentOptions } from '../../alerts/notification-card.js';
import type { SampleInfo } from '../store-schema.js';
import type { DeliveryWorker, WorkerContext } from '../worker.js';

/**
 * What a kind of notification target (Teams, email, webhook…) declares, so that rules, routing,
 * `rule test` and delivery handle every kind the same way. `TARGET_KINDS` (kinds.ts) lists them.
 */

/** A rule's reference to targets of one kind, as stored: `channels`, a conversation id, an address, an endpoint name. */
export interface TargetRef {
  readonly kind: string;
  readonly value: string;
}

/** Whether a kind can deliver at all with this configuration; if not, why (said when a rule needs it). */
export interface Availability {
  readonly available: boolean;
  readonly reason: string;
}

/** Routing's channel links, as target kinds see them when rules are made. */
export interface LinkDirectory {
  /** The id of the conversation `ref` names (an id, or a linked channel's or chat's name); throws UsageError. */
  conversationNamed(ref: string): string;
  isLinked(conversationId: string, tenantId: string): boolean;
  /** Whether the tenant has any linked conversation. */
  hasLinks(tenantId: string): boolean;
  placeName(conversationId: string): string;
}

/** What a kind sees when a rule is made or changed. */
export interface RuleTargetContext {
  /** The conversation the change was typed in (`to:here`). */
  readonly place: { readonly conversationId: string; readonly kind: ConversationKind };
  /** The tenants the rule covers now. */
  readonly covered: readonly TenantRecord[];
  readonly links: LinkDirectory;
}

/** What a kind sees when it routes one tenant's alert: which conversations may receive that tenant's alerts. */
export interface RouteContext {
  readonly tenantId: string;
  /** Conversations with a working link to the tenant, where the bot still is. */
  linkedConversations(): readonly string[];
  /** Whether this conversation has a working link to the tenant and the bot is there. */
  reaches(conversationId: string): boolean;
}

/** How a target is doing, as delivery recorded it (kinds that report health: webhooks). */
export interface TargetHealthView {
  /** Set while the target refuses alerts for good; cleared by the next success. */
  readonly failing?: { readonly reason: string; readonly at: string };
  readonly lastSentAt?: string;
}

/** What views need to describe targets to people. */
export interface TargetViewContext {
  placeName(conversationId: string): string;
  healthOf(target: DeliveryTarget): TargetHealthView | undefined;
}

/** A target that exists by configuration alone (a webhook endpoint), for `channels`. */
export interface ConfiguredTarget {
  readonly target: DeliveryTarget;
  /** e.g. "Webhook siem". */
  readonly label: string;
  /** e.g. "SOC Bridge JSON to https://siem.example (host only)". */
  readonly detail: string;
}

/** The rule-side services of a kind: resolving, checking, describing and routing its references. */
export interface TargetRules {
  /** A reference as typed (`here`, a channel name, an endpoint name) as it is stored; throws UsageError. */
  resolve(ref: TargetRef, ctx: RuleTargetContext): TargetRef;
  /** Refuses a rule whose references of this kind cannot work (throws UsageError with the reason). */
  check(refs: readonly TargetRef[], ctx: RuleTargetContext): void;
  /** Things allowed but probably not what the admin expects. */
  warnings(refs: readonly TargetRef[], ctx: RuleTargetContext): string[];
  /** The references for people, e.g. "each tenant's linked channels; SOC › Alerts". */
  describe(refs: readonly TargetRef[], view: TargetViewContext): string;
  /** Where one reference sends a tenant's alert (only where that tenant's alerts may go). */
  expand(ref: TargetRef, route: RouteContext): DeliveryTarget[];
}

/** One notification for one target: what `send` renders. */
export interface Notification {
  /** `new` the first time, `updated` when the alert changed since, `sample` for `rule test`. */
  readonly event: 'new' | 'updated' | 'sample';
  /** The same for every attempt of one event, so a receiver can drop a repeat. */
  readonly eventId: string;
  readonly tenant: TenantRecord;
  readonly alert: Alert;
  readonly options: ContentOptions;
  readonly ruleId: string;
  readonly sample?: SampleInfo;
}

/** The incident-level events of rules with `group:incident`, for kinds without cards (email, webhooks). */
export type IncidentEvent = 'incident.created' | 'incident.alert-added' | 'incident.updated';

/** One incident-level message for one target: the incident thread's first, a later alert in it, or a change of the incident. */
export interface IncidentNotification {
  readonly event: IncidentEvent;
  /** The same for every attempt of one event, so a receiver can drop a repeat. */
  readonly eventId: string;
  readonly tenant: TenantRecord;
  /** As last read from Graph (alerts included), or as its first alert shows it until then. */
  readonly incident: Incident;
  /** The alert that opened the thread or joined it; absent on `incident.updated`. */
  readonly alert?: Alert;
  readonly options: ContentOptions;
  readonly ruleId: string;
  /** `first`: the thread's first message is all the rule sends of the incident (`notify:first`). */
  readonly notify: 'first' | 'every';
  /** The incident thread (one per incident and target), the same across attempts and restarts: a mail thread's Message-ID is made of it. */
  readonly threadKey: string;
}

/** Sends one notification to one target of a kind, for the generic worker. */
export interface TargetSender {
  /** One attempt. Resolves when the target took it; rejects with anything (`classify` reads it). */
  send(target: DeliveryTarget, notification: Notification): Promise<void>;
  /**
   * One attempt at an incident-level message. Kinds that have it deliver rules with
   * `group:incident` by incident thread; the others get a message per alert.
   */
  sendIncident?(target: DeliveryTarget, notification: IncidentNotification): Promise<void>;
  /** Whether changes of an incident go out as `incident.updated` (else a thread only hears of new alerts). */
  readonly followsIncidents?: boolean;
  /** What a failed attempt means: retry (throttled, transient), or not (rejected). */
  classify(error: unknown): DeliveryError;
}

/** What a kind needs to build its services: the process's configuration and shared ports. */
export interface TargetKindDeps {
  readonly config: AppConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A rule's name by id (undefined once removed). */
  ruleName(ruleId: string): string | undefined;
}

/** A kind's services in this process. */
export interface BuiltTargetKind {
  readonly availability: Availability;
  readonly rules: TargetRules;
  /** A target for people: a channel's place name, an address, "webhook siem". */
  show(target: DeliveryTarget, view: Pick<TargetViewContext, 'placeName'>): string;
  /** Why a failure happened and what to do, for `rule test`'s report. */
  explain(failure: DeliveryError): string;
  /** Targets configured outside rules, listed by `channels` with their health. */
  configured(): ConfiguredTarget[];
  /** The worker that delivers this kind's outbox entries. */
  createWorker(ctx: WorkerContext): DeliveryWorker;
  /** Releases what the kind holds open (pooled connections). */
  close(): void;
}

export interface TargetKind {
  /** The kind's key: the `kind` of its references and delivery targets, and its word in `mode:`. */
  readonly key: string;
  /** For titles ("Teams", "Email", "Webhook"). */
  readonly title: string;
  /** In sentences ("Teams", "email", "webhook"). */
  readonly noun: string;
  /** What `mode:` says when the rule names none of this kind: "sends email, but the rule has no email address. Add …". */
  readonly missing: string;
  /** The delivery target's fields: `{ kind, … }`. */
  readonly targetSchema: z.ZodType<DeliveryTarget>;
  /** At most this many references of the kind per rule. */
  readonly maxPerRule?: number;
  /**
   * The rule-syntax token: the reference one `to:` word stands for, or undefined when the word is
   * not this kind's. Throws UsageError (prefixed with `key`) for a word of its own that is malformed.
   */
  recognise(word: string, key: string): TargetRef | undefined;
  /** A word no kind recognised may still be this kind's (Teams: a channel's name). */
  recogniseOther?(word: string): TargetRef | undefined;
  /** The `to:` word for a stored reference (what `recognise` reads back). */
  word(ref: TargetRef): string;
  /** The target's identity within its kind (a delivery is keyed by alert and `kind:keyOf`). */
  keyOf(target: DeliveryTarget): string;
  build(deps: TargetKindDeps): BuiltTargetKind;
}

/** A target's key across kinds, `kind:…`: a delivery is keyed by its alert and this. */
export function targetKeyOf(kind: Pick<TargetKind, 'key' | 'keyOf'>, target: DeliveryTarget): string {
  return `${kind.key}:${kind.keyOf(target)}`;
}
