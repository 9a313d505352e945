import { readFileSync } from 'node:fs';
import pg from 'pg';
import { StartupError, StoreError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { describeConnectionFailure, scrubPassword } from './connection-failure.js';
import { describeDatabaseUrl, type DatabaseConfig } from './database-config.js';

/** How long one attempt to open a connection may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

type PostgresConfig = Extract<DatabaseConfig, { kind: 'postgres' }>;

/** What runs SQL: the pool (one statement, autocommit) or a transaction's connection. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * A pool of connections to the configured PostgreSQL database. Statements through `query` each
 * run on their own; `withTransaction` runs several on one connection, all or nothing.
 */
export class Database implements Queryable {
  private ended: Promise<void> | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    /** The server and database, without the password, for messages and logs. */
    readonly target: string,
  ) {}

  /**
   * Connects to the database `config` names and proves it answers. Throws StoreError
   * `store.unavailable` with one sentence (never the password) when it cannot be reached or
   * refuses the credentials, and StartupError when the CA file cannot be read.
   */
  static async open(config: PostgresConfig, logger: Logger): Promise<Database> {
    const target = describeDatabaseUrl(config.url);
    const pool = new pg.Pool({
      connectionString: config.url,
      ssl: tlsOptions(config),
      max: config.poolSize,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      application_name: 'soc-bridge',
    });
    // An idle connection the server drops (restart, failover) emits here; without a listener it would end the process.
    pool.on('error', (error) => {
      logger.warn({ event: 'database.connection_lost', target, err: new Error(scrubPassword(error.message, config.url)) }, 'an idle PostgreSQL connection was closed by the server');
    });
    try {
      await pool.query('SELECT 1');
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw new StoreError('store.unavailable', describeConnectionFailure(error, config, CONNECT_TIMEOUT_MS));
    }
    return new Database(pool, target);
  }

  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values as unknown[] | undefined);
  }

  /**
   * Runs `work` inside BEGIN … COMMIT on one connection, and rolls back if it throws (its error is
   * rethrown). Everything `work` does must go through the `tx` it is given.
   */
  async withTransaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back is not handed to anyone else.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Waits for statements in flight, then closes every connection. Safe to call twice. */
  close(): Promise<void> {
    this.ended ??= this.pool.end();
    return this.ended;
  }
}

function tlsOptions(config: PostgresConfig): pg.PoolConfig['ssl'] {
  switch (config.tls) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true, ...(config.caFile ? { ca: readCaFile(config.caFile) } : {}) };
  }
}

function readCaFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new StartupError(`Cannot read DATABASE_SSL_CA ${path}: ${(error as Error).message}`);
  }
}
