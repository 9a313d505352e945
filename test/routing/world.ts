import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConversationInfo } from '../../src/conversations/conversation-registry.js';
import { ConversationRegistry } from '../../src/conversations/conversation-registry.js';
import type { Alert, AlertEvidence } from '../../src/defender/alert.js';
import { silentLogger } from '../../src/log.js';
import type { Actor } from '../../src/roles/actor.js';
import { RoleService } from '../../src/roles/role-service.js';
import { parseConfig } from '../../src/config.js';
import type { SampleDelivery } from '../../src/delivery/ports.js';
import { TargetRegistry } from '../../src/delivery/targets/registry.js';
import { alertEmailComposer, type ComposeInput } from '../../src/email/alert-email.js';
import type { OutgoingEmail } from '../../src/delivery/ports.js';
import type { ChannelLinks, LinkView } from '../../src/routing/channel-links.js';
import { createRouting } from '../../src/routing/compose.js';
import type { RuleRouter } from '../../src/routing/router.js';
import type { RuleChangeContext, RuleService } from '../../src/routing/rule-service.js';
import { parseRuleAdd, parseRuleOptions } from '../../src/routing/rule-syntax.js';
import { EmbeddedStorage } from '../../src/store/embedded/embedded-storage.js';
import type { TenantRecord } from '../../src/tenants/tenant-schema.js';
import { TenantRegistry } from '../../src/tenants/tenant-registry.js';
import { ManualClock } from '../helpers/manual-clock.js';

export const ADMIN: Actor = { userId: 'admin-1', displayName: 'Alex Admin', role: 'admin', bootstrap: true };

export const TENANT_IDS = {
  contoso: '11111111-1111-4111-8111-111111111111',
  fabrikam: '22222222-2222-4222-8222-222222222222',
  northwind: '33333333-3333-4333-8333-333333333333',
} as const;
export type Handle = keyof typeof TENANT_IDS;

/** Routing's worlds deliver nothing: `rule test` is covered end to end. */
const NO_SAMPLES: SampleDelivery = { sendSamples: () => Promise.reject(new Error('this world delivers nothing')) };

export const CHANNELS = {
  contosoAlerts: '19:contoso-alerts@thread.tacv2',
  fabrikamAlerts: '19:fabrikam-alerts@thread.tacv2',
  shared: '19:soc-shared@thread.tacv2',
  unlinked: '19:random-chat@thread.tacv2',
} as const;

/** Registries and routing's services over a temporary data folder, composed as the app composes them. */
export class RoutingWorld {
  readonly clock = new ManualClock();
  readonly tenants: TenantRegistry;
  readonly conversations: ConversationRegistry;
  readonly links: ChannelLinks;
  readonly rules: RuleService;
  readonly router: RuleRouter;
  /** Who holds which role; SOC_ADMIN_IDS names no one here. */
  readonly roles: RoleService;
  /** The target kinds as configured here: Teams, email (`.eml` files, or none when unavailable), no webhooks. */
  readonly targets: TargetRegistry;
  /** Renders the email a rule sends, naming the rule, as the email target does. */
  readonly emailComposer: { compose(input: ComposeInput): OutgoingEmail };

  private constructor(
    private readonly storage: EmbeddedStorage,
    private readonly dir: string,
    private readonly emailAvailable: boolean,
  ) {
    const deps = { storage, clock: this.clock, logger: silentLogger };
    this.tenants = new TenantRegistry(deps);
    this.conversations = new ConversationRegistry(deps);
    // Sandbox mode writes mail as files; connected mode without SMTP_URL has no email at all.
    const env = emailAvailable ? { DATA_DIR: dir } : { DATA_DIR: dir, DEFENDER_CLIENT_ID: '5e7d3c1b-9a2f-4e6d-8b1c-0a9f8e7d6c5b', DEFENDER_CLIENT_SECRET: 'x', CONSENT_STATE_SECRET: 'c'.repeat(40) };
    const ruleName = (ruleId: string) => this.rules.nameOf(ruleId);
    this.targets = TargetRegistry.build({ config: parseConfig(env, dir), clock: this.clock, logger: silentLogger, ruleName });
    this.emailComposer = alertEmailComposer(ruleName);
    this.roles = new RoleService({ ...deps, bootstrapAdminIds: [] });
    ({ links: this.links, rules: this.rules, router: this.router } = createRouting({ ...deps, conversations: this.conversations, tenants: this.tenants, targets: this.targets, people: this.roles, samples: NO_SAMPLES }));
  }

  /**
   * Three connected tenants and four channels the bot is in, nothing linked yet; without email when
   * asked; over `dir` when given (a data folder as an earlier SOC Bridge left it).
   */
  static async create({ emailAvailable = true, dir = mkdtempSync(join(tmpdir(), 'soc-bridge-routing-')) } = {}): Promise<RoutingWorld> {
    const world = new RoutingWorld(await EmbeddedStorage.open(dir), dir, emailAvailable);
    for (const handle of (Object.keys(TENANT_IDS) as Handle[]).filter((h) => !world.tenants.find(h))) {
      await world.tenants.add({ handle, displayName: `${handle[0]!.toUpperCase()}${handle.slice(1)} Ltd`, tenantId: TENANT_IDS[handle], domain: `${handle}.example`, status: 'connected', writeAccess: true });
    }
    for (const [name, id] of Object.entries(CHANNELS)) await world.conversations.recordInstall(channelInfo(id, name));
    return world;
  }

  /** Closes this world and opens the same data folder again, as a restart would. */
  async reopen(): Promise<RoutingWorld> {
    this.targets.close();
    await this.storage.close();
    return new RoutingWorld(await EmbeddedStorage.open(this.dir), this.dir, this.emailAvailable);
  }

  async close(): Promise<void> {
    this.targets.close();
    await this.storage.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every channel link with its health, as `channels` shows them. */
  linkViews(): LinkView[] {
    return this.links.views(this.tenants.all());
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
