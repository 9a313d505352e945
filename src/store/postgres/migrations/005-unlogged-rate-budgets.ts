import type { Migration } from './migration.js';

/**
 * Rate budgets hold the last minutes of request times and nothing else: after a database crash an
 * empty table costs at most one window of caution. Unlogged, a take no longer waits for the write-
 * ahead log to reach the disk, and every reply to Teams and every Graph request takes one.
 */
export const unloggedRateBudgetsMigration: Migration = {
  version: 5,
  name: 'unlogged-rate-budgets',
  async up(tx) {
    await tx.query('ALTER TABLE rate_budgets SET UNLOGGED');
  },
};
