/**
 * A burst of 2,000 new alerts over 20 channels, end to end: the poller finds them in the Graph
 * emulator (child process, HTTPS), the default rule routes each tenant's alerts to its linked
 * channel, and cards go through botbuilder to a Bot Connector emulator that enforces Teams'
 * published limits and answers 429 when they are broken. Measured twice: one card per alert
 * (storm mode off), and with storm mode (digests). Prints figures; asserts nothing about time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEAMS_CONVERSATION_WINDOWS, cardReserve } from '../src/delivery/pacing.js';
import { TEAMS_PUBLISHED_LIMITS } from '../src/emulator/teams-limits.js';
import { BENCH_APP, benchTenants, minimumDrainMs, startDeliveryBot, runningDelivery, untilPolledOnce, visibility, type DeliveryBot } from './support/delivery-kit.js';
import type { RaisedAlert } from './support/protocol.js';
import { RemoteServices } from './support/remote.js';
import { fmt, machineDescription, markdownTable, percentile, updateBenchmarksFile, runBenchmark } from './support/report.js';

/** The per-channel windows as alert cards use them: a tenth of each is left to replies. */
const CARD_WINDOWS = TEAMS_CONVERSATION_WINDOWS.map((w, i) => ({ ...w, limit: w.limit - (cardReserve(TEAMS_CONVERSATION_WINDOWS)[i] ?? 0) }));
const CHANNELS = 20;
const ALERTS_PER_CHANNEL = 100;
const TOTAL = CHANNELS * ALERTS_PER_CHANNEL;
const POLL_INTERVAL = '1s';
const GLOBAL_RATE = 40;
/** After the last alert is visible, this long more to catch late duplicates. */
const SETTLE_MS = 3000;
const SCENARIO_TIMEOUT_MS = 120_000;
const DEADLINE_MS = 170_000;
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Scenario {
  readonly label: string;
  readonly stormThreshold: string;
  readonly tag: string;
}

const SCENARIOS: readonly Scenario[] = [
  { label: 'one card per alert (storm mode off)', stormThreshold: '0', tag: 'card' },
  { label: 'storm mode (threshold 10 s)', stormThreshold: '10s', tag: 'storm' },
];

interface Result {
  readonly scenario: Scenario;
  readonly firstVisibleS: number;
  readonly allVisibleS: number;
  readonly lastPostS: number;
  readonly visibleP50S: number;
  readonly posts: number;
  readonly digests: number;
  readonly throttled: number;
  readonly throttledGlobal: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly misrouted: number;
  readonly botCpuMs: number;
  readonly storeWrites: number;
}

