import type { Reply } from '../../src/chat/reply.js';
import { ChatDeliveryError, type Messenger, type SentMessage } from '../../src/conversations/messenger.js';
import type { Alert } from '../../src/defender/alert.js';
import type { AlertPage } from '../../src/defender/graph-client.js';
import type { AlertQuery } from '../../src/defender/alert-query.js';
import { DeliveryService, type DeliverySettings, type DeliveryTuning } from '../../src/delivery/delivery-service.js';
import type { PollingGraph } from '../../src/delivery/poller.js';
import type { AlertRouter, DeliveryTarget, EmailSender, LinkHealth, OutgoingEmail, RoutedTarget } from '../../src/delivery/ports.js';
import type { ContentOptions } from '../../src/alerts/notification-card.js';
import { EMAIL_TARGETS, emailServices } from '../../src/delivery/targets/email/email-target.js';
import { TargetRegistry, type RegisteredKind } from '../../src/delivery/targets/registry.js';
import { TEAMS_TARGETS } from '../../src/delivery/targets/teams/teams-target.js';
import { parseConfig } from '../../src/config.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { silentLogger } from '../../src/log.js';
import { DeliveryNotices } from '../../src/notify/delivery-notices.js';
import type { RateWindow } from '../../src/rate-limit/sliding-window.js';
import { type ConversationRecord } from '../../src/conversations/conversation-schema.js';
import { type TenantRecord } from '../../src/tenants/tenant-schema.js';
import type { PollNotes } from '../../src/delivery/journal.js';
import { recordGroupOf, type RecordChange, type RecordSet } from '../../src/store/storage.js';
import type { ManualClock } from '../helpers/manual-clock.js';

/** Delivery's sections as they are on disk, section → key → record. */
export type SavedDelivery = Record<'deliveries' | 'alerts' | 'digests' | 'cursors' | 'targets', Record<string, Record<string, unknown>>>;

const emptySaved = (): SavedDelivery => ({ deliveries: {}, alerts: {}, digests: {}, cursors: {}, targets: {} });

/**
 * Delivery's record set in memory: `onDisk()` is what a restarted process would load (a copy of
 * every batch written so far); `failNext` makes the next writes fail as a full disk would. It also
 * takes the tenants' poll notes, which delivery writes with its batches.
 */
export class MemoryRecordSet implements RecordSet, PollNotes {
  private saved: SavedDelivery;
  writes = 0;
  /** Calls of loadGroups: how often delivery went to the store for records it did not hold. */
  groupLoads = 0;
  /** The next this-many writes throw, as a full disk would. */
  failNext = 0;
  readonly polls = new Map<string, { pollAt: string; success: boolean }>();

  constructor(initial: SavedDelivery = emptySaved()) {
    this.saved = structuredClone(initial);
  }

  async *load(): AsyncGenerator<RecordChange> {
    for (const [section, records] of Object.entries(this.saved)) {
      for (const [key, record] of Object.entries(records)) yield { section, key, record: structuredClone(record) };
    }
  }

  async loadGroups(groups: readonly string[]): Promise<RecordChange[]> {
    const wanted = new Set(groups);
    this.groupLoads++;
    const found: RecordChange[] = [];
    for (const [section, records] of Object.entries(this.saved)) {
      for (const [key, record] of Object.entries(records)) if (wanted.has(recordGroupOf(key))) found.push({ section, key, record: structuredClone(record) });
    }
    return found;
  }

  async write(batch: readonly RecordChange[]): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full');
    }
    for (const { section, key, record } of batch) {
      const records = (this.saved[section as keyof SavedDelivery] ??= {});
      if (record === null) delete records[key];
      else records[key] = structuredClone(record) as Record<string, unknown>;
    }
    this.writes++;
  }

  async notePolls(polls: ReadonlyMap<string, { pollAt: string; success: boolean }>): Promise<void> {
    for (const [tenantId, poll] of polls) this.polls.set(tenantId, poll);
  }

  /** The set a restarted process would open: exactly what was written. */
  reopen(): MemoryRecordSet {
    return new MemoryRecordSet(this.saved);
  }

  /** What is on disk right now (a copy). */
  onDisk(): SavedDelivery {
    return structuredClone(this.saved);
  }
}

export interface SentCard {
  readonly conversationId: string;
  readonly messageId: string | undefined;
  readonly reply: Reply;
  readonly at: number;
}

type Scripted = ChatDeliveryError | { noId: true };

