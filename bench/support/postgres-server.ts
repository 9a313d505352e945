import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface PostgresScript {
  freePort(): Promise<number>;
  startPostgres(options: { dataDir: string; port: number; password: string; persistent: boolean; fast?: boolean }): Promise<{ url: string; stop(): Promise<void> }>;
}

/** A throwaway PostgreSQL server for a benchmark. */
export interface BenchPostgres {
  /** The server's `postgres` database, superuser credentials included. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway server with production settings (fsync on), from the script the tests and
 * `npm run postgres` use. Its folder is straight under the system temp folder: as root the server
 * runs as the `postgres` user, which must reach it.
 */
export async function startBenchPostgres(projectRoot: string): Promise<BenchPostgres> {
  const script = (await import(pathToFileURL(join(projectRoot, 'scripts', 'embedded-postgres.mjs')).href)) as PostgresScript;
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-bench-pg-'));
  const server = await script.startPostgres({ dataDir, port: await script.freePort(), password: 'bench-only-password', persistent: false });
  return {
    url: server.url,
    stop: async () => {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
