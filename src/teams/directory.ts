import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';

interface MemberDetails {
  objectId?: string;
  email?: string;
}

const TTL_MS = 60 * 60 * 1000;
const MAX_ENTRIES = 5000;

/**
 * Looks up Teams members (Entra object id, email/UPN) through the Bot Connector, remembering
 * answers for an hour so a busy channel does not cost a lookup per message.
 */
export class MemberDirectory {
  private readonly cache = new Map<string, { at: number; details: MemberDetails }>();

  constructor(private readonly deps: { clock: Clock; logger: Logger }) {}

  async lookup(context: TurnContext, chatUserId: string): Promise<MemberDetails> {
    const now = this.deps.clock.nowMs();
    const cached = this.cache.get(chatUserId);
    if (cached && now - cached.at < TTL_MS) return cached.details;
    let details: MemberDetails = {};
    try {
      const member = await TeamsInfo.getMember(context, chatUserId);
      details = {
        ...(member.aadObjectId ? { objectId: member.aadObjectId.toLowerCase() } : {}),
        ...(member.userPrincipalName || member.email ? { email: member.userPrincipalName || member.email } : {}),
      };
    } catch (error) {
      this.deps.logger.debug({ event: 'teams.member_lookup_failed', err: (error as Error).message }, 'member lookup failed');
      return details;
    }
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(chatUserId, { at: now, details });
    return details;
  }
}
