import type { RuleTargetContext } from '../delivery/targets/target-kind.js';
import { UsageError } from '../errors.js';
import type { Role } from '../roles/role-schema.js';
import { describeTenants } from '../tenants/describe-tenants.js';
import type { RuleInput } from './rule-syntax.js';
import type { RuleEscalation } from './store-schema.js';

/** The roles whose holders an escalation may mention: people who can take an alert. */
const MENTIONABLE: readonly Role[] = ['admin', 'analyst'];

/** Who holds which role (bootstrap admins included), for the people `escalate-to:` names. */
export interface EscalationPeople {
  holderOf(userId: string): { readonly role: Role; readonly displayName?: string } | undefined;
}

/** What checking an escalation needs besides the rule's own words. */
export interface EscalationContext {
  readonly people: EscalationPeople;
  /** The rule's tenants, links and the place the change is typed in (as its targets are checked against). */
  readonly targets: RuleTargetContext;
  /** Whether the rule posts cards in Teams (a follow-up without a channel goes in a card's thread). */
  readonly postsToTeams: boolean;
}

/**
 * A rule's escalation after a change: `escalate:` sets or removes the levels, `escalate-to:` the
 * people and channel (kept from `current` when only the levels change). People must hold a role
 * that can act on alerts; a channel must be linked to a tenant the rule covers, the same isolation
 * as `to:`. Refused with the key, the value and what would work.
 */
export function resolveEscalation(current: RuleEscalation | undefined, input: Pick<RuleInput, 'escalateAfter' | 'escalateTo'>, ctx: EscalationContext): RuleEscalation | undefined {
  const { escalateAfter, escalateTo } = input;
  if (escalateAfter === null) {
    if (escalateTo) throw new UsageError('escalate-to: needs an escalation; "escalate:off" removes it. Give escalate:<duration> instead, e.g. escalate:15m.');
    return undefined;
  }
  const afterMinutes = escalateAfter ?? current?.afterMinutes;
  if (!afterMinutes) {
    if (escalateTo === undefined) return undefined;
    throw new UsageError('escalate-to: says whom an escalation mentions, and this rule has none: add escalate:<duration> too, e.g. escalate:15m escalate-to:@Megan.');
  }
  const mention = escalateTo === undefined ? (current?.mention ?? []) : (escalateTo?.people ?? []).map((person) => mentionOf(person, current, ctx.people));
  const channel = escalateTo === undefined ? current?.channel : escalateTo?.channel === undefined ? undefined : channelOf(escalateTo.channel, ctx.targets);
  if (channel !== undefined && escalateTo === undefined) checkChannel(channel, ctx.targets);
  if (channel === undefined && !ctx.postsToTeams) {
    throw new UsageError('escalate: the follow-up goes in the thread of the alert\'s card in Teams, and this rule posts no cards there: add a Teams target (to:channels) or name a linked channel in escalate-to:.');
  }
  return { afterMinutes: [...afterMinutes], mention, ...(channel === undefined ? {} : { channel }) };
}

function mentionOf(person: { objectId: string; displayName?: string }, current: RuleEscalation | undefined, people: EscalationPeople): RuleEscalation['mention'][number] {
  const holder = people.holderOf(person.objectId);
  const shown = person.displayName ?? holder?.displayName ?? person.objectId;
  if (!holder) throw new UsageError(`escalate-to: ${shown} has no SOC Bridge role, so SOC Bridge does not know them. Give them one first ("role grant @${person.displayName ?? person.objectId} analyst"), or mention someone who has one.`);
  if (!MENTIONABLE.includes(holder.role)) throw new UsageError(`escalate-to: ${shown} is ${holder.role === 'customer-admin' ? 'a customer-admin' : `a ${holder.role}`} and cannot take an alert; an escalation mentions analysts and admins.`);
  const name = person.displayName ?? holder.displayName ?? current?.mention.find((m) => m.userId === person.objectId)?.name ?? person.objectId;
  return { userId: person.objectId, name };
}

function channelOf(ref: string, ctx: RuleTargetContext): string {
  let conversationId: string;
  if (['here', 'this'].includes(ref.toLowerCase())) {
    if (ctx.place.kind === 'personal') throw new UsageError('escalate-to: "here" means this conversation, but escalations cannot go to a personal chat. Type the rule in the channel that should get them, or name it.');
    conversationId = ctx.place.conversationId;
  } else {
    try {
      conversationId = ctx.links.conversationNamed(ref);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      throw new UsageError(
        error.userMessage
          .replace(/^to: /, 'escalate-to: ')
          .replace(/ Use channels, here.*$/, ' Name here, a linked channel\'s name or its id; people are @mentioned or given by Entra object id.'),
      );
    }
  }
  checkChannel(conversationId, ctx);
  return conversationId;
}

/** The channel must be linked to a tenant the rule covers: an escalation shows the alert's customer data there. */
function checkChannel(conversationId: string, ctx: RuleTargetContext): void {
  if (ctx.covered.some((t) => ctx.links.isLinked(conversationId, t.tenantId))) return;
  throw new UsageError(
    `escalate-to: ${ctx.links.placeName(conversationId)} is not linked to ${ctx.covered.length === 0 ? 'any tenant this rule covers' : describeTenants(ctx.covered)}, and an escalation shows the alert there. Run "link <tenant>" there first, or leave the channel out (the follow-up then goes in the card's thread).`,
  );
}

/** What is allowed but probably not what the admin expects. */
export function escalationWarnings(escalation: RuleEscalation | undefined, ctx: RuleTargetContext): string[] {
  if (!escalation?.channel) return [];
  const missing = ctx.covered.filter((t) => !ctx.links.isLinked(escalation.channel ?? '', t.tenantId));
  if (missing.length === 0) return [];
  return [`escalate-to: ${ctx.links.placeName(escalation.channel)} is not linked to ${describeTenants(missing)}, so their escalations go in the card's thread instead.`];
}
