import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApp } from '../../src/app.js';
import { parseConfig } from '../../src/config.js';
import type { Alert } from '../../src/defender/alert.js';
import { BotConnectorEmulator, type PostedMessage } from '../../src/emulator/bot-connector.js';
import { generateNewAlert } from '../../src/emulator/demo-data.js';
import { EntraEmulator } from '../../src/emulator/entra.js';
import { GraphSecurityEmulator } from '../../src/emulator/graph-security.js';
import { TEAMS_PUBLISHED_LIMITS } from '../../src/emulator/teams-limits.js';
import { silentLogger } from '../../src/log.js';
import { TEST_APP, TEST_ROLES } from '../helpers/entra.js';
import { BOT, TEST_CONSENT_STATE_SECRET, TEAMS_TENANT_ID, USERS, cardIn, cardText } from '../helpers/harness.js';
import { InstanceProcess } from '../../bench/support/instance-process.js';
import { projectRoot } from '../../src/paths.js';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres.js';
import { testTls } from '../helpers/tls.js';

/**
 * Three instances of the compiled bot, each a process of its own, on one PostgreSQL database with
 * the Entra, Graph and Bot Connector emulators (the connector enforces Teams' published limits and
 * answers 429 when they are broken). A burst of 2,000 alerts over 100 tenants and 20 channels while
 * one instance is killed with SIGKILL every 10 seconds and started again.
 */

const INSTANCES = 3;
const TENANTS = 100;
const CHANNELS = 20;
const ALERTS_PER_TENANT = 20;
const KILL_EVERY_MS = 10_000;
const LEASE_MS = 6000;
const POLL_INTERVAL_MS = 2000;
/**
 * Longest a tenant may go unpolled: the lease time and the poll interval, plus the quarter-lease
 * beat at which a survivor tries the lease, plus 3 s for it to load delivery's records while a
 * killed neighbour starts again beside it on the same two cores.
 */
const POLL_GAP_BOUND_MS = LEASE_MS + POLL_INTERVAL_MS + LEASE_MS / 4 + 3000;
const BURST_TIMEOUT_MS = 300_000;
/** SOC Bridge's default share of Teams' per-app limit (posts a second). */
const GLOBAL_RATE = 24;

/** Whether the instance's current process runs delivery (it took the lease and has not lost it). */
const runsDelivery = (instance: InstanceProcess): boolean => instance.running && instance.log.lastIndexOf('"event":"lease.gained"') > instance.log.lastIndexOf('"event":"lease.lost"');

let connector: BotConnectorEmulator;
let entra: EntraEmulator;
let graph: GraphSecurityEmulator;
let database: TestDatabase;
const instances: InstanceProcess[] = [];
const tenantIds = Array.from({ length: TENANTS }, (_, i) => `e0000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`);
const channelIds = Array.from({ length: CHANNELS }, (_, c) => `19:burst-${c}@thread.tacv2`);
/** Tenant i is linked to channel i % CHANNELS. */
const channelOf = (tenantId: string) => channelIds[tenantIds.indexOf(tenantId) % CHANNELS] ?? '';

beforeAll(async () => {
  connector = await BotConnectorEmulator.start({ limits: TEAMS_PUBLISHED_LIMITS });
  for (const u of Object.values(USERS)) connector.addMember({ id: u.id, name: u.name, aadObjectId: u.aadObjectId, email: u.email, userPrincipalName: u.email });
  entra = await EntraEmulator.start({ tls: testTls() });
  entra.registerApp(TEST_APP);
  graph = await GraphSecurityEmulator.start({ tls: testTls() });
  for (const [i, tenantId] of tenantIds.entries()) {
    entra.addTenant({ tenantId, domains: [`burst${i}.onmicrosoft.com`], displayName: `Customer ${i}` });
    entra.grantConsent(tenantId, TEST_APP.clientId, TEST_ROLES);
    graph.addTenant(tenantId);
  }
  database = await createTestDatabase();
  const env = {
    DATABASE_URL: database.url,
    DATABASE_SSL: 'disable',
    DEFENDER_CLIENT_ID: TEST_APP.clientId,
    DEFENDER_CLIENT_SECRET: TEST_APP.secret,
    CONSENT_STATE_SECRET: TEST_CONSENT_STATE_SECRET,
    ENTRA_AUTHORITY_HOST: entra.authorityHost,
    GRAPH_BASE_URL: graph.baseUrl,
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
    SOC_ADMIN_IDS: USERS.admin.aadObjectId,
    POLL_INTERVAL: `${POLL_INTERVAL_MS}ms`,
    POLL_OVERLAP: '30s',
    STORM_THRESHOLD: '0',
    DELIVERY_LEASE: `${LEASE_MS}ms`,
  };
  await seed(env);
  for (let n = 0; n < INSTANCES; n++) instances.push(new InstanceProcess(`instance-${n + 1}`, join(projectRoot, 'dist', 'main.js'), env, process.env.SOC_BRIDGE_INSTANCE_LOGS ? `${process.env.SOC_BRIDGE_INSTANCE_LOGS}/instance-${n + 1}.log` : undefined));
  await Promise.all(instances.map((instance) => instance.start()));
}, 120_000);

