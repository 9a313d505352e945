import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import { isSocBridgeError } from '../errors.js';
import { createLogger } from '../log.js';
import { loadCliConfig } from './cli-config.js';
import { STATE_CATALOG } from '../state-catalog.js';
import { copyStore } from '../store/copy-store.js';
import { EmbeddedStorage } from '../store/embedded/embedded-storage.js';
import { openStorage } from '../store/open-storage.js';

const USAGE = 'Usage: npm run import-store -- <data folder>   (with DATABASE_URL set to the empty database to fill)';

/**
 * `npm run import-store -- <data folder>`: copies an embedded store (stop SOC Bridge first: the
 * folder is locked while it runs) into the empty PostgreSQL database DATABASE_URL names.
 * Exit codes: 0 copied, 2 bad arguments or configuration, 1 the copy was refused or failed.
 */
async function main(): Promise<number> {
  const [dataDir, ...extra] = process.argv.slice(2);
  if (!dataDir || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const config = loadCliConfig();
  if (!config) return 2;
  if (config.database.kind !== 'postgres') {
    process.stderr.write(`DATABASE_URL is not set: it names the PostgreSQL database to import into.\n${USAGE}\n`);
    return 2;
  }
  const logger = createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
  const source = await EmbeddedStorage.open(resolve(dataDir));
  try {
    const target = await openStorage(config, { logger, clock: systemClock });
    try {
      const report = await copyStore(source, target, STATE_CATALOG);
      const lines = [
        ...Object.entries(report.collections).map(([name, n]) => `  ${name}: ${n} record${n === 1 ? '' : 's'}`),
        ...Object.entries(report.logs).map(([name, n]) => `  ${name} log: ${n} entr${n === 1 ? 'y' : 'ies'}`),
        ...Object.entries(report.recordSets).map(([name, n]) => `  ${name} records: ${n}`),
      ];
      process.stdout.write(`Imported ${source.location} into ${target.location}:\n${lines.join('\n')}\n`);
      return 0;
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Nothing was imported: ${isSocBridgeError(error) ? error.userMessage : error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
