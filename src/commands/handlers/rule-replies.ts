import type { RunContext, Services } from '../context.js';
import { cardReply, commandButton, notice, type Reply } from '../../chat/reply.js';
import type { Actor } from '../../roles/actor.js';
import type { RuleFormValues } from '../../cards/routing-cards.js';
import { inScope } from '../../routing/rule-service.js';
import { formValuesOf, ruleFacts, ruleFormCard, type RuleViewContext } from '../../routing/rule-views.js';
import type { NotificationRule } from '../../routing/store-schema.js';

/** What rule views need, for this reader. */
export function viewContext({ services, actor, may }: Pick<RunContext, 'services' | 'actor' | 'may'>): RuleViewContext {
  return {
    visibleTenants: services.tenants.visibleTo(actor, { includeOffboarded: true }),
    placeName: (id) => services.links.placeName(id),
    canChange: may('rule edit'),
    targets: services.targets,
    healthOf: (target) => services.delivery.targetHealth(target),
  };
}

/** The rules a reader may see: a customer-admin, or a `rules <tenant>` request, only those covering the tenant(s). */
export function rulesFor(services: Services, tenantIds: readonly string[] | undefined): NotificationRule[] {
  const rules = services.rules.list();
  return tenantIds === undefined ? rules : rules.filter((r) => tenantIds.some((id) => inScope(r.tenants, id)));
}

export function ruleSavedReply(rule: NotificationRule, warnings: readonly string[], ctx: Pick<RunContext, 'services' | 'actor' | 'may'>, verb: 'added' | 'changed'): Reply {
  const facts = ruleFacts(rule, viewContext(ctx));
  return notice({
    tone: warnings.length ? 'warning' : 'good',
    title: `Rule ${verb}: ${rule.name} (${rule.id})`,
    text: `${rule.enabled ? 'It applies to new alerts from now on.' : 'It is paused.'}${warnings.length ? ` ${warnings.join(' ')}` : ''}`,
    details: facts.map((f) => `${f.title}: ${f.value}`),
    buttons: [commandButton('Send test', `rule test ${rule.id}`), commandButton('Edit', `rule edit ${rule.id}`), commandButton('All rules', 'rules')],
  });
}

/** The rule form, blank, for a stored rule, or with what was submitted and why it was refused. */
export function ruleFormReply({ services, actor, place }: Pick<RunContext, 'services' | 'actor' | 'place'>, args: { rule?: NotificationRule; values?: RuleFormValues; error?: string }): Reply {
  const linkedIds = [...new Set(services.links.views(services.tenants.visibleTo(actor)).map((v) => v.link.conversationId))];
  const here = place.kind !== 'personal' && linkedIds.includes(place.conversationId) ? place.conversationId : undefined;
  const data = ruleFormCard({
    ruleId: args.rule?.id,
    values: args.values ?? formValuesOf(args.rule, here, services.targets),
    error: args.error ?? '',
    tenants: services.tenants.visibleTo(actor),
    channels: linkedIds.map((id) => ({ id, name: services.links.placeName(id) })),
    targets: services.targets,
  });
  return cardReply('rule-form', data, data.title);
}
