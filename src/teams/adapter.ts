import { ActivityTypes, CallerIdConstants, Channels, CloudAdapter, ConfigurationBotFrameworkAuthentication, StatusCodes, type Activity, type InvokeResponse, type ResourceResponse, type TurnContext } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError, type AuthenticateRequestResult } from 'botframework-connector';
import type { AppConfig } from '../config.js';

/** botbuilder's public-cloud defaults (BotFrameworkAuthenticationFactory.create without a ChannelService). */
const PUBLIC_CLOUD_ENDPOINTS = {
  ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
  ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
  ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
  OAuthUrl: AuthenticationConstants.OAuthUrl,
  ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
  CallerId: CallerIdConstants.PublicAzureChannel,
} as const;

/**
 * Counts every message the bot sends to Teams as it leaves: waits until one more from `sender`
 * (delivery's alert cards and edits, or a reply) may go into the conversation.
 */
export interface SendGate {
  admit(conversationId: string, sender: 'delivery' | 'reply'): Promise<void>;
}

/** Marks a proactive turn of delivery's: its sends are alert cards and their edits, which go after replies. */
export const SENT_BY_DELIVERY = Symbol('soc-bridge.sent-by-delivery');

/** jsonwebtoken's rejections: bad or missing signature, `nbf` in the future, malformed token. */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * botbuilder lets jsonwebtoken's own errors escape token validation, and CloudAdapter answers anything
 * but an AuthenticationError with 500. Authenticate first so those become the 401 they are; the
 * turn itself (given the result, botbuilder does not authenticate again) keeps its own error handling.
 *
 * Every message and edit that reaches the Bot Connector passes the send gate first, one at a time,
 * rendered and ready to go: the one place all sends meet, whichever route, error handler or
 * proactive turn makes them, and the moment Teams counts them.
 */
export class SocBridgeAdapter extends CloudAdapter {
  constructor(
    settings: Record<string, string>,
    private readonly gate?: SendGate,
  ) {
    super(new ConfigurationBotFrameworkAuthentication(settings));
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const gate = this.gate;
    if (!gate) return super.sendActivities(context, activities);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (reachesTeams(activity)) await gate.admit(activity.conversation?.id ?? context.activity.conversation.id, senderOf(context));
      responses.push(...(await super.sendActivities(context, [activity])));
    }
    return responses;
  }

  override async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | void> {
    await this.gate?.admit(activity.conversation?.id ?? context.activity.conversation.id, senderOf(context));
    return super.updateActivity(context, activity);
  }

  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    if (typeof auth !== 'string') return super.processActivity(auth, activity, logic);
    let result: AuthenticateRequestResult;
    try {
      result = await this.botFrameworkAuthentication.authenticateRequest(activity, auth);
    } catch (err) {
      if (err instanceof Error && JWT_ERRORS.has(err.name)) throw new AuthenticationError('Unauthorized. Invalid token.', StatusCodes.UNAUTHORIZED);
      throw err;
    }
    return super.processActivity(result, activity, logic);
  }
}

/** The botbuilder authentication settings for the configured bot registration (none when keyless). */
export function adapterSettings(config: Pick<AppConfig, 'bot' | 'botOpenIdMetadataUrl'>): Record<string, string> {
  const bot = config.bot;
  const settings: Record<string, string> = {};
  if (bot.kind === 'keyless') return settings;
  settings.MicrosoftAppId = bot.appId;
  settings.MicrosoftAppType = bot.kind;
  if (bot.tenantId) settings.MicrosoftAppTenantId = bot.tenantId;
  if (bot.kind !== 'UserAssignedMSI') settings.MicrosoftAppPassword = bot.password;
  // Setting any one endpoint switches botbuilder to "all endpoints given" mode, where every unset one is
  // undefined (the channel token issuer included, so no token would ever pass): restate the public cloud.
  if (config.botOpenIdMetadataUrl) Object.assign(settings, PUBLIC_CLOUD_ENDPOINTS, { ToBotFromChannelOpenIdMetadataUrl: config.botOpenIdMetadataUrl });
  return settings;
}

/** The adapter for the configured bot registration, its sends paced by `gate`. */
export function createAdapter(config: Pick<AppConfig, 'bot' | 'botOpenIdMetadataUrl'>, gate?: SendGate): SocBridgeAdapter {
  return new SocBridgeAdapter(adapterSettings(config), gate);
}

function senderOf(context: TurnContext): 'delivery' | 'reply' {
  return context.turnState.get(SENT_BY_DELIVERY) === true ? 'delivery' : 'reply';
}

/** Whether botbuilder sends the activity to the Bot Connector (an invoke's answer and delays stay here). */
function reachesTeams(activity: Partial<Activity>): boolean {
  if (activity.type === ActivityTypes.InvokeResponse || activity.type === 'delay') return false;
  return !(activity.type === ActivityTypes.Trace && activity.channelId !== Channels.Emulator);
}
