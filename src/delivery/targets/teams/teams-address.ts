import { z } from 'zod/v4';
import type { DeliveryTarget } from '../../ports.js';

/** A Teams target: one conversation (a channel or a group chat), by its base id. */
export const TeamsTargetSchema = z.object({ kind: z.literal('teams'), conversationId: z.string().min(1) });
export type TeamsTarget = z.infer<typeof TeamsTargetSchema>;

/** The conversation a target names, when it is a Teams target. */
export function conversationOf(target: DeliveryTarget): string | undefined {
  return target.kind === 'teams' && typeof target.conversationId === 'string' ? target.conversationId : undefined;
}

export function teamsTarget(conversationId: string): TeamsTarget {
  return { kind: 'teams', conversationId };
}
