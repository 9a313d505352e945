import { CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication, StatusCodes, type Activity, type InvokeResponse, type TurnContext } from 'botbuilder';
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

/** jsonwebtoken's rejections: bad or missing signature, `nbf` in the future, malformed token. */
const JWT_ERRORS = new Set(['JsonWebTokenError', 'NotBeforeError', 'TokenExpiredError']);

/**
 * botbuilder lets jsonwebtoken's own errors escape token validation, and CloudAdapter answers anything
 * but an AuthenticationError with 500. Authenticate first so those become the 401 they are; the
 * turn itself (given the result, botbuilder does not authenticate again) keeps its own error handling.
 */
export class SocBridgeAdapter extends CloudAdapter {
  constructor(settings: Record<string, string>) {
    super(new ConfigurationBotFrameworkAuthentication(settings));
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

/** The adapter for the configured bot registration. */
export function createAdapter(config: Pick<AppConfig, 'bot' | 'botOpenIdMetadataUrl'>): SocBridgeAdapter {
  return new SocBridgeAdapter(adapterSettings(config));
}
