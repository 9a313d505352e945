import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, type Reply } from '../../chat/reply.js';
import { rulesFor, viewContext } from './rule-replies.js';
import { rulesCard } from '../../routing/rule-views.js';

/** `rules [tenant]`: the notification rules, or those covering one tenant (a customer-admin: theirs). */
export async function rules(run: HandlerContext<CommandOf<'rules'>>): Promise<Reply> {
  const { command, actor, services } = run;
  const ctx = viewContext(run);
  const tenant = command.tenant ? services.tenants.resolve(command.tenant, actor) : undefined;
  const tenantIds = tenant ? [tenant.tenantId] : actor.role === 'customer-admin' ? ctx.visibleTenants.map((t) => t.tenantId) : undefined;
  const scope = tenant ? tenant.displayName : actor.role === 'customer-admin' ? (ctx.visibleTenants[0]?.displayName ?? 'your tenant') : 'all customers';
  const data = rulesCard(rulesFor(services, tenantIds), ctx, scope, services.rules.list().length);
  return cardReply('rules', data, `${data.title}: ${data.summary}`);
}
