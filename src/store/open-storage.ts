import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { EmbeddedStorage } from './embedded/embedded-storage.js';
import type { DatabaseConfig } from './postgres/database-config.js';
import { openMigratedDatabase } from './postgres/open-database.js';
import { PostgresStorage } from './postgres/postgres-storage.js';
import type { Storage } from './storage.js';

/**
 * The configured backend: PostgreSQL (connected and migrated) when DATABASE_URL is set, else the
 * embedded store in DATA_DIR. Throws StoreError with one sentence when neither can be opened.
 */
export async function openStorage(config: { database: DatabaseConfig; dataDir: string }, deps: { logger: Logger; clock: Clock }): Promise<Storage> {
  if (config.database.kind === 'postgres') {
    const database = await openMigratedDatabase(config.database, deps.logger);
    return new PostgresStorage(database, deps.logger);
  }
  return EmbeddedStorage.open(config.dataDir, { clock: deps.clock });
}
