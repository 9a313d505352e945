import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

export const ROLES = ['admin', 'analyst', 'viewer', 'customer-admin'] as const;
export type Role = (typeof ROLES)[number];

export const RoleAssignmentSchema = z.object({
  /** Entra object id of the Teams user, lower case. */
  userId: z.string().min(1),
  role: z.enum(ROLES),
  /** The customer tenant a customer-admin is limited to; absent for SOC roles. */
  tenant: z.string().min(1).optional(),
  displayName: z.string().optional(),
  grantedBy: z.string().min(1),
  grantedAt: z.iso.datetime(),
});
export type RoleAssignment = z.infer<typeof RoleAssignmentSchema>;

/** The roles collection, keyed by the user's Entra object id. */
export const ROLE_ASSIGNMENTS: CollectionSpec<RoleAssignment> = { name: 'roles', schema: RoleAssignmentSchema, keyOf: (r) => r.userId };
