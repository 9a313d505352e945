import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../src/paths.js';

const START = join(projectRoot, 'scripts', 'start.mjs');

/** How a bot process ended and what it printed. */
export interface BotRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface BotProcessOptions {
  /** Called with everything printed so far each time the process writes to stdout. */
  onStdout?: (stdout: string, child: ChildProcess) => void;
  /** Its own process group, so `killGroup` can kill the launcher and the bot at once. */
  detached?: boolean;
  /** How long it may run before it is stopped (default 15 s). */
  stopAfterMs?: number;
}

/**
 * Starts the compiled bot (`npm start`'s launcher) as a real process in an empty folder, with only
 * the given environment; stopped if it has not ended after `stopAfterMs`.
 */
export function startBot(env: Record<string, string>, options: BotProcessOptions = {}): Promise<BotRun> {
  const cwd = mkdtempSync(join(tmpdir(), 'soc-bridge-proc-'));
  const child = spawn(process.execPath, [START], { cwd, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    options.onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // SIGKILL would stop the launcher only and leave the bot running, holding the test's pipes open:
  // SIGTERM goes through the launcher to the bot; SIGKILL follows if that does not end it.
  const stop = () => (options.detached ? killGroup(child) : child.kill('SIGTERM'));
  const timers = [setTimeout(stop, options.stopAfterMs ?? 15_000), setTimeout(() => child.kill('SIGKILL'), (options.stopAfterMs ?? 15_000) + 10_000)];
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      timers.forEach(clearTimeout);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The port a bot process reported in its "listening" log line, once it has. */
export function listeningPort(stdout: string): number | undefined {
  const match = /"event":"app\.listening".*?"port":(\d+)/.exec(stdout);
  return match ? Number(match[1]) : undefined;
}

/** Kills a detached bot process and everything it started at once, as a crash or an OOM kill would. */
export function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
}
