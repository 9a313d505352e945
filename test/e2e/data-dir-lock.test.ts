import { describe, expect, it } from '@jest/globals';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA_DIR_LOCK_NAME, DATA_DIR_LOCK_STALE_MS } from '../../src/store/data-dir-lock.js';
import { killGroup, listeningPort, startBot, type BotRun } from '../helpers/bot-process.js';

const TEST_TIMEOUT_MS = 60_000;

/** A bot process that has started serving, and the promise of its end. */
async function startServing(dataDir: string, detached = false): Promise<{ child: ChildProcess; ended: Promise<BotRun> }> {
  let serving: (child: ChildProcess) => void = () => undefined;
  const started = new Promise<ChildProcess>((resolve) => (serving = resolve));
  const ended = startBot({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', SANDBOX_ALERT_INTERVAL: '0', POLL_INTERVAL: '0' }, {
    detached,
    // It serves while other processes start and stop around it, which takes a while on a busy machine.
    stopAfterMs: TEST_TIMEOUT_MS - 5_000,
    onStdout: (stdout, child) => {
      if (listeningPort(stdout) !== undefined) serving(child);
    },
  });
  const child = await Promise.race([started, ended.then((run) => Promise.reject(new Error(`the bot ended before serving: ${run.stderr}`)))]);
  return { child, ended };
}

const refusal = (dataDir: string) => `SOC Bridge cannot start: Another SOC Bridge process is using the data folder ${dataDir}`;

describe('the embedded store with two processes', () => {
  it('refuses a second process on the same DATA_DIR, and frees the folder when the first stops', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-data-'));
    const first = await startServing(dataDir);

    const second = await startBot({ PORT: '0', DATA_DIR: dataDir });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(refusal(dataDir));
    expect(second.stderr).toContain('set DATABASE_URL to run several instances');
    expect(second.stderr).not.toMatch(/\n\s+at /);

    first.child.kill('SIGTERM');
    expect((await first.ended).code).toBe(0);
    expect(existsSync(join(dataDir, DATA_DIR_LOCK_NAME))).toBe(false);
  }, TEST_TIMEOUT_MS);

  it('takes over the lock a killed process left, once it has gone stale', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-data-'));
    const killed = await startServing(dataDir, true);
    killGroup(killed.child);
    await killed.ended;
    const lock = join(dataDir, DATA_DIR_LOCK_NAME);
    expect(existsSync(lock)).toBe(true);

    // Stands in for waiting out the stale time: a dead holder no longer refreshes the lock.
    const past = new Date(Date.now() - DATA_DIR_LOCK_STALE_MS - 1000);
    utimesSync(lock, past, past);
    const successor = await startServing(dataDir);
    successor.child.kill('SIGTERM');
    expect((await successor.ended).code).toBe(0);
  }, TEST_TIMEOUT_MS);
});
