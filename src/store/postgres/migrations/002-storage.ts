import type { Migration } from './migration.js';

/**
 * The storage port's tables. Collections are small and read whole into every instance's replica,
 * so they share one keyed table with a version row each; logs and record sets are high-volume
 * and never read whole by a request.
 */
export const storageMigration: Migration = {
  version: 2,
  name: 'collections-logs-record-sets',
  async up(tx) {
    await tx.query(`
      CREATE TABLE collection_records (
        collection text NOT NULL,
        key text NOT NULL,
        position bigserial NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (collection, key)
      )`);
    await tx.query(`
      CREATE TABLE collection_versions (
        collection text PRIMARY KEY,
        version bigint NOT NULL
      )`);
    await tx.query(`
      CREATE TABLE log_entries (
        log text NOT NULL,
        id bigserial PRIMARY KEY,
        at timestamptz NOT NULL,
        scope text NOT NULL,
        data jsonb NOT NULL
      )`);
    await tx.query('CREATE INDEX log_entries_newest ON log_entries (log, id DESC)');
    await tx.query('CREATE INDEX log_entries_scope_newest ON log_entries (log, scope, id DESC)');
    await tx.query(`
      CREATE TABLE record_set_records (
        record_set text NOT NULL,
        section text NOT NULL,
        key text NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (record_set, section, key)
      )`);
  },
};
