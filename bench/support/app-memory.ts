/**
 * The memory of the real app as it starts against prepared state: `node dist-bench/src/main.js`
 * in a child process with polling off, its RSS once it listens (and has loaded every delivery
 * record), its peak RSS, and its live heap after a full garbage collection (memory-probe.ts).
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { MemoryReport } from './memory-probe.js';

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;
/** Time given to the started app before its memory is read, so start-up work has settled. */
const SETTLE_MS = 2_000;

export interface AppMemory {
  /** From the fork to the "listening" log line (delivery records loaded by then). */
  readonly startMs: number;
  /** RSS once started and settled, without a forced garbage collection: what the host sees. */
  readonly rssBytes: number;
  /** The highest RSS of the process so far (start-up included). */
  readonly peakRssBytes: number;
  readonly heapUsedAfterGcBytes: number;
  /** What V8 holds for its heap after the collection (it keeps what loading made it grow to). */
  readonly heapTotalAfterGcBytes: number;
  /** Buffers and other memory outside the V8 heap, after the collection. */
  readonly externalAfterGcBytes: number;
  readonly rssAfterGcBytes: number;
}

/** The environment every measured app gets: connected mode (no calls are made: nothing polls), keyless bot, loopback, any port. */
export function appEnvironment(store: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    POLL_INTERVAL: '0',
    DEFENDER_CLIENT_ID: '5e7d3c1b-9a2f-4e6d-8b1c-0a9f8e7d6c5b',
    DEFENDER_CLIENT_SECRET: 'bench-secret-value-not-a-real-one',
    CONSENT_STATE_SECRET: 'bench-consent-state-secret-0123456789abcdef',
    ...store,
  };
}

/**
 * Starts the app with `env` in `cwd` (a folder without a .env file), waits until it listens,
 * reads its memory, and stops it. `track` receives the child so a benchmark that gives up can
 * kill it.
 */
export async function measureApp(env: Record<string, string>, cwd: string, track: (child: ChildProcess | undefined) => void): Promise<AppMemory> {
  const main = fileURLToPath(new URL('../../src/main.js', import.meta.url));
  const probe = new URL('./memory-probe.js', import.meta.url).href;
  const started = performance.now();
  const child = fork(main, [], { cwd, env, execArgv: ['--expose-gc', '--import', probe], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  track(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await untilListening(child);
    const startMs = performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const reply = await askMemory(child);
    return {
      startMs,
      rssBytes: reply.before.rss,
      peakRssBytes: Math.max(reply.maxRssKb * 1024, reply.before.rss),
      heapUsedAfterGcBytes: reply.afterGc.heapUsed,
      heapTotalAfterGcBytes: reply.afterGc.heapTotal,
      externalAfterGcBytes: reply.afterGc.external,
      rssAfterGcBytes: reply.afterGc.rss,
    };
  } finally {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
    track(undefined);
  }
}

function untilListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`the app did not listen within ${START_TIMEOUT_MS / 1000} s; it said: ${tail(stdout + stderr)}`)), START_TIMEOUT_MS);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = (stdout + chunk.toString('utf8')).slice(-4000);
      if (stdout.includes('"event":"app.listening"')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the app exited before listening (code ${code ?? 'none'}, signal ${signal ?? 'none'}): ${tail(stdout + stderr)}`));
    });
  });
}

function askMemory(child: ChildProcess): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the app did not report its memory within 10 s')), 10_000);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as MemoryReport);
    });
    child.send({ type: 'memory' });
  });
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ') || 'nothing';
}

/** The memory of a process that only imports `modules` (URLs or package names), after a full garbage collection. */
export async function measureImports(modules: readonly string[], cwd: string): Promise<NodeJS.MemoryUsage> {
  const script = `${modules.map((m) => `await import(${JSON.stringify(m)});`).join('')} globalThis.gc(); process.stdout.write(JSON.stringify(process.memoryUsage()));`;
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`importing ${modules.join(', ')} failed: ${tail(stderr)}`);
  return JSON.parse(stdout) as NodeJS.MemoryUsage;
}
