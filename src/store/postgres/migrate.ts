import { StoreError } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Database, Queryable } from './database.js';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';

/**
 * The transaction-scoped advisory lock every instance takes before it reads or changes the schema
 * version, so instances starting together apply each migration once. Two 32-bit keys: "SOCB" "MIGR".
 */
const MIGRATION_LOCK = [0x534f4342, 0x4d494752] as const;

/** How long an instance waits for another one that is migrating before it gives up. */
export const MIGRATION_LOCK_WAIT_MS = 120_000;

const LOCK_NOT_AVAILABLE = '55P03';

/** What a migration run found and did. */
export interface MigrationOutcome {
  /** The schema version before the run. */
  readonly from: number;
  /** The schema version after it: the newest this code knows. */
  readonly to: number;
  /** The versions this run applied (none when another instance had already). */
  readonly applied: readonly number[];
}

/**
 * Brings the database's schema up to the newest migration this code knows, in one transaction
 * under the migration lock. Throws StoreError when the database was migrated by a newer SOC Bridge
 * (nothing is changed then), or when another instance holds the lock for too long.
 */
export async function migrate(db: Database, options: { logger: Logger; migrations?: readonly Migration[] }): Promise<MigrationOutcome> {
  const migrations = options.migrations ?? MIGRATIONS;
  assertInSequence(migrations);
  const latest = migrations.length;
  let outcome: MigrationOutcome;
  let locked = false;
  try {
    outcome = await db.withTransaction(async (tx) => {
      await tx.query(`SET LOCAL lock_timeout = ${MIGRATION_LOCK_WAIT_MS}`);
      await tx.query('SELECT pg_advisory_xact_lock($1, $2)', MIGRATION_LOCK);
      locked = true;
      const from = await schemaVersion(tx);
      if (from > latest) {
        throw new StoreError(
          'store.corrupt',
          `The database ${db.target} has schema version ${from}, written by a newer SOC Bridge (this one knows up to version ${latest}). Upgrade SOC Bridge; the database was left untouched.`,
        );
      }
      const pending = migrations.slice(from);
      for (const migration of pending) {
        await migration.up(tx);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      }
      return { from, to: latest, applied: pending.map((m) => m.version) };
    });
  } catch (error) {
    if (!locked && (error as { code?: unknown }).code === LOCK_NOT_AVAILABLE) {
      throw new StoreError(
        'store.unavailable',
        `Another SOC Bridge instance has been migrating the database ${db.target} for more than ${MIGRATION_LOCK_WAIT_MS / 1000} s; check its log, then start this one again.`,
        error,
      );
    }
    throw error;
  }
  if (outcome.applied.length > 0) {
    options.logger.info({ event: 'database.migrated', target: db.target, ...outcome }, `database schema migrated from version ${outcome.from} to ${outcome.to}`);
  }
  return outcome;
}

async function schemaVersion(tx: Queryable): Promise<number> {
  const ledger = await tx.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!ledger.rows[0]?.present) return 0;
  const result = await tx.query<{ version: number }>('SELECT coalesce(max(version), 0)::integer AS version FROM schema_migrations');
  return result.rows[0]?.version ?? 0;
}

function assertInSequence(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`Migration "${migration.name}" has version ${migration.version} at position ${index + 1}: versions must run 1, 2, 3… in order`);
    }
  });
}
