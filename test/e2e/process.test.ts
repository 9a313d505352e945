import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBot } from '../helpers/bot-process.js';

describe('the bot process', () => {
  it('stops with exit code 2 and one line per bad variable, without a stack trace', async () => {
    const run = await startBot({ PORT: 'abc', LOG_LEVEL: 'loud' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the configuration is invalid');
    expect(run.stderr).toMatch(/^ {2}PORT: must be a whole number between 0 and 65535 \(got "abc"\)$/m);
    expect(run.stderr).toMatch(/^ {2}LOG_LEVEL: must be one of .*\(got "loud"\)$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toBe('');
  });

  it('says sandbox mode in its first log line, serves, and shuts down cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-data-'));
    let probed: Promise<number> | undefined;
    const run = await startBot({ PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info' }, {
      onStdout: (stdout, child) => {
        const match = /"port":(\d+)/.exec(stdout);
        if (match && !probed) {
          probed = fetch(`http://127.0.0.1:${match[1]}/healthz`).then((r) => r.status);
          void probed.then(() => child.kill('SIGTERM'));
        }
      },
    });
    expect(await probed).toBe(200);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; event: string });
    expect(lines[0]?.msg).toContain('SANDBOX MODE');
    expect(lines.map((l) => l.event)).toContain('app.stopped');
    expect(JSON.parse(readFileSync(join(dataDir, 'soc-bridge.json'), 'utf8'))).toMatchObject({
      schemaVersion: 2,
      collections: { tenants: expect.arrayContaining([expect.objectContaining({ handle: 'contoso', status: 'connected' })]) },
    });
  });

  it('refuses to start on a corrupt store file and leaves it untouched', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-data-'));
    writeFileSync(join(dataDir, 'soc-bridge.json'), 'not json');
    const run = await startBot({ PORT: '0', DATA_DIR: dataDir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is not valid JSON');
    expect(run.stderr).toContain(join(dataDir, 'soc-bridge.json'));
    expect(readFileSync(join(dataDir, 'soc-bridge.json'), 'utf8')).toBe('not json');
  });
});
