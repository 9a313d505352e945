/**
 * What the delivery benchmarks share: the bot in connected mode against the remote Entra and
 * Graph emulators, a Bot Connector emulator enforcing Teams' limits, channels linked to tenants,
 * reading which alerts became visible where and when, and the fastest delivery Teams' limits allow.
 */
import { startApp, type RunningApp } from '../../src/app.js';
import type { DeliveryService } from '../../src/delivery/delivery-service.js';
import { parseConfig } from '../../src/config.js';
import type { Actor } from '../../src/roles/actor.js';
import { BotConnectorEmulator, type PostedMessage } from '../../src/emulator/bot-connector.js';
import { TEAMS_PUBLISHED_LIMITS } from '../../src/emulator/teams-limits.js';
import { silentLogger } from '../../src/log.js';
import { SlidingWindowLimiter, type RateWindow } from '../../src/rate-limit/sliding-window.js';
import type { BenchTenant } from './protocol.js';
import { VirtualClock } from './virtual-clock.js';

export const BENCH_APP = { clientId: '5e7d3c1b-9a2f-4e6d-8b1c-0a9f8e7d6c5b', secret: 'bench-secret-value-not-a-real-one' } as const;
const ADMIN: Actor = { userId: 'bench-admin', displayName: 'Bench Admin', role: 'admin', bootstrap: true };

export function benchTenants(count: number, alertsEach: number, prefix: string): BenchTenant[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(4, '0');
    return { tenantId: `d0000000-0000-4000-8000-00000000${n}`, domain: `${prefix}${n}.onmicrosoft.com`, orgName: `Customer ${n} Ltd`, handle: `${prefix}${n}`, alerts: alertsEach };
  });
}

export interface DeliveryBot {
  readonly app: RunningApp;
  readonly connector: BotConnectorEmulator;
  /** Channel id each tenant is linked to. */
  readonly channelOf: ReadonlyMap<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the bot with `env` (POLL_INTERVAL, STORM_THRESHOLD, …), adds the tenants, and links
 * tenant i to channel i % channels through the real link service (the default rule then sends
 * medium and higher to them).
 */
export async function startDeliveryBot(args: {
  endpoints: { authorityHost: string; graphBaseUrl: string };
  tenants: readonly BenchTenant[];
  channels: number;
  dataDir: string;
  env: Record<string, string>;
}): Promise<DeliveryBot> {
  const connector = await BotConnectorEmulator.start({ limits: TEAMS_PUBLISHED_LIMITS });
  const config = parseConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: args.dataDir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DEFENDER_CLIENT_ID: BENCH_APP.clientId,
    DEFENDER_CLIENT_SECRET: BENCH_APP.secret,
    CONSENT_STATE_SECRET: 'bench-consent-state-secret-0123456789abcdef',
    ENTRA_AUTHORITY_HOST: args.endpoints.authorityHost,
    GRAPH_BASE_URL: args.endpoints.graphBaseUrl,
    ...args.env,
  });
  const app = await startApp(config, { logger: silentLogger });
  const { conversations, tenants, links } = app.services;
  const channelOf = new Map<string, string>();
  const channelIds = Array.from({ length: args.channels }, (_, c) => `19:bench-channel-${c}@thread.tacv2`);
  const records = [];
  for (const id of channelIds) {
    records.push(
      (await conversations.recordInstall({ id, kind: 'channel', serviceUrl: connector.serviceUrl, channelId: 'msteams', botId: '28:soc-bridge-bot', botName: 'SOC Bridge', teamName: 'SOC', channelName: id.slice(3, id.indexOf('@')) })).record,
    );
  }
  for (const [i, tenant] of args.tenants.entries()) {
    const record = await tenants.add({ handle: tenant.handle, displayName: tenant.orgName, tenantId: tenant.tenantId, domain: tenant.domain, status: 'connected', writeAccess: true });
    const conversation = records[i % records.length]!;
    await links.link(conversation, record, ADMIN);
    channelOf.set(tenant.tenantId, conversation.id);
  }
  return {
    app,
    connector,
    channelOf,
    stop: async () => {
      await app.stop();
      await connector.close();
    },
  };
}

/** The delivery service the bot runs (a benchmark's bot is the only instance: it always runs delivery). */
export function runningDelivery(bot: DeliveryBot): DeliveryService {
  const service = bot.app.delivery.running;
  if (!service) throw new Error('the benchmark bot does not run delivery');
  return service;
}