/** A Messenger that records posts and edits in simulated time and fails as scripted. */
export class FakeMessenger implements Messenger {
  readonly sent: SentCard[] = [];
  readonly updates: { conversationId: string; messageId: string; reply: Reply; at: number }[] = [];
  /** Replies posted in threads, by the root message they answer. */
  readonly threadReplies: { conversationId: string; rootMessageId: string; messageId: string; reply: Reply; at: number }[] = [];
  /** Outcomes for the next calls (posts and edits alike), consumed in order; per conversation when keyed. */
  readonly script: Scripted[] = [];
  readonly scriptFor = new Map<string, Scripted[]>();
  /** Called on every attempt, before it is answered (e.g. to look at the store). */
  onAttempt: ((conversationId: string) => void) | undefined;
  private sequence = 0;
  attempts = 0;

  constructor(private readonly clock: ManualClock) {}

  /** Conversations the bot was removed from: every call there is refused with 403. */
  readonly gone = new Set<string>();

  private next(conversationId: string): Scripted | undefined {
    this.attempts++;
    this.onAttempt?.(conversationId);
    if (this.gone.has(conversationId)) return new ChatDeliveryError('gone', 403, undefined, 'Teams answered 403: the bot is not a member of the conversation');
    return this.scriptFor.get(conversationId)?.shift() ?? this.script.shift();
  }

  async send(conversation: ConversationRecord, reply: Reply): Promise<SentMessage> {
    const scripted = this.next(conversation.id);
    if (scripted instanceof ChatDeliveryError) throw scripted;
    const messageId = scripted ? undefined : `m${++this.sequence}`;
    this.sent.push({ conversationId: conversation.id, messageId, reply, at: this.clock.nowMs() });
    return { messageId };
  }

  async reply(conversation: ConversationRecord, rootMessageId: string, reply: Reply): Promise<SentMessage> {
    const scripted = this.next(conversation.id);
    if (scripted instanceof ChatDeliveryError) throw scripted;
    const messageId = `m${++this.sequence}`;
    this.threadReplies.push({ conversationId: conversation.id, rootMessageId, messageId, reply, at: this.clock.nowMs() });
    return { messageId };
  }

  async probe(conversation: ConversationRecord): Promise<void> {
    const scripted = this.next(conversation.id);
    if (scripted instanceof ChatDeliveryError) throw scripted;
  }

  async update(conversation: ConversationRecord, messageId: string, reply: Reply): Promise<void> {
    const scripted = this.next(conversation.id);
    if (scripted instanceof ChatDeliveryError) throw scripted;
    this.updates.push({ conversationId: conversation.id, messageId, reply, at: this.clock.nowMs() });
  }

  /** Every request (post or edit) to a conversation, in time order. */
  timesIn(conversationId: string): number[] {
    return [...this.sent.filter((s) => s.conversationId === conversationId).map((s) => s.at), ...this.updates.filter((u) => u.conversationId === conversationId).map((u) => u.at)].sort((a, b) => a - b);
  }

  allTimes(): number[] {
    return [...this.sent.map((s) => s.at), ...this.updates.map((u) => u.at)].sort((a, b) => a - b);
  }

  /** The alert ids on the cards posted to a conversation (detail cards and digest rows). */
  alertIdsIn(conversationId: string): string[] {
    return this.sent.filter((s) => s.conversationId === conversationId).flatMap((s) => alertIdsOn(s.reply));
  }
}

/** Alert ids a card reply carries: the detail card's "Alert id" detail, or each digest row's open action. */
export function alertIdsOn(reply: Reply): string[] {
  if (reply.kind !== 'card') return [];
  if (reply.card === 'alert-detail') return reply.data.details.filter((f) => f.title === 'Alert id').map((f) => f.value);
  if (reply.card === 'alert-digest') return reply.data.items.map((i) => String(i.actionData.alertId));
  return [];
}

/** Throws the first window a series of request times breaks (times sorted), or returns undefined. */
export function windowBroken(times: readonly number[], windows: readonly RateWindow[]): string | undefined {
  for (const w of windows) {
    for (let i = 0; i + w.limit < times.length; i++) {
      const first = times[i] as number;
      const later = times[i + w.limit] as number;
      if (later - first < w.periodMs) return `${w.limit + 1} requests within ${later - first} ms (limit ${w.limit}/${w.periodMs} ms) at index ${i}`;
    }
  }
  return undefined;
}

/** Moves the manual clock in steps, letting real timers (the journal's) and promises run in between. */
export async function run(clock: ManualClock, ms: number, stepMs = 50): Promise<void> {
  for (let elapsed = 0; elapsed < ms; elapsed += stepMs) {
    // Work already started finishes at this instant before time moves on.
    await realTick();
    await clock.advance(Math.min(stepMs, ms - elapsed));
  }
  await realTick();
}

