import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, startLoopbackServer, type RunningServer } from './http-kit.js';
import { messageBytes, TEAMS_MAX_MESSAGE_BYTES, TeamsLimitEnforcer, type TeamsLimits } from './teams-limits.js';

/** Far above what Teams takes, so an oversized message gets Teams' 413 rather than a read error. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

/** One call the bot made to the Bot Connector. */
export interface ConnectorCall {
  readonly method: string;
  readonly path: string;
  readonly conversationId?: string;
  readonly activityId?: string;
  readonly body: Record<string, unknown> | undefined;
  readonly authorization: string | undefined;
  readonly at: number;
}

/** A canned answer the emulator gives instead of the normal one (consumed in order). */
export interface ConnectorFault {
  readonly status: number;
  readonly retryAfterSeconds?: number;
  /** Only for calls on this conversation; any conversation when absent. */
  readonly conversationId?: string;
}

export interface ConnectorMember {
  readonly id: string;
  readonly name: string;
  readonly aadObjectId?: string;
  readonly email?: string;
  readonly userPrincipalName?: string;
}

/** A team the bot is in, as the Bot Connector describes it; the General channel's id is the team's and it has no name. */
export interface ConnectorTeam {
  readonly id: string;
  readonly name: string;
  readonly channels: readonly { readonly id: string; readonly name?: string }[];
}

/** A message as it stands in a conversation after every post, update and delete. */
export interface PostedMessage {
  readonly id: string;
  readonly conversationId: string;
  activity: Record<string, unknown>;
  updates: number;
  deleted: boolean;
  /** When the emulator accepted the post (epoch ms). */
  readonly postedAt: number;
}

/**
 * A Bot Connector (the Teams side of a bot) on loopback: records every call the bot makes, keeps
 * the resulting messages per conversation, answers member and team lookups, refuses messages over Teams'
 * size limit (413), and can be told to fail.
 */
export class BotConnectorEmulator {
  readonly calls: ConnectorCall[] = [];
  private readonly messages = new Map<string, PostedMessage>();
  private readonly members = new Map<string, ConnectorMember>();
  private readonly teams = new Map<string, ConnectorTeam>();
  private faults: ConnectorFault[] = [];
  /** Channels whose roster lacks the bot: replies in a turn work there, proactive posts do not. */
  private readonly outOfRoster = new Set<string>();
  private sequence = 0;
  /** Posts and edits refused with 413 because they were over Teams' message size limit. */
  oversized = 0;

  private constructor(
    private readonly server: RunningServer,
    /** Teams' rate limits, when this emulator enforces them (429 with Retry-After when broken). */
    readonly limits: TeamsLimitEnforcer | undefined,
  ) {}

