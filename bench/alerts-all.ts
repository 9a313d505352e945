/**
 * `alerts all` across 50 customer tenants holding 2,000 alerts each, end to end: a Teams message
 * activity POSTed to the bot's /api/messages until the reply card reached the Bot Connector.
 * The bot runs in connected mode (real @azure/identity, real Graph client) against the Entra and
 * Graph emulators, which live in a child process as Microsoft's cloud would. Prints figures and
 * ratios and records them in BENCHMARKS.md; it asserts nothing about time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { APP, benchTenants, measureAll, startBot, tableOf, type BenchBot, type Measured } from './support/chat-bench.js';
import { RemoteServices } from './support/remote.js';
import { fmt, machineDescription, percentile, updateBenchmarksFile, runBenchmark } from './support/report.js';

const TENANTS = 50;
const ALERTS_PER_TENANT = 2_000;
/** Untimed rounds after the cold run: the JIT and both processes' heaps settle over the first dozen. */
const WARMUP_ROUNDS = 5;
/** Timed rounds; a round sends every scenario once, so all see the same process state. */
const ROUNDS = 25;
/** Graph's real limit: 150 requests per minute per app per tenant. */
const GRAPH_THROTTLE = { limit: 150, periodMs: 60_000 };
const SETUP_TIMEOUT_MS = 90_000;
/** The whole run is abandoned after this, whatever hangs. */
const DEADLINE_MS = 240_000;

const SCENARIOS = ['alerts all', 'alerts all severity:high top:50', 'alerts all since:24h'] as const;
const BASELINE = 'alerts contoso';

/** This file runs as dist-bench/bench/alerts-all.js, two folders below the project root. */
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Problems seen while measuring: any of them makes the figures suspect, so they are printed and fail the run. */
const problems: string[] = [];

/** Graph requests each tenant will receive, so the run can be checked against the throttle before it starts. */
function plannedRequestsPerTenant(): { everyTenant: number; contoso: number } {
  const rounds = WARMUP_ROUNDS + ROUNDS;
  // The cold run, then every round: each `alerts all` scenario asks every tenant once, the baseline asks Contoso once more.
  const everyTenant = 1 + rounds * SCENARIOS.length;
  return { everyTenant, contoso: everyTenant + rounds };
}

function report({ rows, cold, second }: Measured, setupMs: number): string {
  const allWarm = rows.find((r) => r.label === `${SCENARIOS[0]} (warm)`)?.samples ?? [];
  const single = rows.find((r) => r.label.startsWith(BASELINE))?.samples ?? [];
  const ratio = percentile(allWarm.map((s) => s.latencyMs), 50) / percentile(single.map((s) => s.latencyMs), 50);
  const planned = plannedRequestsPerTenant();
  const laterEntra = rows.slice(1).flatMap((r) => r.samples).reduce((sum, s) => sum + s.tokenRequests + s.discoveryRequests, 0);
  return [
    `## \`alerts all\` over ${TENANTS} tenants × ${ALERTS_PER_TENANT.toLocaleString('en-US')} alerts`,
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}.`,
    '',
    tableOf(rows, 'alerts shown'),
    '',
    `- **Ratio:** \`alerts all\` over ${TENANTS} tenants, warm p50 ÷ \`${BASELINE}\` (one tenant) warm p50 = **${fmt(ratio, 2)}×**.`,
    `- **Cold run:** ${fmt(cold.latencyMs, 1)} ms with ${cold.tokenRequests} token and ${cold.discoveryRequests} OpenID discovery requests to Entra (together "Entra req/run") and ${cold.graphRequests} Graph requests. The \`alerts all\` after it (untimed) took ${fmt(second.latencyMs, 1)} ms and still sent ${second.tokenRequests} token requests; the timed runs below sent ${laterEntra} Entra requests in all.`,
    `- **Graph throttle:** the emulator enforced ${GRAPH_THROTTLE.limit} requests/min per tenant; the run sends at most ${planned.contoso} requests to any tenant (${planned.everyTenant} to the others), so it stays inside the limit by construction, and no 429 was seen.`,
    `- **How it is measured:** a Teams message activity is POSTed to \`/api/messages\` (bot in connected mode behind restify on 127.0.0.1, real @azure/identity and Graph client over HTTPS); the time runs until the bot's HTTP answer, which comes only after the Bot Connector emulator acknowledged the reply card (checked on every run). One \`help\` message warms the Teams path first, so the cold run is the first \`alerts all\` of the process: no tokens yet, no Graph connections. Then ${WARMUP_ROUNDS} untimed and ${ROUNDS} timed rounds each send the four commands in turn, so every scenario sees the same process state. "bot CPU" is \`process.cpuUsage()\` of the process holding the bot (and the Bot Connector emulator); the Entra and Graph emulators run in a child process, whose CPU is "emulator CPU". Seeding ${(TENANTS * ALERTS_PER_TENANT).toLocaleString('en-US')} alerts took ${fmt(setupMs / 1000, 1)} s (not measured above).`,
    '- **Reproduce:** `npm run bench -- alerts-all`.',
  ].join('\n');
}

async function main(): Promise<void> {
  const planned = plannedRequestsPerTenant();
  if (planned.contoso > GRAPH_THROTTLE.limit) {
    throw new Error(`the plan sends ${planned.contoso} Graph requests to one tenant, over the ${GRAPH_THROTTLE.limit}/min throttle; lower ROUNDS or WARMUP_ROUNDS`);
  }
  const certPath = process.env.SOC_BRIDGE_BENCH_TLS_CERT;
  const keyPath = process.env.SOC_BRIDGE_BENCH_TLS_KEY;
  if (!certPath || !keyPath || !process.env.NODE_EXTRA_CA_CERTS) throw new Error('run benchmarks with `npm run bench`: it prepares the loopback certificate and NODE_EXTRA_CA_CERTS');

  const tenants = benchTenants(TENANTS, ALERTS_PER_TENANT);
  const remote = RemoteServices.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-'));
  let bot: BenchBot | undefined;
  try {
    console.log(`Seeding ${TENANTS} tenants × ${ALERTS_PER_TENANT} alerts in the Graph emulator…`);
    const setupStarted = performance.now();
    const endpoints = await remote.setup({ app: APP, tenants, now: new Date().toISOString(), throttle: GRAPH_THROTTLE, tlsCertPath: certPath, tlsKeyPath: keyPath }, SETUP_TIMEOUT_MS);
    const setupMs = performance.now() - setupStarted;
    bot = await startBot(remote, endpoints, tenants, dataDir, 'alert', problems);
    console.log(`Measuring (cold run, ${WARMUP_ROUNDS} untimed rounds, ${ROUNDS} timed rounds of ${SCENARIOS.length + 1} messages)…\n`);
    const text = report(await measureAll(bot, { scenarios: SCENARIOS, baseline: BASELINE, warmupRounds: WARMUP_ROUNDS, rounds: ROUNDS }), setupMs);
    console.log(`${text}\n`);
    if (problems.length > 0) throw new Error(`the run met problems, so BENCHMARKS.md was not updated:\n  ${problems.join('\n  ')}`);
    console.log(`Updated ${updateBenchmarksFile(PROJECT_ROOT, 'alerts-all', text)}`);
  } finally {
    await bot?.app.stop();
    await bot?.connector.close();
    await remote.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchmark('alerts-all', main, DEADLINE_MS);
