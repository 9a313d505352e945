import type { Migration } from './migration.js';

/** The migration ledger itself, and named leases: work that one instance at a time may do. */
export const leasesMigration: Migration = {
  version: 1,
  name: 'schema-migrations-and-leases',
  async up(tx) {
    await tx.query(`
      CREATE TABLE schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await tx.query(`
      CREATE TABLE leases (
        name text PRIMARY KEY,
        holder text NOT NULL,
        acquired_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  },
};
