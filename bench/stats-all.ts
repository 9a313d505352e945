/**
 * `stats all` across 50 customer tenants holding 2,000 alerts each (spread over 14 days), end to
 * end: a Teams message activity POSTed to the bot's /api/messages until the reply card (charts,
 * MTTA/MTTR, a row per customer) reached the Bot Connector. Bot in connected mode (real
 * @azure/identity, real Graph client) against the Entra and Graph emulators in a child process,
 * which enforces Graph's 150 requests a minute per tenant. Prints figures and ratios and records
 * them in BENCHMARKS.md; it asserts nothing about time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { startApp, type RunningApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { BotConnectorEmulator, type ConnectorCall } from '../src/emulator/bot-connector.js';
import { silentLogger } from '../src/log.js';
import { DEFAULT_ACTION_DEADLINE_MS } from '../src/teams/card-actions.js';
import type { BenchTenant } from './support/protocol.js';
import { RemoteServices } from './support/remote.js';
import { fmt, machineDescription, markdownTable, mean, percentile, runBenchmark, updateBenchmarksFile } from './support/report.js';

const TENANTS = 50;
const ALERTS_PER_TENANT = 2_000;
const WARMUP_ROUNDS = 1;
const ROUNDS = 5;
const GRAPH_THROTTLE = { limit: 150, periodMs: 60_000 };
/** Requests of each tenant's budget `stats` leaves to polling and analysts (src/stats/stats-service.ts). */
const STATS_RESERVE = 20;
/** The emulator's largest page: more than one page per tenant for 7 and 30 days. */
const EMULATOR_MAX_PAGE = 500;
const REQUEST_TIMEOUT_MS = 120_000;
const SETUP_TIMEOUT_MS = 90_000;
const DEADLINE_MS = 540_000;
/** How long a command may take before its interim answer goes out (the bot's default). */
const DEADLINE_LABEL = `${DEFAULT_ACTION_DEADLINE_MS / 1000} s`;

const SCENARIOS = ['stats all since:24h', 'stats all', 'stats all since:30d'] as const;
const BASELINE = 'stats contoso since:30d';

const APP = { clientId: '5e7d3c1b-9a2f-4e6d-8b1c-0a9f8e7d6c5b', secret: 'bench-secret-value-not-a-real-one' } as const;
const USER = { id: '29:bench-lead', name: 'Bench Lead', aadObjectId: '0000000c-aaaa-4bbb-8ccc-00000000000c', email: 'lead@mssp.example' } as const;
const BOT = { id: '28:soc-bridge-bot', name: 'SOC Bridge' } as const;
const TEAMS_TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Sample {
  /** Until the bot's HTTP answer: the interim message (or the card itself) is in the chat. */
  readonly answerMs: number;
  /** Until the statistics card is in the chat (posted, or the interim message edited into it). */
  readonly latencyMs: number;
  /** The interim message went first. */
  readonly interim: boolean;
  readonly graphRequests: number;
  readonly botCpuMs: number;
  readonly remoteCpuMs: number;
  readonly cardKb: number;
}

const problems: string[] = [];

function benchTenants(): BenchTenant[] {
  return Array.from({ length: TENANTS }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const handle = i === 0 ? 'contoso' : `customer${n}`;
    return { tenantId: `b0000000-0000-4000-8000-0000000000${n}`, domain: `${handle}.onmicrosoft.com`, orgName: i === 0 ? 'Contoso Ltd' : `Customer ${n} Ltd`, handle, alerts: ALERTS_PER_TENANT };
  });
}

/** Graph pages one `stats` of each scenario reads per tenant at most (alerts of 14 days spread evenly, plus slack). */
const PAGES: Readonly<Record<string, number>> = { 'stats all since:24h': 1, 'stats all': 3, 'stats all since:30d': 4, [BASELINE]: 4 };

/** Graph requests the busiest tenant (Contoso, also the baseline's) receives over the whole run. */
function plannedRequestsForContoso(): number {
  const runs = 1 + WARMUP_ROUNDS + ROUNDS;
  return SCENARIOS.reduce((sum, s) => sum + runs * (PAGES[s] ?? 0), 0) + (WARMUP_ROUNDS + ROUNDS) * (PAGES[BASELINE] ?? 0);
}

class BenchBot {
  private sequence = 0;
  constructor(readonly app: RunningApp, readonly connector: BotConnectorEmulator, private readonly remote: RemoteServices) {}

