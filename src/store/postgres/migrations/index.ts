import { leasesMigration } from './001-leases.js';
import type { Migration } from './migration.js';

/** Every migration this version of SOC Bridge knows, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [leasesMigration];
