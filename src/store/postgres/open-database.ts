import type { Logger } from '../../log.js';
import { Database } from './database.js';
import type { DatabaseConfig } from './database-config.js';
import { migrate } from './migrate.js';

/**
 * Connects to the configured database and brings its schema up to date: what start-up does
 * before anything reads or writes. Throws StoreError (nothing left open) when either fails.
 */
export async function openMigratedDatabase(config: Extract<DatabaseConfig, { kind: 'postgres' }>, logger: Logger): Promise<Database> {
  const database = await Database.open(config, logger);
  try {
    const schema = await migrate(database, { logger });
    logger.info({ event: 'database.connected', target: database.target, schemaVersion: schema.to }, `connected to PostgreSQL ${database.target}`);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
