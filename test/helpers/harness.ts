import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type RunningApp } from '../../src/app.js';
import { parseConfig, type AppConfig } from '../../src/config.js';
import type { DeliveryTuning } from '../../src/delivery/delivery-service.js';
import { BotConnectorEmulator, type ConnectorCall } from '../../src/emulator/bot-connector.js';
import { generateBacklog } from '../../src/emulator/demo-data.js';
import type { EntraEmulator } from '../../src/emulator/entra.js';
import { GraphSecurityEmulator } from '../../src/emulator/graph-security.js';
import type { TeamsLimits } from '../../src/emulator/teams-limits.js';
import { silentLogger } from '../../src/log.js';
import type { Clock } from '../../src/clock.js';
import { CONTOSO, FABRIKAM, NORTHWIND, TEST_APP, startTestEntra } from './entra.js';
import { testTls } from './tls.js';

export interface TestUser {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId: string;
  readonly email: string;
}

const user = (n: number, name: string): TestUser => ({
  id: `29:user-${n}`,
  name,
  aadObjectId: `0000000${n}-aaaa-4bbb-8ccc-00000000000${n}`,
  email: `${name.split(' ')[0]?.toLowerCase()}@mssp.example`,
});

export const USERS = {
  admin: user(1, 'Alex Admin'),
  analyst: user(2, 'Megan Analyst'),
  viewer: user(3, 'Adele Viewer'),
  customerAdmin: user(4, 'Isaiah Customer'),
  nobody: user(5, 'Patti Nobody'),
} as const;

export const BOT = { id: '28:soc-bridge-bot', name: 'SOC Bridge' } as const;
/** Signs the harness bot's consent links (connected mode needs one). */
export const TEST_CONSENT_STATE_SECRET = 'test-consent-state-secret-not-a-real-one-0123456789';
export const TEAMS_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export type Place =
  | { kind: 'personal'; conversationId?: string }
  /** `idsOnly`: channelData names neither team nor channel, as on Teams' own channel messages. */
  | { kind: 'channel'; teamId?: string; channelId?: string; channelName?: string; teamName?: string; idsOnly?: boolean }
  | { kind: 'groupChat'; conversationId?: string; title?: string };

/** The customers every harness serves: Contoso and Fabrikam connected, Northwind still waiting for consent. */
export const CUSTOMERS = {
  contoso: { handle: 'contoso', tenant: CONTOSO, org: 'Contoso Ltd', backlog: 30 },
  fabrikam: { handle: 'fabrikam', tenant: FABRIKAM, org: 'Fabrikam Inc', backlog: 20 },
  northwind: { handle: 'northwind', tenant: NORTHWIND, org: 'Northwind Traders', backlog: 0 },
} as const;

export interface HarnessOptions {
  /** Environment on top of the harness's; alert polling is off (POLL_INTERVAL=0) unless set here. */
  readonly env?: Record<string, string>;
  readonly actionDeadlineMs?: number;
  /** Teams' rate limits for the Bot Connector emulator to enforce (429 when broken). */
  readonly connectorLimits?: TeamsLimits;
  readonly deliveryTuning?: DeliveryTuning;
  /** Set by `startSandbox`: the app runs its own emulators. */
  readonly sandbox?: boolean;
  /** The app's and the Graph emulator's clock (default: the system's); the demo backlog is dated by it. */
  readonly clock?: Clock;
}

/**
 * The bot behind restify on a loopback port, in connected mode against the Entra and Graph
 * emulators (HTTPS, the real @azure/identity), with a recording Bot Connector emulator beside it;
 * or in sandbox mode (`startSandbox`), where the app runs those emulators itself. Ask its state
 * through `app.testing`, never its store. Start one per `describe` block that changes state, so no
 * block depends on another's leftovers.
 */
export class BotHarness {
  private counter = 0;

  private constructor(
    /** Replaced by `restart()`. */
    public app: RunningApp,
    readonly connector: BotConnectorEmulator,
    /** The harness's own emulators; undefined in sandbox mode, where the app's are used. */
    private readonly own: { entra: EntraEmulator; graph: GraphSecurityEmulator } | undefined,
    readonly dataDir: string,
    private readonly config: AppConfig,
    private readonly options: HarnessOptions,
    /** Another instance beside a first one: it owns nothing but its app. */
    private readonly secondary = false,
  ) {}

  /** The Entra emulator the bot talks to (in sandbox mode, the running app's). */
  get entra(): EntraEmulator {
    const entra = this.own?.entra ?? this.app.sandbox?.entra;
    if (!entra) throw new Error('no Entra emulator');
    return entra;
  }

