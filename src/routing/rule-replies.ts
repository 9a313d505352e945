import type { ChatPlace, Services } from '../commands/context.js';
import { isAllowed } from '../commands/access.js';
import { cardReply, commandButton, notice, type Reply } from '../commands/reply.js';
import type { Actor } from '../roles/actor.js';
import type { RuleFormValues } from '../cards/routing-cards.js';
import { inScope } from './rule-service.js';
import { formValuesOf, ruleFacts, ruleFormCard, type RuleViewContext } from './rule-views.js';
import type { NotificationRule } from './store-schema.js';

/** What rule views need, for this reader. */
export function viewContext(services: Services, actor: Actor): RuleViewContext {
  return {
    visibleTenants: services.tenants.visibleTo(actor, { includeOffboarded: true }),
    placeName: (id) => services.links.placeName(id),
    canChange: isAllowed(actor.role, 'rule edit'),
    emailAvailable: services.rules.email.available,
    emailReason: services.rules.email.reason,
  };
}

/** The rules a reader may see: a customer-admin, or a `rules <tenant>` request, only those covering the tenant(s). */
export function rulesFor(services: Services, tenantIds: readonly string[] | undefined): NotificationRule[] {
  const rules = services.rules.list();
  return tenantIds === undefined ? rules : rules.filter((r) => tenantIds.some((id) => inScope(r.tenants, id)));
}

export function ruleSavedReply(rule: NotificationRule, warnings: readonly string[], services: Services, actor: Actor, verb: 'added' | 'changed'): Reply {
  const facts = ruleFacts(rule, viewContext(services, actor));
  return notice({
    tone: warnings.length ? 'warning' : 'good',
    title: `Rule ${verb}: ${rule.name} (${rule.id})`,
    text: `${rule.enabled ? 'It applies to new alerts from now on.' : 'It is paused.'}${warnings.length ? ` ${warnings.join(' ')}` : ''}`,
    details: facts.map((f) => `${f.title}: ${f.value}`),
    buttons: [commandButton('Send test', `rule test ${rule.id}`), commandButton('Edit', `rule edit ${rule.id}`), commandButton('All rules', 'rules')],
  });
}

/** The rule form, blank, for a stored rule, or with what was submitted and why it was refused. */
export function ruleFormReply(services: Services, actor: Actor, place: Pick<ChatPlace, 'conversationId' | 'kind'>, args: { rule?: NotificationRule; values?: RuleFormValues; error?: string }): Reply {
  const linkedIds = [...new Set(services.links.views(services.tenants.visibleTo(actor)).map((v) => v.link.conversationId))];
  const here = place.kind !== 'personal' && linkedIds.includes(place.conversationId) ? place.conversationId : undefined;
  const data = ruleFormCard({
    ruleId: args.rule?.id,
    values: args.values ?? formValuesOf(args.rule, here),
    error: args.error ?? '',
    tenants: services.tenants.visibleTo(actor),
    channels: linkedIds.map((id) => ({ id, name: services.links.placeName(id) })),
    emailAvailable: services.rules.email.available,
    emailReason: services.rules.email.reason,
  });
  return cardReply('rule-form', data, data.title);
}
