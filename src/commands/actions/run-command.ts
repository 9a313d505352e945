import { z } from 'zod/v4';
import { notice } from '../../chat/reply.js';
import { VERBS } from '../../cards/verbs.js';
import { ACCESS } from '../../roles/access.js';
import type { ActionRoute } from '../route.js';

/** Payload of the "run a command" button, from Action.Execute or its Action.Submit fallback. */
export const RunCommandPayload = z.object({ verb: z.literal(VERBS.runCommand).optional(), command: z.string().trim().min(1).max(500) });
export type RunCommandRequest = z.infer<typeof RunCommandPayload>;

/**
 * A button that runs a chat command as if the clicker had typed it. Anyone may click; the command
 * it runs is then checked like a typed one, so the route's own rule is `anyone`. The handler is
 * the pipeline's (it dispatches the command), so it is set where the pipeline is.
 */
export const RUN_COMMAND_ROUTE: Omit<ActionRoute<RunCommandRequest>, 'handle'> = {
  access: ACCESS.anyone,
  payload: RunCommandPayload,
  whenInvalid: 'Type "help" instead.',
  delivery: 'clicker',
  interim: () => notice({ title: 'Working on it…', text: 'This card updates in a moment.' }),
};
