import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runConfigCommand } from '../../src/cli/config-command.js';
import { parseConfig } from '../../src/config.js';
import { ConversationRegistry } from '../../src/conversations/conversation-registry.js';
import { TargetRegistry } from '../../src/delivery/targets/registry.js';
import { silentLogger } from '../../src/log.js';
import type { Actor } from '../../src/roles/actor.js';
import { RoleService } from '../../src/roles/role-service.js';
import { createRouting } from '../../src/routing/compose.js';
import { parseRuleAdd } from '../../src/routing/rule-syntax.js';
import type { Storage } from '../../src/store/storage.js';
import { TenantRegistry } from '../../src/tenants/tenant-registry.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { CHANNELS, TENANT_IDS, channelInfo, words, type Handle } from '../routing/world.js';

export { CHANNELS, TENANT_IDS };

export const ADMIN: Actor = { userId: 'aaaaaaaa-0000-4000-8000-000000000001', displayName: 'Alex Admin', role: 'admin', bootstrap: true };

export const USERS = {
  analyst: 'bbbbbbbb-0000-4000-8000-000000000002',
  viewer: 'cccccccc-0000-4000-8000-000000000003',
  customerAdmin: 'dddddddd-0000-4000-8000-000000000004',
} as const;

export const GROUP_CHAT = '19:meeting-soc-leads@thread.v2';
export const PERSONAL_CHAT = 'a:personal-chat-of-alex';

/** The environment of a sandbox deployment on `dataDir` (email is written as files, so email targets work). */
export function sandboxEnv(dataDir: string): Record<string, string> {
  return { DATA_DIR: dataDir, SOC_ADMIN_IDS: ADMIN.userId ?? '' };
}

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'soc-bridge-config-'));
}

function services(storage: Storage, clock: ManualClock, dataDir: string) {
  const deps = { storage, clock, logger: silentLogger };
  const tenants = new TenantRegistry(deps);
  const conversations = new ConversationRegistry(deps);
  const targets = TargetRegistry.build({ config: parseConfig(sandboxEnv(dataDir), dataDir), clock, logger: silentLogger, ruleName: () => undefined });
  const roles = new RoleService({ ...deps, bootstrapAdminIds: [ADMIN.userId ?? ''] });
  const routing = createRouting({ ...deps, conversations, tenants, targets, people: roles, samples: { sendSamples: () => Promise.reject(new Error('no delivery here')) } });
  return { tenants, conversations, targets, roles, ...routing };
}

/** Three connected customers and the conversations the bot is in: four channels, a group chat and a personal chat. */
export async function seedTenantsAndConversations(storage: Storage, dataDir: string, clock = new ManualClock()): Promise<void> {
  const s = services(storage, clock, dataDir);
  try {
    for (const handle of Object.keys(TENANT_IDS) as Handle[]) {
      await s.tenants.add({ handle, displayName: `${handle[0]!.toUpperCase()}${handle.slice(1)} Ltd`, tenantId: TENANT_IDS[handle], domain: `${handle}.example`, status: 'connected', writeAccess: true });
    }
    for (const [name, id] of Object.entries(CHANNELS)) await s.conversations.recordInstall(channelInfo(id, name));
    await s.conversations.recordInstall({ id: GROUP_CHAT, kind: 'groupChat', serviceUrl: 'https://smba.example/', channelId: 'msteams', botId: '28:bot', title: 'SOC leads' });
    await s.conversations.recordInstall({ id: PERSONAL_CHAT, kind: 'personal', serviceUrl: 'https://smba.example/', channelId: 'msteams', botId: '28:bot' });
  } finally {
    s.targets.close();
  }
}

/** Roles, links and rules as admins make them in chat, using every kind of rule option. */
export async function seedConfiguration(storage: Storage, dataDir: string, clock = new ManualClock()): Promise<void> {
  const s = services(storage, clock, dataDir);
  try {
    await s.roles.grant({ userId: USERS.analyst, displayName: 'Adele Analyst', role: 'analyst', by: ADMIN });
    await s.roles.grant({ userId: USERS.viewer, role: 'viewer', by: ADMIN });
    await s.roles.grant({ userId: USERS.customerAdmin, displayName: 'Carl Contoso', role: 'customer-admin', tenant: 'contoso', by: ADMIN });
    const link = async (conversationId: string, handle: Handle) => s.links.link(s.conversations.get(conversationId)!, s.tenants.find(handle)!, ADMIN);
    await link(CHANNELS.contosoAlerts, 'contoso');
    await link(CHANNELS.fabrikamAlerts, 'fabrikam');
    await link(CHANNELS.shared, 'contoso');
    await link(CHANNELS.shared, 'fabrikam');
    await link(GROUP_CHAT, 'northwind');
    const place = { conversationId: CHANNELS.shared, kind: 'channel' as const };
    for (const line of [
      '"Contoso high" tenants:contoso severity:high to:channels,soc@mssp.example',
      `Servers except:northwind groups:Servers,"Finance, laptops" to:here include:org,link`,
      '"Quiet ones" severity:any title:"lateral movement" category:LateralMovement source:endpoint detection:av to:channels,soc@mssp.example mode:teams include:none enabled:no',
    ]) {
      const { ruleName, input } = parseRuleAdd(words(line));
      await s.rules.add(ruleName, input, { actor: ADMIN, place });
    }
  } finally {
    s.targets.close();
  }
}

/** Runs `config <args>` in this process as the CLI does, against the store `env` configures. */
export async function configCommand(args: readonly string[], env: Record<string, string>, clock = new ManualClock()): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const config = parseConfig(env, env.DATA_DIR);
  const code = await runConfigCommand(args, { config, logger: silentLogger, clock, output: { out: (t) => (out += t), err: (t) => (err += t) } });
  return { code, out, err };
}