async function runScenario(remote: RemoteServices, endpoints: { authorityHost: string; graphBaseUrl: string }, scenario: Scenario): Promise<Result> {
  const dataDir = mkdtempSync(join(tmpdir(), `soc-bridge-bench-burst-${scenario.tag}-`));
  const tenants = benchTenants(CHANNELS, 5, 'burst');
  let bot: DeliveryBot | undefined;
  try {
    bot = await startDeliveryBot({
      endpoints,
      tenants,
      channels: CHANNELS,
      dataDir,
      env: { POLL_INTERVAL, POLL_OVERLAP: '10s', STORM_THRESHOLD: scenario.stormThreshold, TEAMS_GLOBAL_RATE: String(GLOBAL_RATE) },
    });
    await untilPolledOnce(bot, tenants, 30_000);
    const channels = [...new Set(bot.channelOf.values())];
    const throttledBefore = bot.connector.limits?.throttled ?? 0;
    const globalBefore = bot.connector.limits?.throttledBy.global ?? 0;
    const writesBefore = runningDelivery(bot).stats().storeWrites;
    const cpuBefore = process.cpuUsage();
    const raised: readonly RaisedAlert[] = await remote.raise(tenants.map((t) => ({ tenantId: t.tenantId, count: ALERTS_PER_CHANNEL, severity: 'high', tag: scenario.tag })));
    const t0 = Math.min(...raised.map((r) => r.atMs));
    const deadline = Date.now() + SCENARIO_TIMEOUT_MS;
    const expected = new Set(raised.map((r) => r.alertId));
    const visibleCount = () => [...visibility(bot!.connector, channels).seen.keys()].filter((id) => expected.has(id)).length;
    while (visibleCount() < TOTAL && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const cpu = process.cpuUsage(cpuBefore);
    const view = visibility(bot.connector, channels);
    const mine = [...view.seen.entries()].filter(([id]) => expected.has(id));
    const firstAt = Math.min(...mine.map(([, v]) => v.firstAtMs));
    const allAt = Math.max(...mine.map(([, v]) => v.firstAtMs));
    const channelOfAlert = new Map(raised.map((r) => [r.alertId, bot!.channelOf.get(r.tenantId)]));
    return {
      scenario,
      firstVisibleS: (firstAt - t0) / 1000,
      allVisibleS: (allAt - t0) / 1000,
      lastPostS: (view.lastPostAtMs - t0) / 1000,
      visibleP50S: (percentile(mine.map(([, v]) => v.firstAtMs), 50) - t0) / 1000,
      posts: view.posts,
      digests: view.digests,
      throttled: (bot.connector.limits?.throttled ?? 0) - throttledBefore,
      throttledGlobal: (bot.connector.limits?.throttledBy.global ?? 0) - globalBefore,
      lost: TOTAL - mine.length,
      duplicated: mine.reduce((sum, [, v]) => sum + v.copies - 1, 0),
      misrouted: mine.filter(([id, v]) => channelOfAlert.get(id) !== v.conversationId).length,
      botCpuMs: (cpu.user + cpu.system) / 1000,
      storeWrites: runningDelivery(bot).stats().storeWrites - writesBefore,
    };
  } finally {
    await bot?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(results: readonly Result[], minimum: { teams: number; own: number }): string {
  const rows = results.map((r) => [
    r.scenario.label,
    fmt(r.firstVisibleS, 1),
    fmt(r.visibleP50S, 1),
    fmt(r.allVisibleS, 1),
    String(r.posts),
    String(r.digests),
    `${r.throttled} (${r.throttledGlobal} global)`,
    String(r.lost),
    String(r.duplicated),
    String(r.misrouted),
    fmt(r.botCpuMs / 1000, 1),
    String(r.storeWrites),
  ]);
  const cards = results.find((r) => r.scenario.tag === 'card');
  const storm = results.find((r) => r.scenario.tag === 'storm');
  return [
    `## Delivery: a burst of ${TOTAL.toLocaleString('en-US')} alerts over ${CHANNELS} channels`,
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}.`,
    '',
    markdownTable(['scenario', 'first visible s', 'p50 visible s', 'all visible s', 'posts', 'digests', '429s', 'lost', 'duplicated', 'wrong channel', 'bot CPU s', 'store writes'], rows),
    '',
    `- **Against the limits:** ${ALERTS_PER_CHANNEL} cards into each of ${CHANNELS} channels take at least **${fmt(minimum.teams / 1000, 1)} s** under Teams' published limits (7/1 s, 8/2 s, 60/30 s, 1,800/h per channel; 50/s per app), and ${fmt(minimum.own / 1000, 1)} s under the ${GLOBAL_RATE}/s SOC Bridge allows itself (cards leave a tenth of every per-channel window, and 6 a second of the app's budget, to command replies and card actions). One card per alert took ${cards ? fmt(cards.allVisibleS, 1) : '–'} s from the burst to the last card: ${cards ? fmt(cards.allVisibleS / (minimum.teams / 1000), 2) : '–'}× the Teams minimum, ${cards ? fmt(cards.allVisibleS / (minimum.own / 1000), 2) : '–'}× the ${GLOBAL_RATE}/s minimum; the difference is the poll (every ${POLL_INTERVAL}), the 250 ms margin added to every per-channel window, and HTTP time.`,
    `- **Storm mode:** with a 10 s threshold, every channel's backlog (${ALERTS_PER_CHANNEL} alerts, about 40 s card by card) became digest cards of up to 25 alerts, so every alert was visible ${storm ? fmt(storm.allVisibleS, 1) : '–'} s after the burst. With the default 60 s threshold this burst is not a storm: each channel drains card by card in about ${fmt(minimum.own / 1000, 0)} s, under the threshold, so it behaves like the first row.`,
    `- **Nothing lost, nothing twice:** "lost" counts raised alerts no card or digest row shows; "duplicated" counts extra appearances; "wrong channel" counts alerts shown outside their tenant's linked channel. 429s are the Bot Connector emulator's refusals (it enforces the limits above); the Bot Framework client retries those itself.`,
    `- **How it is measured:** ${CHANNELS} tenants, each linked to its own channel through the link service, with the built-in default rule. The Graph and Entra emulators run in a child process. Each scenario starts a fresh bot (poll every ${POLL_INTERVAL}), waits for one full poll round, then raises ${ALERTS_PER_CHANNEL} high-severity alerts in every tenant at once; times run from the moment the first alert was stored in the Graph emulator to the moment the Bot Connector emulator accepted the post showing it. "bot CPU" is \`process.cpuUsage()\` of the bot's process (it also hosts the Bot Connector emulator) from the burst until ${SETTLE_MS / 1000} s after the last alert showed. "store writes" counts delivery's batched store updates during the burst.`,
    '- **Reproduce:** `npm run bench -- delivery-burst`.',
  ].join('\n');
}

async function main(): Promise<void> {
  const certPath = process.env.SOC_BRIDGE_BENCH_TLS_CERT;
  const keyPath = process.env.SOC_BRIDGE_BENCH_TLS_KEY;
  if (!certPath || !keyPath || !process.env.NODE_EXTRA_CA_CERTS) throw new Error('run benchmarks with `npm run bench`: it prepares the loopback certificate and NODE_EXTRA_CA_CERTS');
  const remote = RemoteServices.start();
  try {
    const tenants = benchTenants(CHANNELS, 5, 'burst');
    const endpoints = await remote.setup({ app: BENCH_APP, tenants, now: new Date().toISOString(), throttle: { limit: 150, periodMs: 60_000 }, tlsCertPath: certPath, tlsKeyPath: keyPath }, 60_000);
    const perChannel = new Array<number>(CHANNELS).fill(ALERTS_PER_CHANNEL);
    const minimum = {
      teams: minimumDrainMs(perChannel, TEAMS_CONVERSATION_WINDOWS, TEAMS_PUBLISHED_LIMITS.global),
      own: minimumDrainMs(perChannel, CARD_WINDOWS, [{ limit: GLOBAL_RATE, periodMs: 1000 }]),
    };
    const results: Result[] = [];
    for (const scenario of SCENARIOS) {
      console.log(`Scenario: ${scenario.label}…`);
      results.push(await runScenario(remote, endpoints, scenario));
    }
    const text = report(results, minimum);
    console.log(`\n${text}\n`);
    const problems = results.filter((r) => r.lost > 0 || r.duplicated > 0 || r.misrouted > 0);
    if (problems.length > 0) throw new Error(`alerts were lost, duplicated or misrouted in: ${problems.map((r) => r.scenario.label).join(', ')}; BENCHMARKS.md not updated`);
    console.log(`Updated ${updateBenchmarksFile(PROJECT_ROOT, 'delivery-burst', text)}`);
  } finally {
    await remote.stop();
  }
}

runBenchmark('delivery-burst', main, DEADLINE_MS);
