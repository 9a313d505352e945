import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationInfo } from '../../src/conversations/conversation-registry.js';
import { ConversationRegistry } from '../../src/conversations/conversation-registry.js';
import type { Alert, AlertEvidence } from '../../src/defender/alert.js';
import { silentLogger } from '../../src/log.js';
import type { Actor } from '../../src/roles/actor.js';
import { ChangeSignal } from '../../src/routing/change-signal.js';
import { ChannelLinks } from '../../src/routing/channel-links.js';
import { RuleRouter } from '../../src/routing/router.js';
import { RuleService, type RuleChangeContext } from '../../src/routing/rule-service.js';
import { parseConfig } from '../../src/config.js';
import { alertEmailComposer } from '../../src/email/alert-email.js';
import { EMAIL_TARGETS, emailServices } from '../../src/delivery/targets/email/email-target.js';
import { TargetRegistry } from '../../src/delivery/targets/registry.js';
import type { Availability } from '../../src/delivery/targets/target-kind.js';
import { TEAMS_TARGETS } from '../../src/delivery/targets/teams/teams-target.js';
import { parseRuleAdd, parseRuleOptions } from '../../src/routing/rule-syntax.js';
import type { TenantRecord } from '../../src/store/schema.js';
import { LowdbStore } from '../../src/store/lowdb-store.js';
import { TenantRegistry } from '../../src/tenants/tenant-registry.js';
import { ManualClock } from '../helpers/manual-clock.js';

export const ADMIN: Actor = { userId: 'admin-1', displayName: 'Alex Admin', role: 'admin', bootstrap: true };

export const TENANT_IDS = {
  contoso: '11111111-1111-4111-8111-111111111111',
  fabrikam: '22222222-2222-4222-8222-222222222222',
  northwind: '33333333-3333-4333-8333-333333333333',
} as const;
export type Handle = keyof typeof TENANT_IDS;

export const CHANNELS = {
  contosoAlerts: '19:contoso-alerts@thread.tacv2',
  fabrikamAlerts: '19:fabrikam-alerts@thread.tacv2',
  shared: '19:soc-shared@thread.tacv2',
  unlinked: '19:random-chat@thread.tacv2',
} as const;

/** Store, registries and routing services over a temporary data folder, as the app wires them. */
export class RoutingWorld {
  readonly clock = new ManualClock();
  readonly changes = new ChangeSignal();
  readonly tenants: TenantRegistry;
  readonly conversations: ConversationRegistry;
  readonly links: ChannelLinks;
  readonly rules: RuleService;
  readonly router: RuleRouter;
  /** Teams, and email with the availability the world was made with (nothing is sent here). */
  readonly targets: TargetRegistry;

  private constructor(
    readonly store: LowdbStore,
    private readonly dir: string,
    email: Availability,
  ) {
    const deps = { store, clock: this.clock, logger: silentLogger };
    this.tenants = new TenantRegistry(deps);
    this.conversations = new ConversationRegistry(deps);
    this.links = new ChannelLinks({ ...deps, conversations: this.conversations, changes: this.changes });
    this.targets = new TargetRegistry([
      { kind: TEAMS_TARGETS, built: TEAMS_TARGETS.build({ config: parseConfig({}, dir), clock: this.clock, logger: silentLogger, ruleName: () => undefined }) },
      { kind: EMAIL_TARGETS, built: emailServices({ sender: { send: async () => undefined }, composer: alertEmailComposer(), availability: email }) },
    ]);
    this.rules = new RuleService({ ...deps, tenants: this.tenants, links: this.links, conversations: this.conversations, changes: this.changes, targets: this.targets });
    this.router = new RuleRouter({ store, changes: this.changes, targets: this.targets });
  }

  /** A world over a fresh data folder, or over `dir` as an earlier SOC Bridge left it. */
  static async create(email: Availability = { available: true, reason: '' }, dir = mkdtempSync(join(tmpdir(), 'soc-bridge-routing-'))): Promise<RoutingWorld> {
    const world = new RoutingWorld(await LowdbStore.open(dir), dir, email);
    for (const handle of (Object.keys(TENANT_IDS) as Handle[]).filter((h) => !world.tenants.find(h))) {
      await world.tenants.add({ handle, displayName: `${handle[0]!.toUpperCase()}${handle.slice(1)} Ltd`, tenantId: TENANT_IDS[handle], domain: `${handle}.example`, status: 'connected', writeAccess: true });
    }
    for (const [name, id] of Object.entries(CHANNELS)) await world.conversations.recordInstall(channelInfo(id, name));
    return world;
  }

  async close(): Promise<void> {
    await this.store.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  tenant(handle: Handle): TenantRecord {
    const t = this.tenants.find(handle);
    if (!t) throw new Error(`no tenant ${handle}`);
    return t;
  }

  async link(conversationId: string, handle: Handle): Promise<void> {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) throw new Error(`no conversation ${conversationId}`);
    await this.links.link(conversation, this.tenant(handle), ADMIN);
  }

  /** `rule add …` exactly as typed after the command words. */
  async addRule(text: string, place: RuleChangeContext['place'] = { conversationId: 'a:personal', kind: 'personal' }) {
    const { ruleName, input } = parseRuleAdd(words(text));
    return this.rules.add(ruleName, input, { actor: ADMIN, place });
  }

  async editRule(id: string, text: string) {
    return this.rules.edit(id, parseRuleOptions(words(text)), { actor: ADMIN, place: { conversationId: 'a:personal', kind: 'personal' } });
  }

  /** Where the tenant's alert goes, as sorted target keys with the rule that sent it. */
  route(handle: Handle, alert: Alert): string[] {
    return this.router
      .route(this.tenant(handle), alert)
      .map((r) => String(r.target.kind === 'teams' ? r.target.conversationId : r.target.address))
      .sort();
  }
}

/** Splits like the chat tokenizer: spaces separate words, quoted text is one word. */
export function words(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

export function channelInfo(id: string, name: string): ConversationInfo {
  return { id, kind: 'channel', serviceUrl: 'https://smba.example/', channelId: 'msteams', botId: '28:bot', teamId: '19:team@thread.tacv2', teamName: 'SOC', teamsChannelId: id, channelName: name };
}

const device = (group: string | null, name = 'pc-01.contoso.example'): AlertEvidence =>
  ({ '@odata.type': '#microsoft.graph.security.deviceEvidence', deviceDnsName: name, rbacGroupName: group, mdeDeviceId: `mde-${name}` }) as AlertEvidence;

/** A Defender alert with the fields rules look at; everything else plausible. */
export function alertWith(overrides: Partial<Alert> & { groups?: (string | null)[] } = {}): Alert {
  const { groups, ...rest } = overrides;
  const now = '2026-11-26T09:00:00.000Z';
  return {
    '@odata.type': '#microsoft.graph.security.alert',
    id: 'da638512345678901234_-1234567',
    incidentId: '4321',
    tenantId: TENANT_IDS.contoso,
    title: 'Suspicious PowerShell command line',
    description: 'A process ran an encoded PowerShell command.',
    category: 'Execution',
    severity: 'medium',
    status: 'new',
    serviceSource: 'microsoftDefenderForEndpoint',
    detectionSource: 'microsoftDefenderForEndpoint',
    assignedTo: null,
    alertWebUrl: null,
    incidentWebUrl: null,
    mitreTechniques: ['T1059.001'],
    createdDateTime: now,
    lastUpdateDateTime: now,
    comments: [],
    evidence: (groups ?? ['Servers']).map((g, i) => device(g, `pc-${i}.contoso.example`)),
    systemTags: [],
    ...rest,
  } as Alert;
}
