import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import type { Reply } from '../../chat/reply.js';

/** `onboard <tenant-id|domain> <name…> [admin:@user] [access:read|readwrite]`: a pending customer and its consent card. */
export async function onboard({ command, actor, place, services }: HandlerContext<CommandOf<'onboard'>>): Promise<Reply> {
  return services.onboarding.flow.onboard(command, actor, place);
}
