import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/paths.js';

/**
 * `npm run playground` starts the Agents Playground, which signs in as the sandbox's bootstrap
 * admin without a password: it must listen on this computer's loopback interface only.
 */

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The addresses listening on TCP `port`, from the kernel's socket tables (Linux). */
function listenersOn(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      const [hexAddress, hexPort] = (local ?? '').split(':');
      if (state !== '0A' || !hexAddress || parseInt(hexPort ?? '', 16) !== port) continue;
      found.push(hexAddress.length === 8 ? ipv4(hexAddress) : ipv6(hexAddress));
    }
  }
  return found.sort();
}

/** `0100007F` → `127.0.0.1` (the kernel writes the address in host byte order). */
function ipv4(hex: string): string {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.');
}

/** Four host-order 32-bit words → a compact-enough IPv6 address for comparison (`::` and `::1` as such). */
function ipv6(hex: string): string {
  if (/^0{32}$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  return `ipv6:${hex}`;
}

describe('npm run playground', () => {
  let child: ChildProcess;
  let port: number;
  let logDir: string;
  let output = '';

  beforeAll(async () => {
    port = await freePort();
    logDir = mkdtempSync(join(tmpdir(), 'soc-bridge-playground-'));
    child = spawn(process.execPath, ['scripts/playground.mjs'], {
      cwd: projectRoot,
      env: { ...process.env, TEAMSAPPTESTER_PORT: String(port), TEAMSAPPTESTER_BROWSER: 'none', M365_AGENTS_PLAYGROUND_LOGFILE: join(logDir, 'playground.log'), NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the Playground did not start within 20 s:\n${output}`)), 20_000);
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(`Listening on ${port}`)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', collect);
      child.stderr?.on('data', collect);
      child.once('exit', (code) => reject(new Error(`the Playground exited with ${String(code)}:\n${output}`)));
    });
  }, 30_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(logDir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 only, and says so', async () => {
    expect(listenersOn(port)).toEqual(['127.0.0.1']);
    expect(output).toContain(`Agents Playground on http://127.0.0.1:${port} (this computer only)`);
  });

  it('serves its web client there', async () => {
    const response = await fetch(`http://127.0.0.1:${port}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });
});