afterAll(async () => {
  await Promise.all(instances.map((instance) => instance.dispose()));
  await Promise.all([connector?.close(), entra?.close(), graph?.close()]);
  await database?.drop();
});

/** The customers, their channels and links, made once through an app on the database (then stopped). */
async function seed(env: Record<string, string>): Promise<void> {
  const config = parseConfig({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', POLL_INTERVAL: '0', DATA_DIR: '/nonexistent-data-dir' });
  const app = await startApp(config, { logger: silentLogger });
  try {
    const actor = { userId: USERS.admin.aadObjectId, displayName: USERS.admin.name, role: 'admin' as const, bootstrap: true };
    const conversations = [];
    for (const id of channelIds) {
      const { record } = await app.services.conversations.recordInstall({ id, kind: 'channel', serviceUrl: connector.serviceUrl, channelId: 'msteams', botId: BOT.id, botName: BOT.name, teamName: 'SOC', channelName: id.slice(3, id.indexOf('@')) });
      conversations.push(record);
    }
    for (const [i, tenantId] of tenantIds.entries()) {
      const tenant = await app.services.tenants.add({ handle: `burst${i}`, displayName: `Customer ${i}`, tenantId, domain: `burst${i}.onmicrosoft.com`, status: 'connected', writeAccess: true });
      const conversation = conversations[i % CHANNELS];
      if (conversation) await app.services.links.link(conversation, tenant, actor);
    }
  } finally {
    await app.stop();
  }
}

/** The alert id each card in the channel shows (storm mode is off: one card per alert). */
function alertIdOf(message: PostedMessage): string | undefined {
  try {
    return /"title":"Alert id","value":"([^"]+)"/.exec(JSON.stringify(cardIn(message.activity)))?.[1];
  } catch {
    return undefined;
  }
}

/** Each message's alert id, read once: an edit never changes which alert a card shows. */
const alertIdOfMessage = new Map<string, string | undefined>();

function cardsByAlert(): Map<string, { conversationId: string }[]> {
  const cards = new Map<string, { conversationId: string }[]>();
  for (const conversationId of channelIds) {
    for (const message of connector.messagesIn(conversationId)) {
      if (!alertIdOfMessage.has(message.id)) alertIdOfMessage.set(message.id, alertIdOf(message));
      const alertId = alertIdOfMessage.get(message.id);
      if (alertId) cards.set(alertId, [...(cards.get(alertId) ?? []), { conversationId }]);
    }
  }
  return cards;
}

