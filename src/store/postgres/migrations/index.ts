import { leasesMigration } from './001-leases.js';
import { storageMigration } from './002-storage.js';
import { instancesMigration } from './003-instances.js';
import { recordGroupsMigration } from './004-record-groups.js';
import { unloggedRateBudgetsMigration } from './005-unlogged-rate-budgets.js';
import type { Migration } from './migration.js';

/** Every migration this version of SOC Bridge knows, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [leasesMigration, storageMigration, instancesMigration, recordGroupsMigration, unloggedRateBudgetsMigration];
