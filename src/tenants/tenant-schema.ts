import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

export const TENANT_STATUSES = ['pending-consent', 'connected', 'needs-attention', 'offboarded'] as const;
export type TenantStatus = (typeof TENANT_STATUSES)[number];

/** A tenant's handle: 1 to 40 lower-case letters, digits and dashes, starting with a letter or digit. */
export const TENANT_HANDLE_PATTERN = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** The longest display name a customer tenant may have. */
export const TENANT_NAME_MAX = 80;

/** A customer organisation whose Defender alerts SOC Bridge reads. */
export const TenantRecordSchema = z.object({
  /** Short name used in commands, e.g. `contoso`; unique. */
  handle: z.string().regex(TENANT_HANDLE_PATTERN),
  displayName: z.string().min(1),
  /** Entra tenant id (GUID, lower case). */
  tenantId: z.string().min(1),
  /** Primary domain, e.g. contoso.onmicrosoft.com. */
  domain: z.string().min(1),
  status: z.enum(TENANT_STATUSES),
  /** Whether analysts may change alerts (SecurityAlert.ReadWrite.All requested). */
  writeAccess: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  lastPollAt: z.iso.datetime().optional(),
  lastSuccessAt: z.iso.datetime().optional(),
  /** The most recent failure talking to this tenant, in words an analyst can act on. */
  lastError: z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() }).optional(),
});
export type TenantRecord = z.infer<typeof TenantRecordSchema>;

/** The tenants collection, keyed by Entra tenant id. */
export const TENANTS: CollectionSpec<TenantRecord> = { name: 'tenants', schema: TenantRecordSchema, keyOf: (t) => t.tenantId };
