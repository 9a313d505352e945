/**
 * 500 customer tenants polled every 10 s: how long a new alert takes to become a card in its
 * channel (alert-to-card latency), and the CPU polling costs. The Graph and Entra emulators run in
 * a child process (HTTPS, per-tenant throttle); alerts are raised there one at a time, at random
 * tenants, and the latency runs from the moment Graph stored an alert to the moment the Bot
 * Connector emulator accepted its card. Prints figures; asserts nothing about time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_APP, benchTenants, startDeliveryBot, untilPolledOnce, visibility, type DeliveryBot } from './support/delivery-kit.js';
import type { RaisedAlert, RemoteStats } from './support/protocol.js';
import { RemoteServices } from './support/remote.js';
import { fmt, machineDescription, markdownTable, mean, percentile, updateBenchmarksFile, runBenchmark } from './support/report.js';

const TENANTS = 500;
const CHANNELS = 50;
const POLL_INTERVAL_S = 10;
/** Polling only, nothing new: the steady cost of watching 500 tenants. */
const IDLE_WINDOW_MS = 20_000;
/** Alerts raised one at a time over this window, at random tenants. */
const RAISE_WINDOW_MS = 60_000;
const RAISE_EVERY_MS = 250;
/** After the last alert, long enough for one more full poll round and its cards. */
const DRAIN_MS = (POLL_INTERVAL_S + 5) * 1000;
const DEADLINE_MS = 175_000;
const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Window {
  readonly wallMs: number;
  readonly botCpuMs: number;
  readonly remoteCpuMs: number;
  readonly graphRequests: number;
  readonly graphThrottled: number;
}

async function measureWindow(remote: RemoteServices, ms: number, during: () => Promise<void>): Promise<Window> {
  const before: RemoteStats = await remote.stats();
  const cpu = process.cpuUsage();
  const started = Date.now();
  await Promise.all([during(), new Promise((resolve) => setTimeout(resolve, ms))]);
  const used = process.cpuUsage(cpu);
  const after = await remote.stats();
  return {
    wallMs: Date.now() - started,
    botCpuMs: (used.user + used.system) / 1000,
    remoteCpuMs: (after.cpuMicros - before.cpuMicros) / 1000,
    graphRequests: after.graphRequests - before.graphRequests,
    graphThrottled: after.graphThrottled - before.graphThrottled,
  };
}

function percentOfCore(window: Window, cpuMs: number): string {
  return `${fmt((cpuMs / window.wallMs) * 100, 1)} %`;
}