  async measure(text: string): Promise<Sample> {
    const before = await this.remote.stats();
    const callsBefore = this.connector.calls.length;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const response = await fetch(`${this.app.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.activity(text)), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    await response.arrayBuffer();
    const answerMs = performance.now() - started;
    const isResult = (c: ConnectorCall) => (c.method === 'POST' || c.method === 'PUT') && c.path.includes('/activities') && String(c.body?.summary ?? '').startsWith('Alert statistics');
    await this.connector.waitFor((calls) => calls.slice(callsBefore).some(isResult), REQUEST_TIMEOUT_MS).catch(() => undefined);
    const latencyMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    const after = await this.remote.stats();
    const calls = this.connector.calls.slice(callsBefore);
    const interim = calls.some((c) => c.method === 'POST' && String(c.body?.summary ?? '').startsWith('Counting'));
    const reply = calls.find(isResult) ?? calls.find((c: ConnectorCall) => c.method === 'POST' && c.path.includes('/activities') && c.body?.type === 'message');
    const summary = typeof reply?.body?.summary === 'string' ? reply.body.summary : '';
    const note = (problem: string) => problems.length < 20 && problems.push(`${text}: ${problem}`);
    if (response.status !== 200) note(`HTTP ${response.status}`);
    if (!summary.startsWith('Alert statistics') || summary.includes('not counted')) note(`unexpected reply "${summary || JSON.stringify(reply?.body ?? {}).slice(0, 160)}"`);
    if (after.graphThrottled > before.graphThrottled) note(`${after.graphThrottled - before.graphThrottled} request(s) throttled by Graph (429)`);
    const card = (reply?.body?.attachments as { content?: unknown }[] | undefined)?.[0]?.content;
    return {
      answerMs,
      latencyMs,
      interim,
      graphRequests: after.graphRequests - before.graphRequests,
      botCpuMs: (cpu.user + cpu.system) / 1000,
      remoteCpuMs: (after.cpuMicros - before.cpuMicros) / 1000,
      cardKb: (JSON.stringify(card ?? {}).length * 2) / 1024,
    };
  }

  private activity(text: string): Record<string, unknown> {
    return {
      type: 'message', id: `bench-activity-${++this.sequence}`, channelId: 'msteams', serviceUrl: this.connector.serviceUrl, timestamp: new Date().toISOString(),
      from: { id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId }, recipient: BOT,
      conversation: { id: 'a:bench-personal-chat', conversationType: 'personal', tenantId: TEAMS_TENANT_ID }, channelData: { tenant: { id: TEAMS_TENANT_ID } },
      text, textFormat: 'plain', entities: [],
    };
  }
}

async function startBot(remote: RemoteServices, endpoints: { authorityHost: string; graphBaseUrl: string }, tenants: readonly BenchTenant[], dataDir: string): Promise<BenchBot> {
  const connector = await BotConnectorEmulator.start();
  connector.addMember({ id: USER.id, name: USER.name, aadObjectId: USER.aadObjectId, email: USER.email, userPrincipalName: USER.email });
  const config = parseConfig({
    PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', SOC_ADMIN_IDS: USER.aadObjectId,
    DEFENDER_CLIENT_ID: APP.clientId, DEFENDER_CLIENT_SECRET: APP.secret, CONSENT_STATE_SECRET: 'bench-consent-state-secret-not-a-real-one-0123456789',
    ENTRA_AUTHORITY_HOST: endpoints.authorityHost, GRAPH_BASE_URL: endpoints.graphBaseUrl,
  });
  const app = await startApp(config, { logger: silentLogger });
  for (const tenant of tenants) {
    await app.services.tenants.add({ handle: tenant.handle, displayName: tenant.orgName, tenantId: tenant.tenantId, domain: tenant.domain, status: 'connected', writeAccess: false });
  }
  return new BenchBot(app, connector, remote);
}

interface Row {
  readonly label: string;
  readonly samples: readonly Sample[];
}

function report(rows: readonly Row[], cold: Sample, setupMs: number): string {
  const slowestAnswer = Math.max(...rows.flatMap((r) => r.samples.map((s) => s.answerMs)));
  const p50 = (label: string) => percentile(rows.find((r) => r.label === label)?.samples.map((s) => s.latencyMs) ?? [], 50);
  const table = markdownTable(
    ['scenario', 'runs', 'first answer p50 ms', 'first answer max ms', 'interim sent', 'result p50 ms', 'result p95 ms', 'result max ms', 'Graph req/run', 'bot CPU ms/run', 'emulator CPU ms/run', 'card KB'],
    rows.map(({ label, samples }) => {
      const latency = samples.map((s) => s.latencyMs);
      const answers = samples.map((s) => s.answerMs);
      const single = samples.length === 1;
      return [
        label, String(samples.length), fmt(percentile(answers, 50), 1), fmt(Math.max(...answers), 1), `${samples.filter((s) => s.interim).length} of ${samples.length}`, fmt(percentile(latency, 50), 1), single ? '–' : fmt(percentile(latency, 95), 1), single ? '–' : fmt(Math.max(...latency), 1),
        fmt(mean(samples.map((s) => s.graphRequests)), 1), fmt(mean(samples.map((s) => s.botCpuMs)), 1), fmt(mean(samples.map((s) => s.remoteCpuMs)), 1), fmt(Math.max(...samples.map((s) => s.cardKb)), 1),
      ];
    }),
  );
  return [
    `## \`stats all\` over ${TENANTS} tenants × ${ALERTS_PER_TENANT.toLocaleString('en-US')} alerts`,
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}.`,
    '',
    table,
    '',
    `- **What the user waits for:** the first answer. A count that is not ready within ${DEADLINE_LABEL} posts the interim card "Counting alerts across ${TENANTS} customers…" at once and the turn ends (Teams waits about 15 s for a turn); the same message is edited into the statistics card when every customer has answered ("result"). Slowest first answer of the run: ${fmt(slowestAnswer, 1)} ms.`,
    `- **Ratio:** \`stats all since:30d\` over ${TENANTS} tenants, warm result p50 ÷ \`${BASELINE}\` (one tenant) warm result p50 = **${fmt(p50('stats all since:30d') / p50(`${BASELINE} (1 tenant)`), 2)}×**.`,
    `- **Cold run:** \`stats all\` as the first command of the process (no tokens, no Graph connections): first answer ${fmt(cold.answerMs, 1)} ms, result ${fmt(cold.latencyMs, 1)} ms, ${cold.graphRequests} Graph requests.`,
    `- **Graph budget:** each tenant is read in pages of up to ${EMULATOR_MAX_PAGE} alerts (the emulator's largest page), every request through the tenant's own limiter; \`stats\` leaves ${STATS_RESERVE} of a tenant's ${GRAPH_THROTTLE.limit} requests a minute to polling and analysts and reports a tenant whose budget is lower as busy instead of waiting. The plan sends at most ${plannedRequestsForContoso()} requests to one tenant over the whole run (more only where the client retried a slow answer), so even all of them within one minute would stay inside the emulator's ${GRAPH_THROTTLE.limit}/min throttle; no 429 was seen and no tenant was left out. Requests above the pages the alerts fill (4 per tenant for 30 days) are most likely such retries of answers slower than the client's 15 s timeout: the emulator answers 50 tenants at once from one process.`,
    `- **Card size:** "card KB" is the largest reply card of the scenario in UTF-16 (Teams' count); the per-customer table keeps the 25 busiest customers and says how many more there are, so the card stays far under the 100 KB message limit.`,
    `- **How it is measured:** as the \`alerts all\` benchmark: a Teams message POSTed to \`/api/messages\`, timed until the bot's HTTP answer, which comes after the Bot Connector emulator acknowledged the first reply (the first answer), and until the statistics card reached the Bot Connector emulator, posted or as the edit of the interim message (the result). Alerts are spread over the last 14 days, so 24 h holds about ${Math.round(ALERTS_PER_TENANT / 14)} per tenant, 7 days about ${ALERTS_PER_TENANT / 2}, 30 days all ${ALERTS_PER_TENANT.toLocaleString('en-US')}. ${WARMUP_ROUNDS} untimed and ${ROUNDS} timed rounds send every scenario in turn. Seeding took ${fmt(setupMs / 1000, 1)} s (not measured above).`,
    '- **Reproduce:** `npm run bench -- stats-all`.',
  ].join('\n');
}

