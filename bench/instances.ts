/**
 * The 2,000-alert burst (100 tenants, 20 channels, one card per alert) on one instance and on three
 * instances, each a process of its own on one PostgreSQL database. The Graph and Entra emulators run
 * in a child process; the Bot Connector emulator (Teams' published limits, 429 when broken) runs
 * here. Prints the time to the last card against the minimum the limits allow; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { TEAMS_CONVERSATION_WINDOWS } from '../src/delivery/pacing.js';
import { BotConnectorEmulator } from '../src/emulator/bot-connector.js';
import { TEAMS_PUBLISHED_LIMITS } from '../src/emulator/teams-limits.js';
import { silentLogger } from '../src/log.js';
import { BENCH_APP, benchTenants, minimumDrainMs, visibility } from './support/delivery-kit.js';
import { InstanceProcess } from './support/instance-process.js';
import { startBenchPostgres, type BenchPostgres } from './support/postgres-server.js';
import type { BenchTenant, RaisedAlert } from './support/protocol.js';
import { RemoteServices } from './support/remote.js';
import { fmt, machineDescription, markdownTable, percentile, runBenchmark, updateBenchmarksFile } from './support/report.js';

const TENANTS = 100;
const CHANNELS = 20;
const ALERTS_PER_TENANT = 20;
const TOTAL = TENANTS * ALERTS_PER_TENANT;
const POLL_INTERVAL = '2s';
/** SOC Bridge's default share of Teams' per-app limit. */
const GLOBAL_RATE = 24;
const SETTLE_MS = 3000;
const SCENARIO_TIMEOUT_MS = 240_000;
const DEADLINE_MS = 560_000;
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(PROJECT_ROOT, 'dist-bench', 'src', 'main.js');

interface Result {
  readonly instances: number;
  readonly firstVisibleS: number;
  readonly visibleP50S: number;
  readonly allVisibleS: number;
  readonly posts: number;
  readonly throttled: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly misrouted: number;
  readonly runningDelivery: number;
}

