import { ChatDeliveryError } from '../../../conversations/messenger.js';
import type { DeliveryError } from '../../../errors.js';
import { UsageError } from '../../../errors.js';
import { describeTenants } from '../../../tenants/describe-tenants.js';
import { isConversationId } from '../../../text/ids.js';
import { conversationWindows } from '../../pacing.js';
import { globalWindows } from '../../settings.js';
import type { BuiltTargetKind, RuleTargetContext, TargetKind, TargetRef, TargetRules } from '../target-kind.js';
import { TeamsTargetSchema, conversationOf, teamsTarget } from './teams-address.js';
import { TeamsDelivery } from './teams-delivery.js';

/** The stored reference for "each tenant's linked channels" (`to:channels`). */
const LINKED = 'channels';
/** `to:here` until the rule is saved: then it is the conversation the rule was typed in. */
const HERE = 'here';

const ref = (value: string): TargetRef => ({ kind: 'teams', value });

/**
 * Teams channels and group chats. A rule names each tenant's linked channels, the conversation it
 * is typed in, or a linked conversation by name or id; an alert only ever goes to a conversation
 * linked to its own customer, where the bot still is.
 */
export const TEAMS_TARGETS: TargetKind = {
  key: 'teams',
  title: 'Teams',
  noun: 'Teams',
  missing: "sends to Teams, but the rule has no Teams target. Add to:channels (each tenant's linked channels), to:here or a linked channel",
  targetSchema: TeamsTargetSchema,
  recognise(word) {
    const lower = word.toLowerCase();
    if (lower === 'channels' || lower === 'linked') return ref(LINKED);
    if (lower === 'here' || lower === 'this') return ref(HERE);
    return isConversationId(word) ? ref(word) : undefined;
  },
  recogniseOther: (word) => ref(word),
  word: (target) => target.value,
  keyOf: (target) => conversationOf(target) ?? '',
  build: () => ({
    availability: { available: true, reason: '' },
    rules: TEAMS_RULES,
    show: (target, view) => view.placeName(conversationOf(target) ?? ''),
    explain,
    configured: () => [],
    createWorker: (ctx) =>
      new TeamsDelivery(ctx, {
        conversationWindows: conversationWindows(ctx.tuning),
        globalWindows: globalWindows(ctx.settings.teamsGlobalRate),
        stormThresholdMs: ctx.settings.stormThresholdMs,
        digestMaxItems: ctx.tuning.digestMaxItems ?? 25,
        editDelayMs: ctx.tuning.editDelayMs ?? 2000,
        editMaxWaitMs: ctx.tuning.editMaxWaitMs ?? 30_000,
        backoff: ctx.tuning.backoff ?? { baseMs: 1000, capMs: 5 * 60_000 },
        maxTransientAttempts: ctx.tuning.maxTransientAttempts ?? 8,
        maxThrottledAttempts: ctx.tuning.maxThrottledAttempts ?? 30,
      }),
    close: () => undefined,
  }) satisfies BuiltTargetKind,
};

const TEAMS_RULES: TargetRules = {
  resolve(target, ctx) {
    if (target.value === LINKED) return target;
    if (target.value === HERE) {
      if (ctx.place.kind === 'personal') throw new UsageError('to: "here" means this conversation, but alerts cannot go to a personal chat. Type the rule in the channel that should receive alerts, or name it.');
      return ref(ctx.place.conversationId);
    }
    return ref(ctx.links.conversationNamed(target.value));
  },

  /** A specific channel must be linked to at least one tenant the rule covers, or it would receive nothing. */
  check(refs, ctx) {
    for (const { value } of specific(refs)) {
      if (ctx.covered.some((t) => ctx.links.isLinked(value, t.tenantId))) continue;
      throw new UsageError(
        `to: ${ctx.links.placeName(value)} is not linked to ${ctx.covered.length === 0 ? 'any tenant this rule covers' : describeTenants(ctx.covered)}, and alerts only go to conversations linked to their customer. Run "link <tenant>" there first, or choose other targets.`,
      );
    }
  },

  warnings(refs, ctx) {
    const warnings: string[] = [];
    if (refs.some((r) => r.value === LINKED)) {
      const without = ctx.covered.filter((t) => !ctx.links.hasLinks(t.tenantId));
      if (without.length > 0) warnings.push(`No channel is linked to ${describeTenants(without)} yet, so "to:channels" reaches nothing for ${without.length === 1 ? 'it' : 'them'}: run "link <tenant>" in a channel.`);
    }
    for (const { value } of specific(refs)) warnings.push(...notLinkedWarning(value, ctx));
    return warnings;
  },

  describe(refs, view) {
    return [...(refs.some((r) => r.value === LINKED) ? ["each tenant's linked channels"] : []), ...specific(refs).map((r) => view.placeName(r.value))].join('; ');
  },

  expand(target, route) {
    if (target.value === LINKED) return route.linkedConversations().map(teamsTarget);
    return route.reaches(target.value) ? [teamsTarget(target.value)] : [];
  },
};

function specific(refs: readonly TargetRef[]): TargetRef[] {
  return refs.filter((r) => r.value !== LINKED && r.value !== HERE);
}

function notLinkedWarning(conversationId: string, ctx: RuleTargetContext): string[] {
  const missing = ctx.covered.filter((t) => !ctx.links.isLinked(conversationId, t.tenantId));
  if (missing.length === 0) return [];
  return [`${ctx.links.placeName(conversationId)} is not linked to ${describeTenants(missing)}, so it gets none of ${missing.length === 1 ? 'its' : 'their'} alerts.`];
}

/** What a refusal means for the admin who ran `rule test`. */
function explain(error: DeliveryError): string {
  if (!(error instanceof ChatDeliveryError)) return error.userMessage;
  switch (error.kind) {
    case 'gone':
      return `Teams answered ${error.status}: SOC Bridge was removed from there or the channel is gone. The link is now marked broken.`;
    case 'throttled':
      return 'Teams is throttling SOC Bridge right now; try again in a minute.';
    case 'transient':
      return `Teams did not accept the post (${error.status ?? 'no answer'}); try again later.`;
    case 'rejected':
      return `Teams rejected the post (${error.status ?? 'no status'}).`;
  }
}
