import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import { BotConnectorEmulator } from '../../src/emulator/bot-connector.js';
import { silentLogger } from '../../src/log.js';
import { BotTokenIssuer, channelClaims, generateSigningKey, signToken, unsignedToken } from '../helpers/bot-token-issuer.js';
import { testTls } from '../helpers/tls.js';

const TEAMS_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const STACK_FRAME = /\n\s+at \S/;
/**
 * botbuilder's answer when a token fails before its signature is checked (wrong issuer, not a JWT,
 * unknown key id). The signature and `nbf` cases must get further than that, or they prove nothing.
 */
const PRE_SIGNATURE_REFUSAL = /No valid identity|Signing Key could not be retrieved/;

interface Answer {
  status: number;
  text: string;
}

/** botbuilder console.error()s every rejected request with its stack; keep that out of the test output. */
function muteConsoleError(): () => void {
  const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  return () => spy.mockRestore();
}

async function postActivity(app: RunningApp, activity: Record<string, unknown>, authorization?: string): Promise<Answer> {
  const response = await fetch(`${app.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(activity),
  });
  return { status: response.status, text: await response.text() };
}

/**
 * A channel rename in a team, as Teams sends it. The bot records the conversation and sends nothing
 * back, so the turn needs no outbound connector token (which would have to come from Entra): the
 * stored conversation is the proof that the activity got past authentication.
 */
function channelRenamed(serviceUrl: string, botId: string, overrides: Record<string, unknown> = {}): { activity: Record<string, unknown>; conversationId: string } {
  const conversationId = `19:auth-${randomUUID()}@thread.tacv2`;
  const activity = {
    type: 'conversationUpdate',
    id: randomUUID(),
    channelId: 'msteams',
    serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: '29:user-1', aadObjectId: '00000001-aaaa-4bbb-8ccc-000000000001' },
    recipient: { id: `28:${botId}`, name: 'SOC Bridge' },
    conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: TEAMS_TENANT_ID },
    channelData: {
      eventType: 'channelRenamed',
      tenant: { id: TEAMS_TENANT_ID },
      team: { id: '19:soc-team@thread.tacv2', name: 'SOC' },
      channel: { id: conversationId, name: 'Contoso alerts (renamed)' },
    },
    ...overrides,
  };
  return { activity, conversationId };
}

/** Whether the bot knows the conversation now: proof that the activity got past authentication. */
const recorded = async (app: RunningApp, conversationId: string) => (await app.testing.conversation(conversationId)) !== undefined;

describe.each([
  { botType: 'SingleTenant', withTenant: true },
  { botType: 'MultiTenant', withTenant: false },
] as const)('with a bot id configured ($botType)', ({ botType, withTenant }) => {
  const botId = randomUUID();
  let issuer: BotTokenIssuer;
  let connector: BotConnectorEmulator;
  let app: RunningApp;
  let dataDir: string;
  let unmute: () => void;

  beforeAll(async () => {
    unmute = muteConsoleError();
    issuer = await BotTokenIssuer.start({ tls: testTls() });
    connector = await BotConnectorEmulator.start();
    dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-auth-'));
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      BOT_ID: botId,
      BOT_PASSWORD: 'x',
      BOT_TYPE: botType,
      ...(withTenant ? { BOT_TENANT_ID: randomUUID() } : {}),
      BOT_OPENID_METADATA_URL: issuer.metadataUrl,
    });
    expect(config.bot.kind).toBe(botType);
    app = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
  });

  afterAll(async () => {
    await app?.stop();
    await connector?.close();
    await issuer?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    unmute?.();
  });

  /**
   * Posts, then checks the request was refused without a stack trace and without running the turn.
   * `reason` pins botbuilder's message where it names the check, so a refusal for some other cause
   * (say, every token failing the issuer check) cannot pass for the one under test.
   */
  async function expectRefused(activity: Record<string, unknown>, conversationId: string, authorization: string | undefined, reason?: RegExp): Promise<Answer> {
    const callsBefore = connector.calls.length;
    const answer = await postActivity(app, activity, authorization);
    expect(answer).toMatchObject({ status: 401 });
    if (reason) expect(answer.text).toMatch(reason);
    expect(answer.text).not.toMatch(STACK_FRAME);
    expect(answer.text).not.toContain('node_modules');
    expect(await recorded(app, conversationId)).toBe(false);
    expect(connector.calls.length).toBe(callsBefore);
    return answer;
  }

  it('accepts a token signed with the published key, fetching metadata and keys from the issuer', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const answer = await postActivity(app, activity, `Bearer ${issuer.sign(channelClaims(botId, connector.serviceUrl))}`);
    expect(answer.status).toBe(200);
    expect(await recorded(app, conversationId)).toBe(true);
    expect(issuer.requests).toEqual(expect.arrayContaining([new URL(issuer.metadataUrl).pathname, new URL(issuer.jwksUrl).pathname]));
    expect(connector.calls).toHaveLength(0);
  });

  it('refuses a request without Authorization with 401', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    await expectRefused(activity, conversationId, undefined, /Unauthorized Access/);
  });

  it('refuses a token that is not a Bearer JWT', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    await expectRefused(activity, conversationId, `Basic ${Buffer.from(`${botId}:x`).toString('base64')}`, /No valid identity/);
    await expectRefused(activity, conversationId, 'Bearer not-a-jwt', /No valid identity/);
  });

  it('refuses an unsigned (alg none) token', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    await expectRefused(activity, conversationId, `Bearer ${unsignedToken(channelClaims(botId, connector.serviceUrl))}`, /Signing Key could not be retrieved/);
  });

  it('refuses an unsigned (alg none) token naming the published key id', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const answer = await expectRefused(activity, conversationId, `Bearer ${unsignedToken(channelClaims(botId, connector.serviceUrl), { kid: issuer.key.kid })}`);
    expect(answer.text).not.toMatch(PRE_SIGNATURE_REFUSAL);
  });

  it('refuses an expired token (beyond the five-minute clock tolerance)', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const anHourAgo = Math.floor(Date.now() / 1000) - 3600;
    const claims = { ...channelClaims(botId, connector.serviceUrl, anHourAgo - 3600), exp: anHourAgo };
    await expectRefused(activity, conversationId, `Bearer ${issuer.sign(claims)}`, /expired/);
  });

  it('refuses a token that is not valid yet', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    const answer = await expectRefused(activity, conversationId, `Bearer ${issuer.sign(channelClaims(botId, connector.serviceUrl, inAnHour + 300))}`);
    expect(answer.text).not.toMatch(PRE_SIGNATURE_REFUSAL);
  });

  it('refuses a token for another bot (wrong audience)', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    await expectRefused(activity, conversationId, `Bearer ${issuer.sign(channelClaims(randomUUID(), connector.serviceUrl))}`, /Invalid AppId/);
  });

  // Not an Entra issuer (sts.windows.net, login.microsoftonline.com): botbuilder takes those for Bot
  // Framework Emulator tokens and checks them against Entra's public keys, which needs the internet.
  it('refuses a token from another issuer, even one signed with the published key', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const claims = { ...channelClaims(botId, connector.serviceUrl), iss: 'https://api.botframework.com.evil.example' };
    await expectRefused(activity, conversationId, `Bearer ${issuer.sign(claims)}`, /No valid identity/);
  });

  it('refuses a token signed with a key that is not in the JWKS', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const forged = signToken(channelClaims(botId, connector.serviceUrl), generateSigningKey());
    await expectRefused(activity, conversationId, `Bearer ${forged}`, /Signing Key could not be retrieved/);
  });

  it('refuses a token signed with another key under the published key id', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    const forged = signToken(channelClaims(botId, connector.serviceUrl), generateSigningKey(), { kid: issuer.key.kid });
    const answer = await expectRefused(activity, conversationId, `Bearer ${forged}`);
    expect(answer.text).not.toMatch(PRE_SIGNATURE_REFUSAL);
  });

  it('refuses a token issued for another serviceUrl (the bot would otherwise reply to an attacker)', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId);
    await expectRefused(activity, conversationId, `Bearer ${issuer.sign(channelClaims(botId, 'https://smba.trafficmanager.net/evil/'))}`, /ServiceUrl claim/);
  });

  it('refuses an activity from a channel the signing key is not endorsed for', async () => {
    const { activity, conversationId } = channelRenamed(connector.serviceUrl, botId, { channelId: 'webchat' });
    await expectRefused(activity, conversationId, `Bearer ${issuer.sign(channelClaims(botId, connector.serviceUrl))}`, /endorsement/);
  });
});

describe('keyless (BOT_ID empty, for the Agents Playground)', () => {
  let connector: BotConnectorEmulator;
  let app: RunningApp;
  let dataDir: string;

  beforeAll(async () => {
    connector = await BotConnectorEmulator.start();
    dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-auth-'));
    const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', BOT_ID: '' });
    expect(config.bot.kind).toBe('keyless');
    app = await startApp(config, { logger: silentLogger, sandboxTls: testTls() });
  });

  afterAll(async () => {
    await app?.stop();
    await connector?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('accepts a request without Authorization and replies to the connector without a token', async () => {
    const conversationId = `a:keyless-${randomUUID()}`;
    const answer = await postActivity(app, {
      type: 'message',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: connector.serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: '29:user-1', name: 'Alex Admin', aadObjectId: '00000001-aaaa-4bbb-8ccc-000000000001' },
      recipient: { id: '28:soc-bridge-bot', name: 'SOC Bridge' },
      conversation: { id: conversationId, conversationType: 'personal', tenantId: TEAMS_TENANT_ID },
      channelData: { tenant: { id: TEAMS_TENANT_ID } },
      text: 'whoami',
      textFormat: 'plain',
    });
    expect(answer.status).toBe(200);
    const replies = connector.calls.filter((c) => c.method === 'POST' && c.conversationId === conversationId && c.path.includes('/activities'));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.authorization).toBeUndefined();
    expect(await recorded(app, conversationId)).toBe(true);
  });
});