/** A database of its own for a scenario, on the benchmark's server. */
async function createDatabase(server: BenchPostgres, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The tenants, channels and links, made once through an app on the database (stopped before the instances start). */
async function seed(env: Record<string, string>, tenants: readonly BenchTenant[], connector: BotConnectorEmulator): Promise<Map<string, string>> {
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-seed-'));
  const app = await startApp(parseConfig({ ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', POLL_INTERVAL: '0', DATA_DIR: dataDir }), { logger: silentLogger });
  const channelOf = new Map<string, string>();
  try {
    const actor = { userId: 'bench-admin', displayName: 'Bench Admin', role: 'admin' as const, bootstrap: true };
    const conversations = [];
    for (let c = 0; c < CHANNELS; c++) {
      const id = `19:instances-${c}@thread.tacv2`;
      conversations.push((await app.services.conversations.recordInstall({ id, kind: 'channel', serviceUrl: connector.serviceUrl, channelId: 'msteams', botId: '28:soc-bridge-bot', botName: 'SOC Bridge', teamName: 'SOC', channelName: `instances-${c}` })).record);
    }
    for (const [i, t] of tenants.entries()) {
      const tenant = await app.services.tenants.add({ handle: t.handle, displayName: t.orgName, tenantId: t.tenantId, domain: t.domain, status: 'connected', writeAccess: true });
      const conversation = conversations[i % CHANNELS]!;
      await app.services.links.link(conversation, tenant, actor);
      channelOf.set(t.tenantId, conversation.id);
    }
  } finally {
    await app.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return channelOf;
}

async function runScenario(count: number, remote: RemoteServices, server: BenchPostgres, endpoints: { authorityHost: string; graphBaseUrl: string }, tenants: readonly BenchTenant[], tag: string): Promise<Result> {
  const connector = await BotConnectorEmulator.start({ limits: TEAMS_PUBLISHED_LIMITS });
  const instances: InstanceProcess[] = [];
  try {
    const env = {
      DATABASE_URL: await createDatabase(server, `bench_instances_${count}_${Date.now()}`),
      DATABASE_SSL: 'disable',
      DEFENDER_CLIENT_ID: BENCH_APP.clientId,
      DEFENDER_CLIENT_SECRET: BENCH_APP.secret,
      CONSENT_STATE_SECRET: 'bench-consent-state-secret-0123456789abcdef',
      ENTRA_AUTHORITY_HOST: endpoints.authorityHost,
      GRAPH_BASE_URL: endpoints.graphBaseUrl,
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      POLL_INTERVAL,
      POLL_OVERLAP: '30s',
      STORM_THRESHOLD: '0',
      TEAMS_GLOBAL_RATE: String(GLOBAL_RATE),
    };
    const channelOf = await seed(env, tenants, connector);
    for (let n = 0; n < count; n++) instances.push(new InstanceProcess(`instance-${n + 1}`, MAIN, env));
    await Promise.all(instances.map((instance) => instance.start()));
    // Two full poll rounds: what is raised next is news, not backlog.
    const before = (await remote.stats()).graphRequests;
    while ((await remote.stats()).graphRequests < before + 2 * TENANTS) await new Promise((resolve) => setTimeout(resolve, 250));
    const raised: readonly RaisedAlert[] = await remote.raise(tenants.map((t) => ({ tenantId: t.tenantId, count: ALERTS_PER_TENANT, severity: 'high', tag })));
    const t0 = Math.min(...raised.map((r) => r.atMs));
    const expected = new Set(raised.map((r) => r.alertId));
    const channels = [...new Set(channelOf.values())];
    const visibleCount = () => [...visibility(connector, channels).seen.keys()].filter((id) => expected.has(id)).length;
    const deadline = Date.now() + SCENARIO_TIMEOUT_MS;
    while (visibleCount() < TOTAL && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const view = visibility(connector, channels);
    const mine = [...view.seen.entries()].filter(([id]) => expected.has(id));
    const channelOfAlert = new Map(raised.map((r) => [r.alertId, channelOf.get(r.tenantId)]));
    const firstAt = Math.min(...mine.map(([, v]) => v.firstAtMs));
    const allAt = Math.max(...mine.map(([, v]) => v.firstAtMs));
    return {
      instances: count,
      firstVisibleS: (firstAt - t0) / 1000,
      visibleP50S: (percentile(mine.map(([, v]) => v.firstAtMs), 50) - t0) / 1000,
      allVisibleS: (allAt - t0) / 1000,
      posts: view.posts,
      throttled: connector.limits?.throttled ?? 0,
      lost: TOTAL - mine.length,
      duplicated: mine.reduce((sum, [, v]) => sum + v.copies - 1, 0),
      misrouted: mine.filter(([id, v]) => channelOfAlert.get(id) !== v.conversationId).length,
      runningDelivery: instances.filter((i) => i.log.includes('"event":"lease.gained"')).length,
    };
  } finally {
    await Promise.all(instances.map((instance) => instance.dispose()));
    await connector.close();
  }
}

const loadText = (load: number[]) => load.map((l) => l.toFixed(2)).join(' / ');

function report(results: readonly Result[], minimum: { teams: number; own: number }, load: { before: number[]; after: number[] }): string {
  const rows = results.map((r) => [
    String(r.instances),
    fmt(r.firstVisibleS, 1),
    fmt(r.visibleP50S, 1),
    fmt(r.allVisibleS, 1),
    `${fmt(r.allVisibleS / (minimum.own / 1000), 2)}×`,
    `${fmt(r.allVisibleS / (minimum.teams / 1000), 2)}×`,
    String(r.posts),
    String(r.throttled),
    String(r.lost),
    String(r.duplicated),
    String(r.misrouted),
  ]);
  const [one, three] = [results.find((r) => r.instances === 1), results.find((r) => r.instances === 3)];
  return [
    `## Instances: the burst of ${TOTAL.toLocaleString('en-US')} alerts on one and on three instances`,
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}. Load average (1 / 5 / 15 min) ${loadText(load.before)} at the start and ${loadText(load.after)} at the end: other work shared the two cores, so the figures are slower than on an idle machine.`,
    '',
    markdownTable(['instances', 'first visible s', 'p50 visible s', 'all visible s', '÷ minimum at 24/s', "÷ Teams' minimum", 'posts', '429s', 'lost', 'duplicated', 'wrong channel'], rows),
    '',
    `- **Against the limits:** ${TOTAL.toLocaleString('en-US')} cards into ${CHANNELS} channels take at least ${fmt(minimum.own / 1000, 1)} s at the ${GLOBAL_RATE}/s SOC Bridge allows itself by default, and ${fmt(minimum.teams / 1000, 1)} s under Teams' published limits. On three instances the last card came ${three ? fmt(three.allVisibleS / (minimum.own / 1000), 2) : '–'}× the ${GLOBAL_RATE}/s minimum after the burst (goal ≤ 1.1), on one ${one ? fmt(one.allVisibleS / (minimum.own / 1000), 2) : '–'}×: the instance holding the delivery lease does all of it, so the rate is the same whatever the count; the rest is the poll (every ${POLL_INTERVAL}), the margin added to every per-channel window and HTTP time.`,
    `- **One instance runs delivery:** ${three ? three.runningDelivery : '–'} of the three took the delivery lease during the run. 429s are the Bot Connector emulator's refusals (Teams' limits shared by all instances).`,
    `- **How it is measured:** ${TENANTS} tenants, tenant i linked to channel i mod ${CHANNELS}, the default rule, storm mode off (one card per alert). Each scenario has a database of its own on one PostgreSQL server (fsync on) and starts its instances as processes (\`node dist-bench/src/main.js\`), waits for two poll rounds, then raises ${ALERTS_PER_TENANT} high-severity alerts in every tenant at once; times run from the first alert stored in the Graph emulator to the post that showed it.`,
    '- **Reproduce:** `npm run bench -- instances`.',
  ].join('\n');
}

async function main(): Promise<void> {
  const certPath = process.env.SOC_BRIDGE_BENCH_TLS_CERT;
  const keyPath = process.env.SOC_BRIDGE_BENCH_TLS_KEY;
  if (!certPath || !keyPath || !process.env.NODE_EXTRA_CA_CERTS) throw new Error('run benchmarks with `npm run bench`: it prepares the loopback certificate and NODE_EXTRA_CA_CERTS');
  const remote = RemoteServices.start();
  const server = await startBenchPostgres(PROJECT_ROOT);
  try {
    const tenants = benchTenants(TENANTS, 0, 'inst');
    const endpoints = await remote.setup({ app: BENCH_APP, tenants, now: new Date().toISOString(), throttle: { limit: 150, periodMs: 60_000 }, tlsCertPath: certPath, tlsKeyPath: keyPath }, 60_000);
    const perChannel = new Array<number>(CHANNELS).fill(TOTAL / CHANNELS);
    const minimum = {
      teams: minimumDrainMs(perChannel, TEAMS_CONVERSATION_WINDOWS, TEAMS_PUBLISHED_LIMITS.global),
      own: minimumDrainMs(perChannel, TEAMS_CONVERSATION_WINDOWS, [{ limit: GLOBAL_RATE, periodMs: 1000 }]),
    };
    const results: Result[] = [];
    const before = loadavg();
    for (const count of [1, 3]) {
      console.log(`${count} instance${count === 1 ? '' : 's'}…`);
      results.push(await runScenario(count, remote, server, endpoints, tenants, `i${count}`));
    }
    const text = report(results, minimum, { before, after: loadavg() });
    console.log(`\n${text}\n`);
    console.log(`Updated ${updateBenchmarksFile(PROJECT_ROOT, 'instances', text)}`);
  } finally {
    await remote.stop();
    await server.stop();
  }
}

runBenchmark('instances', main, DEADLINE_MS);
