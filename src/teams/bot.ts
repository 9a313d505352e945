import { randomBytes } from 'node:crypto';
import type { TurnContext } from 'botbuilder';
import type { Services } from '../commands/context.js';
import { startCommand, type RouteObserver, type TurnContext as CommandTurn } from '../commands/pipeline.js';
import type { Clock } from '../clock.js';
import type { AppConfig } from '../config.js';
import type { Logger } from '../log.js';
import { baseConversationId, commandInputFrom, conversationInfoFrom, placeFrom } from './activity.js';
import { MemberDirectory } from './directory.js';
import { TeamDirectory } from './team-directory.js';
import { actorOf, mentionedUsersOf } from './identity.js';
import { onInstalled, onRemoved } from './install.js';
import { DEFAULT_ACTION_DEADLINE_MS, registerCardActions } from './card-actions.js';
import { replyToCommand } from './command-replies.js';
import type { SocBridgeAdapter } from './adapter.js';
import { TurnRouter } from './turn-router.js';

export interface BotDeps {
  readonly config: Pick<AppConfig, 'bot' | 'botOpenIdMetadataUrl'>;
  readonly services: Services;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Built first by the composition root, because the proactive messenger needs it too. */
  readonly adapter: SocBridgeAdapter;
  /** How long a card action (or a command with an interim answer) may take before the interim card is returned (default 1.5 s). */
  readonly actionDeadlineMs?: number;
  /** Brings shared state up to date before each turn (changes other instances made). */
  readonly refresh: () => Promise<void>;
  /** Told how each command and card click ended (metrics). */
  readonly observer?: RouteObserver;
}

export interface Bot {
  readonly router: TurnRouter;
  readonly adapter: SocBridgeAdapter;
}

/**
 * The Teams edge: the only place that knows botbuilder. It maps activities onto the command layer
 * and replies back onto activities. Routes, in the order they are tried: card actions (invokes),
 * install/removal events, then every message through our own parser.
 */
export function createBot(deps: BotDeps): Bot {
  const { services, logger } = deps;
  const adapter = deps.adapter;
  const botAppId = deps.config.bot.kind === 'keyless' ? undefined : deps.config.bot.appId;
  const router = new TurnRouter();
  const directory = new MemberDirectory({ clock: deps.clock, logger });
  const teams = new TeamDirectory({ clock: deps.clock, logger });

  const turnFor = async (context: TurnContext): Promise<CommandTurn> => ({
    actor: await actorOf(context, services.roles, directory),
    place: placeFrom(context.activity),
    services,
    clock: deps.clock,
    logger,
    ...(deps.observer ? { observer: deps.observer } : {}),
  });

  // Every route sees what any instance changed up to now: roles, rules, links, tenants.
  router.beforeTurn(deps.refresh);

  const observe = async (context: TurnContext) => {
    const info = conversationInfoFrom(context.activity);
    if (info) await services.conversations.observe(await teams.withNames(context, info, services.conversations.get(info.id)));
  };

  const replies = { botAppId: botAppId ?? '', deadlineMs: deps.actionDeadlineMs ?? DEFAULT_ACTION_DEADLINE_MS, logger };
  registerCardActions(router, { turnFor, ...replies });

  router.conversationUpdate('membersAdded', async (context) => {
    const botId = context.activity.recipient?.id;
    if (context.activity.membersAdded?.some((m) => m.id === botId)) await onInstalled(context, services.conversations, logger);
  });
  router.conversationUpdate('membersRemoved', async (context) => {
    const botId = context.activity.recipient?.id;
    if (context.activity.membersRemoved?.some((m) => m.id === botId)) await onRemoved(context, services.conversations);
  });
  router.conversationUpdate('channelDeleted', async (context) => {
    const channelId = (context.activity.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
    if (channelId) await services.conversations.recordRemoval(baseConversationId(channelId));
  });
  for (const event of ['channelRenamed', 'teamRenamed'] as const) router.conversationUpdate(event, observe);
  router.activity('installationUpdate', async (context) => {
    const action = String(context.activity.action ?? '');
    if (action.startsWith('add')) await onInstalled(context, services.conversations, logger);
    else if (action.startsWith('remove')) await onRemoved(context, services.conversations);
  });

  router.activity('message', async (context) => {
    await observe(context);
    const mentions = await mentionedUsersOf(context, directory);
    const input = commandInputFrom(context.activity.text ?? '', mentions);
    await replyToCommand(context, startCommand(input, await turnFor(context)), replies);
  });

  adapter.onTurnError = async (context, error) => {
    const reference = randomBytes(4).toString('hex');
    logger.error({ event: 'teams.turn_failed', reference, activityType: context.activity.type, err: error }, 'turn failed');
    if (context.activity.type === 'message') {
      await context
        .sendActivity(`Something went wrong on our side. The SOC Bridge operators can find the details under reference ${reference}.`)
        .catch(() => undefined);
    }
  };

  return { router, adapter };
}
