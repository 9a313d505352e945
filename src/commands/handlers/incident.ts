import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import type { Reply } from '../../chat/reply.js';

/** `incident <tenant> <id>`: one incident with its alerts, with the actions the caller's role and the tenant allow. */
export async function incident({ command, actor, services }: HandlerContext<CommandOf<'incident'>>): Promise<Reply> {
  const tenant = services.tenants.resolve(command.tenant, actor);
  const found = await services.incidents.get(tenant, command.incidentId);
  return services.incidentActions.detailReply(tenant, found);
}