/** Waits until every tenant has been polled once, so what is raised next is news. */
export async function untilPolledOnce(bot: DeliveryBot, tenants: readonly BenchTenant[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (let round = 0; round < 1_000_000; round++) {
    if (runningDelivery(bot).stats().tenantsPolled >= tenants.length) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`not every tenant was polled within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('unreachable');
}

/** The alert ids a posted message shows: a detail card's "Alert id" fact, or a digest's rows. */
export function alertIdsOf(message: PostedMessage): string[] {
  const attachments = message.activity.attachments as { content?: Record<string, unknown> }[] | undefined;
  const card = attachments?.[0]?.content;
  if (!card) return [];
  const ids: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.title === 'Alert id' && typeof record.value === 'string') ids.push(record.value);
      const select = record.selectAction as { data?: { alertId?: unknown } } | undefined;
      if (typeof select?.data?.alertId === 'string') ids.push(select.data.alertId);
      for (const [key, value] of Object.entries(record)) if (key !== 'selectAction') walk(value);
    }
  };
  walk(card.body);
  return [...new Set(ids)];
}

export interface Visibility {
  /** Alert id → when it first became visible (epoch ms) and in how many messages of its channel. */
  readonly seen: Map<string, { firstAtMs: number; copies: number; conversationId: string }>;
  readonly posts: number;
  readonly digests: number;
  readonly lastPostAtMs: number;
}

const idsByMessage = new WeakMap<PostedMessage, { updates: number; ids: string[] }>();

/** alertIdsOf, remembered per message until it is edited (the benchmark asks often; its CPU counts as the bot's). */
function cachedIds(message: PostedMessage): string[] {
  const cached = idsByMessage.get(message);
  if (cached && cached.updates === message.updates) return cached.ids;
  const ids = alertIdsOf(message);
  idsByMessage.set(message, { updates: message.updates, ids });
  return ids;
}

/** Which alerts are visible in `conversationIds`, from the messages the connector accepted. */
export function visibility(connector: BotConnectorEmulator, conversationIds: Iterable<string>): Visibility {
  const seen = new Map<string, { firstAtMs: number; copies: number; conversationId: string }>();
  let posts = 0;
  let digests = 0;
  let lastPostAtMs = 0;
  for (const conversationId of new Set(conversationIds)) {
    for (const message of connector.messagesIn(conversationId)) {
      const ids = cachedIds(message);
      if (ids.length === 0) continue;
      posts++;
      if (ids.length > 1) digests++;
      lastPostAtMs = Math.max(lastPostAtMs, message.postedAt);
      for (const id of ids) {
        const entry = seen.get(id);
        if (entry) entry.copies++;
        else seen.set(id, { firstAtMs: message.postedAt, copies: 1, conversationId });
      }
    }
  }
  return { seen, posts, digests, lastPostAtMs };
}

/**
 * The fastest the limits allow: `perConversation[i]` posts into conversation i, each sent the
 * moment its conversation's windows and the global windows allow, conversations served round
 * robin. Returns when the last post goes out (ms after the first).
 */
export function minimumDrainMs(perConversation: readonly number[], conversationWindows: readonly RateWindow[], globalWindows: readonly RateWindow[]): number {
  const clock = new VirtualClock();
  const global = new SlidingWindowLimiter(globalWindows, clock);
  const left = [...perConversation];
  const limiters = left.map(() => new SlidingWindowLimiter(conversationWindows, clock));
  let last = 0;
  for (let step = 0; step < 10_000_000 && left.some((n) => n > 0); step++) {
    let sent = false;
    for (let c = 0; c < left.length; c++) {
      if ((left[c] ?? 0) === 0 || global.delayMs() > 0 || (limiters[c]?.delayMs() ?? 1) > 0) continue;
      global.tryAcquire();
      limiters[c]!.tryAcquire();
      left[c]! -= 1;
      last = clock.nowMs();
      sent = true;
    }
    if (sent) continue;
    const waits = limiters.map((l, c) => ((left[c] ?? 0) > 0 ? Math.max(l.delayMs(), global.delayMs()) : Infinity));
    clock.advance(Math.max(1, Math.min(...waits)));
  }
  return last;
}
