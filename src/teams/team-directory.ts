import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Clock } from '../clock.js';
import type { ConversationInfo } from '../conversations/conversation-registry.js';
import type { Logger } from '../log.js';
import type { ConversationRecord } from '../conversations/conversation-schema.js';

interface TeamNames {
  readonly teamName?: string;
  /** Channel id → name; the General channel has none. */
  readonly channels: ReadonlyMap<string, string>;
}

const TTL_MS = 60 * 60 * 1000;
const MAX_TEAMS = 1000;

/**
 * Teams names a channel on the events about it (channelCreated, channelRenamed) and a team on the
 * bot's install, but a message carries only their ids. So that replies and lists can say "SOC ›
 * Contoso alerts" rather than "a channel", the names still unknown are asked of the Bot Connector,
 * once per team and hour at most (failures included, so a refusing connector is not asked again
 * on every message).
 */
export class TeamDirectory {
  private readonly cache = new Map<string, { at: number; names: TeamNames }>();

  constructor(private readonly deps: { clock: Clock; logger: Logger }) {}

  /** `info` with the team's and the channel's names added where neither it nor the stored record has them. */
  async withNames(context: TurnContext, info: ConversationInfo, known: ConversationRecord | undefined): Promise<ConversationInfo> {
    if (info.kind !== 'channel' || !info.teamId) return info;
    const isGeneral = info.teamsChannelId === info.teamId;
    const needsChannelName = !isGeneral && !info.channelName && !known?.channelName;
    const needsTeamName = !info.teamName && !known?.teamName;
    if (!needsChannelName && !needsTeamName) return info;
    const names = await this.namesOf(context, info.teamId);
    const channelName = needsChannelName ? names.channels.get(info.id) : undefined;
    const teamName = needsTeamName ? names.teamName : undefined;
    return { ...info, ...(channelName ? { channelName } : {}), ...(teamName ? { teamName } : {}) };
  }

  private async namesOf(context: TurnContext, teamId: string): Promise<TeamNames> {
    const now = this.deps.clock.nowMs();
    const cached = this.cache.get(teamId);
    if (cached && now - cached.at < TTL_MS) return cached.names;
    let names: TeamNames = { channels: new Map() };
    try {
      const [team, channels] = await Promise.all([TeamsInfo.getTeamDetails(context, teamId), TeamsInfo.getTeamChannels(context, teamId)]);
      names = {
        ...(team.name ? { teamName: team.name } : {}),
        channels: new Map(channels.filter((c): c is { id: string; name: string } => Boolean(c.id && c.name)).map((c) => [c.id, c.name])),
      };
    } catch (error) {
      this.deps.logger.warn({ event: 'teams.team_lookup_failed', err: (error as Error).message }, 'could not look up the names of a team and its channels');
    }
    if (this.cache.size >= MAX_TEAMS) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(teamId, { at: now, names });
    return names;
  }
}