async function main(): Promise<void> {
  const certPath = process.env.SOC_BRIDGE_BENCH_TLS_CERT;
  const keyPath = process.env.SOC_BRIDGE_BENCH_TLS_KEY;
  if (!certPath || !keyPath || !process.env.NODE_EXTRA_CA_CERTS) throw new Error('run benchmarks with `npm run bench`: it prepares the loopback certificate and NODE_EXTRA_CA_CERTS');
  const remote = RemoteServices.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-polling-'));
  let bot: DeliveryBot | undefined;
  try {
    const tenants = benchTenants(TENANTS, 5, 'poll');
    console.log(`Setting up ${TENANTS} tenants…`);
    const endpoints = await remote.setup({ app: BENCH_APP, tenants, now: new Date().toISOString(), throttle: { limit: 150, periodMs: 60_000 }, tlsCertPath: certPath, tlsKeyPath: keyPath }, 60_000);
    bot = await startDeliveryBot({ endpoints, tenants, channels: CHANNELS, dataDir, env: { POLL_INTERVAL: `${POLL_INTERVAL_S}s` } });
    const firstRoundMs = await untilPolledOnce(bot, tenants, 60_000);
    console.log(`First poll round (tokens for ${TENANTS} tenants included) done in ${fmt(firstRoundMs / 1000, 1)} s; measuring idle polling for ${IDLE_WINDOW_MS / 1000} s…`);
    const idle = await measureWindow(remote, IDLE_WINDOW_MS, async () => undefined);

    console.log(`Raising one alert every ${RAISE_EVERY_MS} ms for ${RAISE_WINDOW_MS / 1000} s…`);
    const raised: RaisedAlert[] = [];
    let seed = 1;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const busy = await measureWindow(remote, RAISE_WINDOW_MS + DRAIN_MS, async () => {
      for (let n = 0; n < RAISE_WINDOW_MS / RAISE_EVERY_MS; n++) {
        const tenant = tenants[Math.floor(random() * TENANTS)]!;
        raised.push(...(await remote.raise([{ tenantId: tenant.tenantId, count: 1, severity: 'high', tag: `lat${n}` }])));
        await new Promise((resolve) => setTimeout(resolve, RAISE_EVERY_MS));
      }
    });
    const view = visibility(bot.connector, new Set(bot.channelOf.values()));
    const latencies: number[] = [];
    let lost = 0;
    let duplicated = 0;
    let misrouted = 0;
    for (const alert of raised) {
      const seen = view.seen.get(alert.alertId);
      if (!seen) {
        lost++;
        continue;
      }
      latencies.push(seen.firstAtMs - alert.atMs);
      duplicated += seen.copies - 1;
      if (seen.conversationId !== bot.channelOf.get(alert.tenantId)) misrouted++;
    }
    const seconds = (ms: number) => fmt(ms / 1000, 2);
    const rows = [
      ['Alerts raised / delivered', `${raised.length} / ${raised.length - lost}`],
      ['Lost / duplicated / wrong channel', `${lost} / ${duplicated} / ${misrouted}`],
      ['Alert-to-card latency p50', `${seconds(percentile(latencies, 50))} s`],
      ['Alert-to-card latency p95', `${seconds(percentile(latencies, 95))} s`],
      ['Alert-to-card latency max', `${seconds(Math.max(...latencies))} s`],
      ['Alert-to-card latency mean', `${seconds(mean(latencies))} s`],
      ['Graph requests per second (idle / with alerts)', `${fmt((idle.graphRequests / idle.wallMs) * 1000, 1)} / ${fmt((busy.graphRequests / busy.wallMs) * 1000, 1)}`],
      ['Graph 429s (idle / with alerts)', `${idle.graphThrottled} / ${busy.graphThrottled}`],
      ['Bot CPU, idle polling (share of one core)', percentOfCore(idle, idle.botCpuMs)],
      ['Bot CPU, polling with alerts (share of one core)', percentOfCore(busy, busy.botCpuMs)],
      ['Graph + Entra emulator CPU, idle / with alerts', `${percentOfCore(idle, idle.remoteCpuMs)} / ${percentOfCore(busy, busy.remoteCpuMs)}`],
      ['First poll round after start (500 tokens)', `${fmt(firstRoundMs / 1000, 1)} s`],
    ];
    const text = [
      `## Delivery: ${TENANTS} tenants polled every ${POLL_INTERVAL_S} s`,
      '',
      `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}.`,
      '',
      markdownTable(['measure', 'value'], rows),
      '',
      `- **What bounds the latency:** an alert waits for its tenant's next poll, which comes at a random point of the ${POLL_INTERVAL_S} s interval (tenants are spread over it), so the expected p50 is about ${POLL_INTERVAL_S / 2} s and p95 about ${fmt(POLL_INTERVAL_S * 0.95, 1)} s plus the time to read, record and post. Everything after the poll (routing, the outbox write, pacing, the post) is the small remainder above those figures.`,
      `- **CPU:** \`process.cpuUsage()\` of the bot's process (which also hosts the Bot Connector emulator) over a ${IDLE_WINDOW_MS / 1000} s window of polling alone, then over the ${(RAISE_WINDOW_MS + DRAIN_MS) / 1000} s with alerts; the Graph and Entra emulators run in a child process and are shown apart. ${TENANTS} tenants every ${POLL_INTERVAL_S} s is ${TENANTS / POLL_INTERVAL_S} polls a second, each an HTTPS request re-reading the alerts of the overlap window (default 2 min).`,
      `- **How it is measured:** ${TENANTS} tenants with 5 old alerts each, linked to ${CHANNELS} channels (tenant i to channel i mod ${CHANNELS}) through the link service, the built-in default rule, storm threshold and pacing at their defaults. One high-severity alert is raised every ${RAISE_EVERY_MS} ms at a random tenant for ${RAISE_WINDOW_MS / 1000} s; latency runs from the moment the Graph emulator stored the alert to the moment the Bot Connector emulator (which enforces Teams' limits) accepted its card. Both run on this machine's clock.`,
      '- **Reproduce:** `npm run bench -- delivery-polling`.',
    ].join('\n');
    console.log(`\n${text}\n`);
    if (lost > 0 || duplicated > 0 || misrouted > 0) throw new Error('alerts were lost, duplicated or misrouted; BENCHMARKS.md not updated');
    console.log(`Updated ${updateBenchmarksFile(PROJECT_ROOT, 'delivery-polling', text)}`);
  } finally {
    await bot?.stop();
    await remote.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBenchmark('delivery-polling', main, DEADLINE_MS);
