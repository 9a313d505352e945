import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, type Reply } from '../../chat/reply.js';
import { channelsCard } from '../../routing/rule-views.js';

/** `channels [tenant]`: every link (a customer-admin: their own tenant's) and its health. */
export async function channels({ command, actor, services, may }: HandlerContext<CommandOf<'channels'>>): Promise<Reply> {
  const visible = services.tenants.visibleTo(actor, { includeOffboarded: true });
  const tenant = command.tenant ? services.tenants.resolve(command.tenant, actor) : undefined;
  const views = services.links.views(visible, tenant?.tenantId);
  const scope = tenant ? tenant.displayName : actor.role === 'customer-admin' ? (visible[0]?.displayName ?? 'your tenant') : 'all customers';
  // Targets outside Teams carry every customer's alerts: only the SOC sees them.
  const configured = actor.role === 'customer-admin' ? [] : services.targets.configured().map((c) => ({ label: c.label, detail: c.detail, health: services.delivery.targetHealth(c.target) }));
  const data = channelsCard(views, scope, may('unlink'), configured);
  return cardReply('channels', data, `${data.title}: ${data.summary}`);
}
