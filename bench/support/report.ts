import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

/** Nearest-rank percentile of `values` (p in 0..100); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** A number for a table: fixed decimals, or "–" when there is none. */
export function fmt(value: number | undefined, decimals = 0): string {
  return value === undefined || Number.isNaN(value) ? '–' : value.toFixed(decimals);
}

/** A Markdown table (also readable as plain text on a terminal). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** The machine a run happened on, for the record. */
export function machineDescription(): string {
  const all = cpus();
  const model = all[0]?.model.trim() ?? 'unknown CPU';
  const memoryGiB = (totalmem() / 1024 ** 3).toFixed(1);
  return `${all.length} cores (${model}), ${memoryGiB} GiB RAM, Node ${process.version} on ${process.platform}/${process.arch}`;
}

const FILE_HEADER = '# Benchmarks\n\nFigures from `npm run bench`. Each section is rewritten by its benchmark; the rest of the file is left alone.\n';

/**
 * Writes `body` into BENCHMARKS.md at `root` between this benchmark's markers, replacing an
 * earlier run's section and keeping every other benchmark's.
 */
export function updateBenchmarksFile(root: string, name: string, body: string): string {
  const path = join(root, 'BENCHMARKS.md');
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const section = `${start}\n${body.trim()}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : FILE_HEADER;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next = from !== -1 && to > from ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
  return path;
}

/** How long a benchmark that gives up waits for its `cleanUp` (e.g. stopping a database server it started). */
const CLEAN_UP_TIMEOUT_MS = 15_000;

/**
 * Runs a benchmark's `main` with a deadline: a hung run exits 1 with a message instead of holding
 * the runner, and a failure prints its stack and exits 1 at once (half-started servers must not
 * keep the process alive). `cleanUp`, when given, runs before a hung run exits, for what would
 * outlive the process (child processes, temp folders); `main` cleans up after itself otherwise.
 */
export function runBenchmark(name: string, main: () => Promise<void>, deadlineMs: number, cleanUp?: () => Promise<void>): void {
  const deadline = setTimeout(() => {
    console.error(`${name}: no result within ${deadlineMs / 1000} s; giving up`);
    const timeout = new Promise((resolve) => setTimeout(resolve, CLEAN_UP_TIMEOUT_MS).unref());
    void Promise.race([cleanUp?.().catch(() => undefined), timeout]).finally(() => process.exit(1));
  }, deadlineMs);
  deadline.unref();
  main().then(
    () => clearTimeout(deadline),
    (error: unknown) => {
      console.error(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exit(1);
    },
  );
}
