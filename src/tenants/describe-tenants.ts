import type { TenantRecord } from './tenant-schema.js';

/** Tenants by handle for a sentence: all of them, or the first five and how many more. */
export function describeTenants(tenants: readonly TenantRecord[]): string {
  const names = tenants.map((t) => t.handle);
  return names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
}