async function main(): Promise<void> {
  const planned = plannedRequestsForContoso();
  if (planned > GRAPH_THROTTLE.limit - STATS_RESERVE) throw new Error(`the plan sends ${planned} Graph requests to one tenant; lower ROUNDS`);
  const certPath = process.env.SOC_BRIDGE_BENCH_TLS_CERT;
  const keyPath = process.env.SOC_BRIDGE_BENCH_TLS_KEY;
  if (!certPath || !keyPath || !process.env.NODE_EXTRA_CA_CERTS) throw new Error('run benchmarks with `npm run bench`: it prepares the loopback certificate and NODE_EXTRA_CA_CERTS');
  const tenants = benchTenants();
  const remote = RemoteServices.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-'));
  let bot: BenchBot | undefined;
  try {
    console.log(`Seeding ${TENANTS} tenants × ${ALERTS_PER_TENANT} alerts in the Graph emulator…`);
    const setupStarted = performance.now();
    const endpoints = await remote.setup({ app: APP, tenants, now: new Date().toISOString(), throttle: GRAPH_THROTTLE, tlsCertPath: certPath, tlsKeyPath: keyPath }, SETUP_TIMEOUT_MS);
    const setupMs = performance.now() - setupStarted;
    bot = await startBot(remote, endpoints, tenants, dataDir);
    await bot.measure('help').catch(() => undefined);
    problems.length = 0;
    const cold = await bot.measure('stats all');
    const texts = [...SCENARIOS, BASELINE];
    const samples = new Map<string, Sample[]>(texts.map((t) => [t, []]));
    for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
      for (const text of texts) {
        const sample = await bot.measure(text);
        if (round >= WARMUP_ROUNDS) samples.get(text)?.push(sample);
      }
    }
    const rows: Row[] = [{ label: 'stats all (cold)', samples: [cold] }, ...SCENARIOS.map((s) => ({ label: s, samples: samples.get(s) ?? [] })), { label: `${BASELINE} (1 tenant)`, samples: samples.get(BASELINE) ?? [] }];
    const text = report(rows, cold, setupMs);
    console.log(`${text}\n`);
    if (problems.length > 0) throw new Error(`the run met problems, so BENCHMARKS.md was not updated:\n  ${problems.join('\n  ')}`);
    console.log(`Updated ${updateBenchmarksFile(PROJECT_ROOT, 'stats-all', text)}`);
  } finally {
    await bot?.app.stop();
    await bot?.connector.close();
    await remote.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchmark('stats-all', main, DEADLINE_MS);
