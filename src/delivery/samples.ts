import type { TenantRecord } from '../tenants/tenant-schema.js';
import type { DeliveryRecord } from './store-schema.js';

/** The customer a `rule test` sample names when the rule covers no tenant yet (email and webhooks still get one). */
export const SAMPLE_TENANT: TenantRecord = {
  handle: 'sample',
  displayName: 'Sample customer',
  tenantId: '00000000-0000-0000-0000-000000000000',
  domain: 'sample.example',
  status: 'connected',
  writeAccess: false,
  createdAt: '1970-01-01T00:00:00.000Z',
  updatedAt: '1970-01-01T00:00:00.000Z',
};

/** The sentence every sample carries: who sent it, with which rule, and that it is not a real alert. */
export function sampleNotice(delivery: Pick<DeliveryRecord, 'ruleId' | 'sample'>): string | undefined {
  const sample = delivery.sample;
  if (!sample) return undefined;
  return `SAMPLE — ${sample.requestedBy} sent this with "rule test ${delivery.ruleId}" to check where the rule "${sample.ruleName}" delivers. It is not a real Defender alert.`;
}
