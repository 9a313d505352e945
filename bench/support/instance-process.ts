import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One instance of the compiled bot as a process of its own (`node <main.js>`, no launcher, so
 * SIGKILL ends the bot itself, as a crash or an OOM kill would). `start` after `kill` or `stop`
 * starts a fresh process with the same environment. Tests and benchmarks use it.
 */
export class InstanceProcess {
  private child: ChildProcess | undefined;
  private output = '';
  private readonly cwd = mkdtempSync(join(tmpdir(), 'soc-bridge-instance-'));
  /** The port the running process listens on. */
  port = 0;
  /** Processes started so far. */
  starts = 0;

  constructor(
    readonly name: string,
    /** The compiled entry point: `dist/main.js` (tests) or `dist-bench/src/main.js` (benchmarks). */
    private readonly main: string,
    private readonly env: Record<string, string>,
    /** A file that keeps the output of every process this instance started (to read after a failure). */
    private readonly keptLog?: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the current process wrote to stdout and stderr (JSON log lines). */
  get log(): string {
    return this.output;
  }

  /** Starts the process and resolves once it listens; rejects with its output if it exits first. */
  async start(timeoutMs = 30_000): Promise<void> {
    this.output = '';
    this.starts++;
    const child = spawn(process.execPath, [this.main], {
      cwd: this.cwd,
      env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', DATA_DIR: join(this.cwd, 'data'), ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output += chunk.toString();
      if (this.keptLog) appendFileSync(this.keptLog, chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const port = /"event":"app\.listening".*?"port":(\d+)/.exec(this.output)?.[1];
      if (port) {
        this.port = Number(port);
        return;
      }
      if (!this.running) throw new Error(`instance ${this.name} exited before listening:\n${this.output.slice(-3000)}`);
      if (Date.now() > deadline) throw new Error(`instance ${this.name} did not listen within ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Kills the process with SIGKILL and waits until it is gone. */
  async kill(): Promise<void> {
    await this.end('SIGKILL');
  }

  /** Stops the process as an orchestrator would (SIGTERM) and waits until it is gone. */
  async stop(): Promise<void> {
    await this.end('SIGTERM');
  }

  /** Stops the process if it runs and removes its folder. */
  async dispose(): Promise<void> {
    await this.end('SIGTERM');
    rmSync(this.cwd, { recursive: true, force: true });
  }

  private async end(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(force);
  }
}
