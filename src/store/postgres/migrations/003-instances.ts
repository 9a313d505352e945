import type { Migration } from './migration.js';

/**
 * What instances share besides state: requests for the instance doing delivery (and their answers),
 * and rate budgets all instances draw from (Graph's per-tenant limit). A budget is one row holding
 * the times of the events in its window, so taking from it is one statement under the row's lock.
 */
export const instancesMigration: Migration = {
  version: 3,
  name: 'mailboxes-rate-budgets',
  async up(tx) {
    await tx.query(`
      CREATE TABLE mailbox_requests (
        id bigserial PRIMARY KEY,
        mailbox text NOT NULL,
        kind text NOT NULL,
        body jsonb NOT NULL,
        posted_at timestamptz NOT NULL DEFAULT statement_timestamp(),
        taken_at timestamptz,
        answer jsonb,
        answered_at timestamptz
      )`);
    await tx.query('CREATE INDEX mailbox_requests_waiting ON mailbox_requests (mailbox, id) WHERE taken_at IS NULL');
    await tx.query('CREATE INDEX mailbox_requests_posted ON mailbox_requests (posted_at)');
    await tx.query(`
      CREATE TABLE rate_budgets (
        name text PRIMARY KEY,
        events timestamptz[] NOT NULL,
        paused_until timestamptz NOT NULL DEFAULT '-infinity'
      )`);
  },
};
