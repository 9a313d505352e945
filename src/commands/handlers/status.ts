import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import type { Reply } from '../../chat/reply.js';

/** `status <tenant>`: consent, a live token and Graph check, permissions, health and access-guide progress. */
export async function status({ command, actor, services, may }: HandlerContext<CommandOf<'status'>>): Promise<Reply> {
  return services.onboarding.diagnostics.status(command.tenant, actor, may('consent'));
}
