import type { z } from 'zod/v4';
import type { ActionDelivery } from '../chat/outcome.js';
import type { Reply } from '../chat/reply.js';
import type { AccessRule } from '../roles/access.js';
import type { Command } from './command.js';
import type { ActionContext, HandlerContext } from './context.js';

/*
 * Rows of the route table. Handlers are declared with method syntax on purpose: a row for one
 * payload type then fits the table's row for any payload, without casts, and the pipeline only
 * ever calls a handler with what that row's own schema produced.
 */

/** A chat command: who may run it and what runs. */
export interface CommandRoute<C extends Command> {
  readonly access: AccessRule;
  handle(ctx: HandlerContext<C>): Promise<Reply>;
  /**
   * For a command that may take longer than a reply should wait (many tenants read from Graph):
   * what the asker sees first, a message edited into the answer once it is ready.
   */
  interim?(ctx: HandlerContext<C>): Reply | undefined;
}

/** A card verb: who may click it, what its data must be, and how its answer is delivered. */
export interface ActionRoute<P> {
  readonly access: AccessRule;
  /** The card's data comes back from the client: as untrusted as anything typed. */
  readonly payload: z.ZodType<P>;
  /** The sentence after "This card's data is not valid (…)": how to get a good card. */
  readonly whenInvalid: string;
  readonly delivery: ActionDelivery;
  /** What the clicker sees if the work takes longer than Teams lets an invoke wait. */
  interim(payload: P): Reply;
  handle(ctx: ActionContext<P>): Promise<Reply>;
}
