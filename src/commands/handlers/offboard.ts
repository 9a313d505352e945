import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import type { Reply } from '../../chat/reply.js';

/** `offboard <tenant>`: the confirmation card; the card's button does the offboarding. */
export async function offboard({ command, actor, services }: HandlerContext<CommandOf<'offboard'>>): Promise<Reply> {
  return services.onboarding.offboarding.ask(command.tenant, actor);
}
