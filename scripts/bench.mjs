// `npm run bench [-- name…]`: compiles the benchmarks (bench/*.ts and the sources they import) into
// dist-bench/ when stale, prepares the loopback certificate, then runs each benchmark whose name
// contains one of the arguments (all without arguments) in a node process of its own.
// Benchmarks print figures and ratios; nothing here judges them.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevCertificate } from './dev-certificate.mjs';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
process.chdir(root);

const OUT_DIR = 'dist-bench';
const STAMP = join(OUT_DIR, '.built');
/** A benchmark that hangs is killed after this. */
const PER_BENCHMARK_TIMEOUT_MS = 10 * 60_000;

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Benchmarks are the .ts files directly under bench/; bench/support/ holds what they share. */
function benchmarkNames() {
  return readdirSync('bench', { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => entry.name.slice(0, -'.ts'.length))
    .sort();
}

function buildIfNeeded() {
  const inputs = ['bench', 'src', 'cards', 'tsconfig.json', 'tsconfig.bench.json'];
  const newest = Math.max(...inputs.map(newestMtime));
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= newest) return;
  console.log('Building benchmarks (tsc -p tsconfig.bench.json)…');
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.bench.json'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // The compiled src/paths.js finds the card templates one folder above itself, i.e. in dist-bench/cards.
  rmSync(join(OUT_DIR, 'cards'), { recursive: true, force: true });
  cpSync('cards', join(OUT_DIR, 'cards'), { recursive: true });
  writeFileSync(STAMP, `${new Date().toISOString()}\n`);
}

const available = benchmarkNames();
const filters = process.argv.slice(2);
const selected = filters.length === 0 ? available : available.filter((name) => filters.some((f) => name.includes(f)));
if (selected.length === 0) {
  console.error(`No benchmark matches ${filters.join(', ')}. Available: ${available.join(', ') || 'none'}.`);
  process.exit(1);
}

buildIfNeeded();
// Node reads NODE_EXTRA_CA_CERTS only at start, so the certificate must exist before the benchmark starts.
const { certPath, keyPath } = await ensureDevCertificate(join(tmpdir(), 'soc-bridge-bench-tls'));

let failed = 0;
for (const name of selected) {
  console.log(`\n=== ${name} ===`);
  const run = spawnSync(process.execPath, [join(OUT_DIR, 'bench', `${name}.js`)], {
    stdio: 'inherit',
    timeout: PER_BENCHMARK_TIMEOUT_MS,
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: certPath,
      SOC_BRIDGE_BENCH_TLS_CERT: certPath,
      SOC_BRIDGE_BENCH_TLS_KEY: keyPath,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    },
  });
  if (run.status !== 0) {
    failed++;
    const why = run.error ? run.error.message : run.signal ? `killed by ${run.signal}` : `exit code ${run.status}`;
    console.error(`${name} failed (${why})`);
  }
}
process.exit(failed === 0 ? 0 : 1);
