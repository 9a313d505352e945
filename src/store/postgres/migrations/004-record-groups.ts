import type { Migration } from './migration.js';

/**
 * A record set's records load by group (the key up to its first `|`, see RecordSet), so the owner
 * of a large set holds only what it works on. The group is derived from the key by the database
 * itself, so rows written before this migration have theirs too.
 */
export const recordGroupsMigration: Migration = {
  version: 4,
  name: 'record-groups',
  async up(tx) {
    await tx.query("ALTER TABLE record_set_records ADD COLUMN record_group text GENERATED ALWAYS AS (split_part(key, '|', 1)) STORED");
    await tx.query('CREATE INDEX record_set_records_group ON record_set_records (record_set, record_group)');
  },
};
