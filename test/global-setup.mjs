// Jest global set-up: one throwaway PostgreSQL server for the whole run. Test files get their own
// database on it through test/helpers/postgres.ts. If it cannot start, the run goes on and every test
// that needs it fails with the reason (it is never skipped).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startPostgres } from '../scripts/embedded-postgres.mjs';

export default async function startTestPostgres() {
  const started = performance.now();
  // Straight under the system temp folder: as root the server runs as the `postgres` user, which
  // must reach the folder (mkdtemp makes it private, and embedded-postgres hands it to that user).
  const dataDir = mkdtempSync(join(tmpdir(), 'soc-bridge-test-pg-'));
  try {
    const server = await startPostgres({ dataDir, port: await freePort(), password: randomBytes(12).toString('hex'), persistent: false, fast: true });
    globalThis.socBridgeTestPostgres = server;
    process.env.SOC_BRIDGE_TEST_POSTGRES_URL = server.url;
    process.stderr.write(`Test PostgreSQL ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    process.env.SOC_BRIDGE_TEST_POSTGRES_ERROR = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Test PostgreSQL FAILED to start; tests that need it will fail: ${process.env.SOC_BRIDGE_TEST_POSTGRES_ERROR}\n`);
  }
}