export async function realTick(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/** Runs the clock until `done()` holds, failing after `maxMs` of simulated time. */
export async function runUntil(clock: ManualClock, done: () => boolean, maxMs: number, stepMs = 50): Promise<number> {
  const start = clock.nowMs();
  for (await realTick(); !done(); await realTick()) {
    if (clock.nowMs() - start > maxMs) throw new Error(`condition not met within ${maxMs} ms of simulated time`);
    await clock.advance(stepMs);
  }
  return clock.nowMs() - start;
}

export const ALL_CONTENT: ContentOptions = { includeOrgName: true, includePortalLink: true, includeDeviceInfo: true };

/** A router for tests: tenant id → targets. */
export class TableRouter implements AlertRouter {
  calls = 0;
  constructor(readonly table: Map<string, DeliveryTarget[]>) {}

  route(tenant: TenantRecord): RoutedTarget[] {
    this.calls++;
    return (this.table.get(tenant.tenantId) ?? []).map((target) => ({ target, ruleId: 'default', options: ALL_CONTENT }));
  }
}

export class FakeLinkHealth implements LinkHealth {
  readonly broken = new Map<string, string>();
  calls = 0;

  async markBroken(conversationId: string, reason: string): Promise<boolean> {
    this.calls++;
    if (this.broken.has(conversationId)) return false;
    this.broken.set(conversationId, reason);
    return true;
  }
}

export class FakeSoc {
  readonly notices: { reply: Reply; event: string }[] = [];

  /** The notices' titles, in order. */
  get titles(): string[] {
    return this.notices.map((n) => (n.reply.kind === 'card' && n.reply.card === 'notice' ? n.reply.data.title : ''));
  }

  async notify(reply: Reply, event: string): Promise<boolean> {
    this.notices.push({ reply, event });
    return true;
  }
}

export class FakeMail implements EmailSender {
  readonly sent: OutgoingEmail[] = [];
  readonly script: Error[] = [];
  attempts = 0;

  compose({ alert, to }: { alert: Alert; to: string }): OutgoingEmail {
    return { to, subject: `[${alert.severity}] ${alert.title}`, text: alert.id, html: `<p>${alert.id}</p>` };
  }

  /** While set, sends hang until `release()`, as a mail server that stopped answering. */
  hold = false;
  private readonly held: (() => void)[] = [];

  get hanging(): number {
    return this.held.length;
  }

  release(): void {
    this.hold = false;
    for (const resume of this.held.splice(0)) resume();
  }

  async send(mail: OutgoingEmail): Promise<void> {
    this.attempts++;
    if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    const failure = this.script.shift();
    if (failure) throw failure;
    this.sent.push(mail);
  }
}

/** Alerts per tenant, listed as Graph would (filter on lastUpdateDateTime, pages). */
export class FakeGraph implements PollingGraph {
  readonly alerts = new Map<string, Alert[]>();
  readonly failing = new Set<string>();
  readonly queries: { tenantId: string; updatedSince: Date | undefined }[] = [];
  headroom = 150;
  pageSize = 1000;
  requests = 0;

  put(tenantId: string, alert: Alert): void {
    const list = (this.alerts.get(tenantId) ?? []).filter((a) => a.id !== alert.id);
    list.push(alert);
    this.alerts.set(tenantId, list);
  }

  async listAlerts(tenantId: string, query: AlertQuery, { pageSize }: { pageSize?: number } = {}): Promise<AlertPage> {
    const since = query.updatedSince === undefined ? undefined : new Date(query.updatedSince);
    this.queries.push({ tenantId, updatedSince: since });
    return this.page(tenantId, since?.getTime() ?? 0, 0, Math.min(pageSize ?? this.pageSize, this.pageSize));
  }

  async nextAlertPage(tenantId: string, nextLink: string): Promise<AlertPage> {
    const url = new URL(nextLink);
    return this.page(tenantId, Number(url.searchParams.get('since')), Number(url.searchParams.get('skip')), Number(url.searchParams.get('top')));
  }

  private page(tenantId: string, sinceMs: number, skip: number, top: number): AlertPage {
    this.requests++;
    if (this.failing.has(tenantId)) throw new Error(`tenant ${tenantId} is failing`);
    // Newest created first, as the emulator sorts.
    const matching = (this.alerts.get(tenantId) ?? [])
      .filter((a) => Date.parse(a.lastUpdateDateTime) >= sinceMs)
      .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime) || a.id.localeCompare(b.id));
    const page: AlertPage = { alerts: structuredClone(matching.slice(skip, skip + top)) };
    if (skip + top < matching.length) page.nextLink = `https://graph.example/alerts?since=${sinceMs}&skip=${skip + top}&top=${top}`;
    return page;
  }

  async rateHeadroom(): Promise<number> {
    return this.headroom;
  }
}