  static async start(options: { limits?: TeamsLimits } = {}): Promise<BotConnectorEmulator> {
    let emulator: BotConnectorEmulator | undefined;
    const server = await startLoopbackServer((req, res) => {
      emulator?.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { error: { code: 'EmulatorError', message: String(error) } });
        else res.destroy(error as Error);
      });
    });
    emulator = new BotConnectorEmulator(server, options.limits ? new TeamsLimitEnforcer(options.limits) : undefined);
    return emulator;
  }

  /** The serviceUrl to put on activities, with a trailing slash as Teams sends it. */
  get serviceUrl(): string {
    return `${this.server.url}/`;
  }

  addMember(member: ConnectorMember): void {
    this.members.set(member.id, member);
  }

  addTeam(team: ConnectorTeam): void {
    this.teams.set(team.id, team);
  }

  injectFaults(faults: readonly ConnectorFault[]): void {
    this.faults.push(...faults);
  }

  /**
   * Makes a channel (or chat) one whose roster lacks the bot, as a private or shared channel of a
   * team the app was not added to: from now on new threads there (proactive posts) are refused with
   * 403 BotNotInConversationRoster, while replies in a turn's thread still go through.
   */
  leaveRoster(conversationId: string): void {
    this.outOfRoster.add(channelOf(conversationId));
  }

  /** The app was added to the channel's team: proactive posts work again. */
  joinRoster(conversationId: string): void {
    this.outOfRoster.delete(channelOf(conversationId));
  }

  /** Someone deleted a message in Teams (a card of the bot's, or the root of a thread). */
  deleteMessage(id: string): void {
    const message = this.messages.get(id);
    if (!message) throw new Error(`no message ${id} in the Bot Connector emulator`);
    message.deleted = true;
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Messages in a conversation, in posting order (deleted ones included, flagged). */
  messagesIn(conversationId: string): PostedMessage[] {
    return [...this.messages.values()].filter((m) => m.conversationId === conversationId);
  }

  message(id: string): PostedMessage | undefined {
    return this.messages.get(id);
  }

  /** Waits until `predicate` holds over the recorded calls, or fails after `timeoutMs`. */
  async waitFor(predicate: (calls: readonly ConnectorCall[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.calls)) {
      if (Date.now() > deadline) throw new Error(`Bot Connector emulator: condition not met within ${timeoutMs} ms (${this.calls.length} calls)`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://connector');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const text = await readBody(req, MAX_READ_BYTES);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    const [v3, collection, conversationId, sub, subId] = segments;
    const call: ConnectorCall = {
      method: req.method ?? 'GET',
      path: url.pathname,
      ...(collection === 'conversations' && conversationId ? { conversationId } : {}),
      ...(sub === 'activities' && subId ? { activityId: subId } : {}),
      body,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    this.calls.push(call);
    const faultIndex = this.faults.findIndex((f) => !f.conversationId || f.conversationId === conversationId);
    if (faultIndex !== -1) {
      const [fault] = this.faults.splice(faultIndex, 1);
      if (fault) return this.sendFault(res, fault);
    }
    if (v3 !== 'v3') return sendJson(res, 404, { error: { code: 'NotFound', message: url.pathname } });
    if (messageBytes(text) > TEAMS_MAX_MESSAGE_BYTES && (req.method === 'POST' || req.method === 'PUT')) {
      this.oversized++;
      return sendJson(res, 413, { error: { code: 'MessageSizeTooBig', message: 'Message size too big' } });
    }
    if (req.method === 'POST' && collection === 'conversations' && this.isOutOfRoster(conversationId, sub, body)) {
      return sendJson(res, 403, { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } });
    }
    const refusal = this.enforceLimits(req.method ?? 'GET', collection, conversationId, sub, body);
    if (refusal) return this.sendFault(res, refusal);
    if (collection === 'conversations' && !conversationId && req.method === 'POST') return this.createConversation(res, body);
    if (collection === 'teams' && conversationId && req.method === 'GET') return this.teamCall(res, conversationId, sub);
    if (collection !== 'conversations' || !conversationId) return sendJson(res, 404, { error: { code: 'NotFound', message: url.pathname } });
    if (sub === 'activities') return this.activityCall(req.method ?? 'GET', res, conversationId, subId, body);
    if (sub === 'members' && subId) return this.memberCall(res, subId);
    if (sub === 'pagedmembers') return sendJson(res, 200, { members: [...this.members.values()] });
    return sendJson(res, 404, { error: { code: 'NotFound', message: url.pathname } });
  }

  private activityCall(method: string, res: ServerResponse, conversationId: string, activityId: string | undefined, body: Record<string, unknown> | undefined): void {
    if (method === 'POST') {
      // A reply under a thread whose first message was deleted: Teams no longer knows that conversation.
      const root = this.messages.get(conversationId.split(';messageid=')[1] ?? '');
      if (root?.deleted && sameChannelOf(root.conversationId, conversationId)) return sendJson(res, 404, { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } });
      const id = `${++this.sequence}`;
      // Teams shows a typing indicator for a moment and keeps no message.
      if (body?.type === 'typing') return sendJson(res, 201, { id });
      this.messages.set(id, { id, conversationId, activity: body ?? {}, updates: 0, deleted: false, postedAt: Date.now() });
      return sendJson(res, 201, { id });
    }
    const existing = activityId ? this.messages.get(activityId) : undefined;
    // A card posted at a channel's root starts a thread `channel;messageid=<card>`; edits may name either.
    if (!existing || !sameChannelOf(existing.conversationId, conversationId)) return sendJson(res, 404, { error: { code: 'ActivityNotFound', message: 'Unknown activity' } });
    if (method === 'PUT') {
      existing.activity = body ?? {};
      existing.updates++;
      return sendJson(res, 200, { id: existing.id });
    }
    if (method === 'DELETE') {
      existing.deleted = true;
      res.writeHead(200);
      res.end();
      return;
    }
    return sendJson(res, 405, { error: { code: 'MethodNotAllowed', message: method } });
  }

  private createConversation(res: ServerResponse, body: Record<string, unknown> | undefined): void {
    const channel = (body?.channelData as { channel?: { id?: string } } | undefined)?.channel?.id ?? `conversation-${randomUUID()}`;
    const rootId = `${++this.sequence}`;
    const conversationId = `${channel};messageid=${rootId}`;
    const activity = body?.activity as Record<string, unknown> | undefined;
    if (activity) this.messages.set(rootId, { id: rootId, conversationId, activity, updates: 0, deleted: false, postedAt: Date.now() });
    return sendJson(res, 201, { id: conversationId, activityId: rootId });
  }

  private memberCall(res: ServerResponse, userId: string): void {
    const member = this.members.get(userId);
    if (!member) return sendJson(res, 404, { error: { code: 'MemberNotFound', message: 'The member was not found' } });
    return sendJson(res, 200, { ...member, objectId: member.aadObjectId });
  }

  /** `GET /v3/teams/{id}` (team details) and `GET /v3/teams/{id}/conversations` (its channels). */
  private teamCall(res: ServerResponse, teamId: string, sub: string | undefined): void {
    const team = this.teams.get(teamId);
    if (!team) return sendJson(res, 404, { error: { code: 'NotFound', message: 'The team was not found' } });
    if (sub === 'conversations') return sendJson(res, 200, { conversations: team.channels.map((c) => ({ id: c.id, ...(c.name ? { name: c.name } : {}) })) });
    if (!sub) return sendJson(res, 200, { id: team.id, name: team.name });
    return sendJson(res, 404, { error: { code: 'NotFound', message: `teams/${teamId}/${sub}` } });
  }

  /**
   * A post that starts a new thread in a channel out of the roster: to the channel itself, as
   * proactive posts are (a reply in a turn goes to the thread `channel;messageid=<root>`).
   */
  private isOutOfRoster(conversationId: string | undefined, sub: string | undefined, body: Record<string, unknown> | undefined): boolean {
    if (this.outOfRoster.size === 0) return false;
    if (!conversationId) {
      const channel = (body?.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
      return channel !== undefined && this.outOfRoster.has(channel);
    }
    return sub === 'activities' && this.outOfRoster.has(conversationId);
  }

  /** A post or edit that breaks Teams' limits gets 429 and does not count. */
  private enforceLimits(method: string, collection: string | undefined, conversationId: string | undefined, sub: string | undefined, body: Record<string, unknown> | undefined): ConnectorFault | undefined {
    if (!this.limits || collection !== 'conversations') return undefined;
    const kind = method === 'PUT' && sub === 'activities' ? 'edit' : method === 'POST' && (sub === 'activities' || !conversationId) ? 'post' : undefined;
    const target = conversationId ?? (body?.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
    if (!kind || !target) return undefined;
    const verdict = this.limits.admit(target, kind);
    if (verdict.ok) return undefined;
    return { status: 429, ...(this.limits.limits.retryAfter ? { retryAfterSeconds: Math.ceil(verdict.retryAfterMs) / 1000 } : {}) };
  }

  private sendFault(res: ServerResponse, fault: ConnectorFault): void {
    const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
    if (fault.status === 202) {
      res.writeHead(202, { ...headers, 'content-length': '0' });
      res.end();
      return;
    }
    sendJson(res, fault.status, { error: { code: fault.status === 429 ? 'TooManyRequests' : 'Injected', message: `injected ${fault.status}` } }, headers);
  }
}

/** Whether two conversation ids name the same channel, thread parts aside. */
function sameChannelOf(a: string, b: string): boolean {
  return channelOf(a) === channelOf(b);
}

/** A channel's id without the thread part (`channel;messageid=<root>`). */
function channelOf(conversationId: string): string {
  return conversationId.split(';messageid=')[0] ?? conversationId;
}