  /** The Graph emulator the bot talks to (in sandbox mode, the running app's). */
  get graph(): GraphSecurityEmulator {
    const graph = this.own?.graph ?? this.app.sandbox?.graph;
    if (!graph) throw new Error('no Graph emulator');
    return graph;
  }

  /** The bot in sandbox mode (its demo customers and emulators), with the harness's users and Bot Connector emulator. */
  static async startSandbox(options: HarnessOptions = {}): Promise<BotHarness> {
    const connector = await BotHarness.startConnector(options);
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-sandbox-test-'));
    const config = parseConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SOC_ADMIN_IDS: USERS.admin.aadObjectId, POLL_INTERVAL: '0', ...options.env });
    const sandboxed = { ...options, sandbox: true };
    const app = await startApp(config, BotHarness.appDeps(sandboxed));
    return new BotHarness(app, connector, undefined, dataDir, config, sandboxed);
  }

  private static async startConnector(options: HarnessOptions): Promise<BotConnectorEmulator> {
    const connector = await BotConnectorEmulator.start(options.connectorLimits ? { limits: options.connectorLimits } : {});
    for (const u of Object.values(USERS)) connector.addMember({ id: u.id, name: u.name, aadObjectId: u.aadObjectId, email: u.email, userPrincipalName: u.email });
    return connector;
  }

  static async start(options: HarnessOptions = {}): Promise<BotHarness> {
    const connector = await BotHarness.startConnector(options);
    const entra = await startTestEntra();
    const graph = await GraphSecurityEmulator.start({ tls: testTls(), ...(options.clock ? { clock: options.clock } : {}) });
    const now = options.clock?.now() ?? new Date();
    for (const customer of Object.values(CUSTOMERS)) {
      graph.addTenant(customer.tenant.tenantId);
      const demo = { tenantId: customer.tenant.tenantId, domain: customer.tenant.domains[0] ?? '', orgName: customer.org };
      graph.seedAlerts(customer.tenant.tenantId, generateBacklog(demo, customer.backlog, now, customer.handle));
    }
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-test-'));
    const config = parseConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      SOC_ADMIN_IDS: USERS.admin.aadObjectId,
      DEFENDER_CLIENT_ID: TEST_APP.clientId,
      DEFENDER_CLIENT_SECRET: TEST_APP.secret,
      CONSENT_STATE_SECRET: TEST_CONSENT_STATE_SECRET,
      ENTRA_AUTHORITY_HOST: entra.authorityHost,
      GRAPH_BASE_URL: graph.baseUrl,
      POLL_INTERVAL: '0',
      ...options.env,
    });
    const app = await startApp(config, BotHarness.appDeps(options));
    for (const customer of Object.values(CUSTOMERS)) {
      // A store that already holds them (a database filled before) keeps them as they are.
      if (app.services.tenants.find(customer.tenant.tenantId)) continue;
      await app.services.tenants.add({
        handle: customer.handle,
        displayName: customer.org,
        tenantId: customer.tenant.tenantId,
        domain: customer.tenant.domains[0] ?? '',
        status: customer.backlog > 0 ? 'connected' : 'pending-consent',
        writeAccess: true,
      });
    }
    return new BotHarness(app, connector, { entra, graph }, dataDir, config, options);
  }

  private static appDeps(options: HarnessOptions) {
    return {
      logger: silentLogger,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.sandbox ? { sandboxTls: testTls() } : {}),
      ...(options.actionDeadlineMs === undefined ? {} : { actionDeadlineMs: options.actionDeadlineMs }),
      ...(options.deliveryTuning ? { deliveryTuning: options.deliveryTuning } : {}),
    };
  }

  /** Stops the bot and starts it again on the same data folder and emulators, as a redeploy would. */
  async restart(): Promise<void> {
    await this.app.stop();
    this.app = await startApp(this.config, BotHarness.appDeps(this.options));
  }

  /**
   * Another instance of the bot on the same database, emulators and Bot Connector (a scaled-out
   * deployment): activities sent through the returned harness reach the new instance.
   */
  async anotherInstance(): Promise<BotHarness> {
    if (this.config.database.kind !== 'postgres') throw new Error('another instance needs DATABASE_URL: the embedded store is for one process');
    const app = await startApp(this.config, BotHarness.appDeps(this.options));
    return new BotHarness(app, this.connector, this.own, this.dataDir, this.config, this.options, true);
  }

  async stop(): Promise<void> {
    await this.app.stop();
    if (this.secondary) return;
    await Promise.all([this.connector.close(), this.own?.entra.close(), this.own?.graph.close()]);
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** The conversation fields Teams puts on an activity in `place`. */
  conversationOf(place: Place): Record<string, unknown> {
    if (place.kind === 'personal') {
      return { conversation: { id: place.conversationId ?? 'a:personal-chat', conversationType: 'personal', tenantId: TEAMS_TENANT_ID }, channelData: { tenant: { id: TEAMS_TENANT_ID } } };
    }
    if (place.kind === 'groupChat') {
      return {
        conversation: { id: place.conversationId ?? '19:group-chat@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: TEAMS_TENANT_ID, name: place.title ?? 'Contoso onboarding' },
        channelData: { tenant: { id: TEAMS_TENANT_ID } },
      };
    }
    const channelId = place.channelId ?? '19:contoso-alerts@thread.tacv2';
    const teamId = place.teamId ?? '19:soc-team@thread.tacv2';
    return {
      conversation: { id: `${channelId};messageid=${++this.counter}`, conversationType: 'channel', isGroup: true, tenantId: TEAMS_TENANT_ID },
      channelData: place.idsOnly
        ? { teamsChannelId: channelId, teamsTeamId: teamId, tenant: { id: TEAMS_TENANT_ID }, team: { id: teamId }, channel: { id: channelId } }
        : {
            tenant: { id: TEAMS_TENANT_ID },
            team: { id: teamId, name: place.teamName ?? 'SOC' },
            channel: { id: channelId, name: place.channelName ?? 'Contoso alerts' },
          },
    };
  }

  /** Posts an activity to /api/messages; returns the HTTP answer and the connector calls it caused. */
  async post(activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; calls: ConnectorCall[] }> {
    const before = this.connector.calls.length;
    const response = await fetch(`${this.app.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined, calls: this.connector.calls.slice(before) };
  }

  baseActivity(type: string, from: TestUser, place: Place): Record<string, unknown> {
    return {
      type,
      id: `activity-${++this.counter}`,
      channelId: 'msteams',
      serviceUrl: this.connector.serviceUrl,
      timestamp: new Date().toISOString(),
      from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
      recipient: { id: BOT.id, name: BOT.name },
      ...this.conversationOf(place),
    };
  }

  /** A user types `text` (in a channel or group chat the bot is @mentioned first, as Teams requires). */
  async say(text: string, from: TestUser = USERS.admin, place: Place = { kind: 'personal' }, extraEntities: Record<string, unknown>[] = []) {
    const mentionBot = place.kind !== 'personal';
    const activity = {
      ...this.baseActivity('message', from, place),
      text: mentionBot ? `<at>${BOT.name}</at> ${text}` : text,
      textFormat: 'plain',
      entities: [...(mentionBot ? [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: { id: BOT.id, name: BOT.name } }] : []), ...extraEntities],
    };
    const result = await this.post(activity);
    return { ...result, replies: messagesAmong(result.calls) };
  }

  /** A client without Universal Actions sends a button's Action.Submit fallback: a message carrying the data. */
  async submit(data: Record<string, unknown>, from: TestUser = USERS.admin, place: Place = { kind: 'personal' }) {
    const result = await this.post({ ...this.baseActivity('message', from, place), value: data });
    return { ...result, replies: messagesAmong(result.calls) };
  }

  /** A user clicks an Action.Execute button on the card in message `replyToId`. */
  async invoke(verb: string, data: Record<string, unknown>, from: TestUser = USERS.admin, place: Place = { kind: 'personal' }, replyToId = 'card-message') {
    return this.post({
      ...this.baseActivity('invoke', from, place),
      name: 'adaptiveCard/action',
      replyToId,
      value: { action: { type: 'Action.Execute', verb, data } },
    });
  }
}

/** The Adaptive Card attached to a reply activity. */
export function cardIn(activity: Record<string, unknown>): Record<string, unknown> {
  const attachments = activity.attachments as { contentType: string; content: Record<string, unknown> }[] | undefined;
  const card = attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
  if (!card) throw new Error(`no Adaptive Card in activity: ${JSON.stringify(activity).slice(0, 300)}`);
  return card;
}

/** All text a card shows (TextBlocks and facts), for assertions on content. */
export function cardText(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string') parts.push(record.text);
      if (typeof record.title === 'string') parts.push(record.title);
      if (typeof record.value === 'string') parts.push(record.value);
      Object.values(record).forEach(walk);
    }
  };
  walk(card);
  return parts.join('\n');
}

/** The messages among connector calls: posts of activities, typing indicators left out. */
function messagesAmong(calls: readonly ConnectorCall[]): Record<string, unknown>[] {
  return calls.filter((c) => c.method === 'POST' && c.path.includes('/activities') && c.body?.type !== 'typing').map((c) => c.body ?? {});
}
