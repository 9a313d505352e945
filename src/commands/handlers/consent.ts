import type { CommandOf } from '../command.js';
import type { HandlerContext } from '../context.js';
import type { Reply } from '../../chat/reply.js';

/** `consent <tenant> [access:…]`: a fresh consent card here; older links stop working. */
export async function consent({ command, actor, place, services }: HandlerContext<CommandOf<'consent'>>): Promise<Reply> {
  return services.onboarding.flow.sendConsentCard(command, actor, place);
}