export function tenantRecord(n: number, at = '2026-11-26T08:00:00.000Z'): TenantRecord {
  return {
    handle: `customer${n}`,
    displayName: `Customer ${n} Ltd`,
    tenantId: `c0000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    domain: `customer${n}.onmicrosoft.com`,
    status: 'connected',
    writeAccess: true,
    createdAt: at,
    updatedAt: at,
  };
}

export function channel(id: string, at = '2026-11-26T08:00:00.000Z'): ConversationRecord {
  return { id, kind: 'channel', serviceUrl: 'https://smba.example/teams/', channelId: 'msteams', botId: '28:bot', channelName: id, active: true, installedAt: at, updatedAt: at };
}

/** A brand-new alert of `tenant`, created and updated at `now`. */
export function freshAlert(tenant: TenantRecord, now: Date, seed: string, severity = 'high'): Alert {
  const alert = generateNewAlert({ tenantId: tenant.tenantId, domain: tenant.domain, orgName: tenant.displayName }, now, seed);
  const iso = now.toISOString();
  return { ...alert, id: `${tenant.handle}-${seed}`, severity, status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso };
}

/** Tenants, conversations, router and ports around a DeliveryService on a manual clock. */
export class World {
  readonly tenants: TenantRecord[] = [];
  readonly conversations = new Map<string, ConversationRecord>();
  readonly routes = new Map<string, DeliveryTarget[]>();
  readonly router = new TableRouter(this.routes);
  readonly links = new FakeLinkHealth();
  readonly soc = new FakeSoc();
  readonly mail = new FakeMail();
  readonly graph = new FakeGraph();
  readonly failures: { tenantId: string; error: unknown }[] = [];
  readonly messenger: FakeMessenger;
  /** Target kinds besides Teams and email, for the services made from now on (e.g. webhooks). */
  extraKinds: RegisteredKind[] = [];
  store: MemoryRecordSet;

  constructor(
    readonly clock: ManualClock,
    readonly settings: DeliverySettings = { pollIntervalMs: 0, pollOverlapMs: 60_000, stormThresholdMs: 60_000, retentionMs: 30 * 86_400_000, teamsGlobalRate: 50 },
    readonly tuning: DeliveryTuning = {},
  ) {
    this.messenger = new FakeMessenger(clock);
    this.store = new MemoryRecordSet();
  }

  addTenant(n: number): TenantRecord {
    const tenant = tenantRecord(n);
    this.tenants.push(tenant);
    return tenant;
  }

  addChannel(id: string): string {
    this.conversations.set(id, channel(id));
    return id;
  }

  /** Teams as configured, email through the fake mail server; `extra` kinds after them (e.g. webhooks). */
  targets(...extra: RegisteredKind[]): TargetRegistry {
    const deps = { config: parseConfig({}, '/srv/soc'), clock: this.clock, logger: silentLogger, ruleName: () => 'Test rule' };
    return new TargetRegistry([
      { kind: TEAMS_TARGETS, built: TEAMS_TARGETS.build(deps) },
      { kind: EMAIL_TARGETS, built: emailServices({ sender: this.mail, composer: this.mail, availability: { available: true, reason: '' } }) },
      ...extra,
    ]);
  }

  route(tenant: TenantRecord, ...targets: DeliveryTarget[]): void {
    this.routes.set(tenant.tenantId, targets);
  }

  service(overrides: Partial<DeliverySettings> = {}, tuning: DeliveryTuning = {}): DeliveryService {
    return new DeliveryService({
      records: this.store,
      clock: this.clock,
      logger: silentLogger,
      graph: this.graph,
      tenants: {
        connected: () => this.tenants.filter((t) => t.status === 'connected' || t.status === 'needs-attention'),
        find: (ref) => this.tenants.find((t) => t.tenantId === ref || t.handle === ref),
        recordSuccess: async () => undefined,
        notePolls: (polls) => this.store.notePolls(polls),
      },
      failures: {
        failed: async (tenant, error) => {
          this.failures.push({ tenantId: tenant.tenantId, error });
          return 'failed';
        },
      },
      conversations: { get: (id) => this.conversations.get(id) },
      messenger: this.messenger,
      notices: new DeliveryNotices({ soc: this.soc, conversations: { get: (id) => this.conversations.get(id) } }),
      router: this.router,
      linkHealth: this.links,
      targets: this.targets(...this.extraKinds),
      settings: { ...this.settings, ...overrides },
      tuning: { pacingMarginMs: 0, journal: { batchDelayMs: 0, lazyDelayMs: 0 }, random: () => 0.5, editDelayMs: 1000, ...this.tuning, ...tuning },
    });
  }
}