/** A personal-chat message from `user` to one instance, as Teams would send it. */
async function say(instance: InstanceProcess, text: string, user: (typeof USERS)[keyof typeof USERS]): Promise<string> {
  const before = connector.calls.length;
  const response = await fetch(`${instance.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message', id: `m-${Date.now()}-${Math.random()}`, channelId: 'msteams', serviceUrl: connector.serviceUrl, timestamp: new Date().toISOString(),
      from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId }, recipient: { id: BOT.id, name: BOT.name },
      conversation: { id: `a:personal-${user.id}`, conversationType: 'personal', tenantId: TEAMS_TENANT_ID }, channelData: { tenant: { id: TEAMS_TENANT_ID } },
      text, textFormat: 'plain',
    }),
  });
  expect(response.status).toBeLessThan(300);
  return connector.calls
    .slice(before)
    .filter((c) => c.method === 'POST' && c.path.includes('/activities') && (c.body as Record<string, unknown> | undefined)?.type === 'message')
    .map((c) => {
      const body = (c.body ?? {}) as Record<string, unknown>;
      return typeof body.text === 'string' ? body.text : cardText(cardIn(body));
    })
    .join('\n');
}

describe('three instances, one killed every 10 seconds during a burst', () => {
  it('obeys on one instance a role granted through another', async () => {
    const [first, second] = instances;
    expect(await say(second!, 'tenants', USERS.viewer)).toMatch(/not allowed|no role|ask an admin/i);
    await say(first!, `role grant ${USERS.viewer.aadObjectId} viewer`, USERS.admin);
    expect(await say(second!, 'tenants', USERS.viewer)).toContain('Customer 1');
  });

  it('delivers a burst of 2,000 alerts: none lost, none to a wrong channel, duplicates only from killed sends, every tenant polled within the lease time', async () => {
    // Every tenant polled once: what is raised next is news, not backlog.
    const polled = () => tenantIds.every((id) => graph.requests(id).some((r) => r.url.includes('alerts_v2')));
    for (const deadline = Date.now() + 60_000; !polled(); ) {
      if (Date.now() > deadline) throw new Error('not every tenant was polled within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const throttledBefore = connector.limits?.throttled ?? 0;
    const burstStart = Date.now();
    const raised: Alert[] = [];
    const tenantOfAlert = new Map<string, string>();
    for (const tenantId of tenantIds) {
      for (let n = 0; n < ALERTS_PER_TENANT; n++) {
        const iso = new Date().toISOString();
        const base = generateNewAlert({ tenantId, domain: 'customer.example', orgName: 'Customer' }, new Date(), `${tenantId}-${n}`);
        const id = `burst-${tenantIds.indexOf(tenantId)}-${n}`;
        tenantOfAlert.set(id, tenantId);
        raised.push(graph.raiseAlert(tenantId, { ...base, id, severity: 'high', status: 'new', assignedTo: null, createdDateTime: iso, lastUpdateDateTime: iso }));
      }
    }
    // Every 10 s one instance is killed: the one running delivery and another in turn, so both a
    // take-over and the loss of a bystander happen again and again.
    let kills = 0;
    let runningKills = 0;
    const killer = setInterval(() => {
      const running = instances.find(runsDelivery);
      const victim = kills % 2 === 0 ? running : instances.find((i) => i !== running && i.running);
      if (!victim?.running) return;
      kills++;
      if (victim === running) runningKills++;
      void victim.kill().then(() => victim.start());
    }, KILL_EVERY_MS);
    try {
      const all = () => {
        const cards = cardsByAlert();
        return raised.every((a) => cards.has(a.id));
      };
      for (const deadline = Date.now() + BURST_TIMEOUT_MS; !all(); ) {
        if (Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    } finally {
      clearInterval(killer);
    }
    const deliveredMs = Date.now() - burstStart;
    // Late copies of killed sends would show now.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const cards = cardsByAlert();
    const lost = raised.filter((a) => !cards.has(a.id)).length;
    const duplicates = [...cards.values()].reduce((sum, copies) => sum + copies.length - 1, 0);
    const misrouted = raised.filter((a) => (cards.get(a.id) ?? []).some((c) => c.conversationId !== channelOf(tenantOfAlert.get(a.id) ?? ''))).length;
    const pollGaps = tenantIds.map((id) => {
      const times = graph.requests(id).filter((r) => r.url.includes('alerts_v2') && r.atMs >= burstStart).map((r) => r.atMs);
      return Math.max(0, ...times.slice(1).map((t, i) => t - (times[i] ?? t)));
    });
    const longestGapMs = Math.max(...pollGaps);
    const throttled = (connector.limits?.throttled ?? 0) - throttledBefore;
    process.stderr.write(
      `instances: ${raised.length} alerts in ${(deliveredMs / 1000).toFixed(1)} s, ${kills} kills (${runningKills} of the instance running delivery), ${lost} lost, ${duplicates} duplicated, ${misrouted} misrouted, longest poll gap ${longestGapMs} ms, ${throttled} answered 429\n`,
    );
    expect(runningKills).toBeGreaterThanOrEqual(2);
    expect(kills).toBeGreaterThanOrEqual(6);
    expect(lost).toBe(0);
    expect(misrouted).toBe(0);
    // Killing the instance running delivery may repeat the cards it had in flight (one per channel)
    // and those posted but not yet recorded (the journal's last batch: well under a second at the
    // default rate). Killing another repeats nothing.
    expect(duplicates).toBeLessThanOrEqual(runningKills * (CHANNELS + GLOBAL_RATE));
    expect(longestGapMs).toBeLessThanOrEqual(POLL_GAP_BOUND_MS);
    // One instance runs delivery at a time and paces from the records of the one before: Teams' limits hold as with one
    // instance. What a killed instance posted but had not recorded, the next does not know of: only those can meet a 429.
    expect(throttled).toBeLessThanOrEqual(runningKills * (CHANNELS + GLOBAL_RATE));
  }, BURST_TIMEOUT_MS + 60_000);
});
