import { alertDetailCard } from '../../alerts/alert-views.js';
import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import { cardReply, type Reply } from '../../chat/reply.js';

/** `alert <tenant> <id>`: one alert in full, with the actions the caller's role and the tenant allow. */
export async function alert({ command, actor, services }: HandlerContext<CommandOf<'alert'>>): Promise<Reply> {
  const tenant = services.tenants.resolve(command.tenant, actor);
  const found = await services.alerts.get(tenant, command.alertId);
  return cardReply('alert-detail', alertDetailCard(tenant, found, { writable: tenant.writeAccess }), `${found.severity}: ${found.title}`);
}
