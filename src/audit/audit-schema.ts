import { z } from 'zod/v4';
import type { LogSpec } from '../store/storage.js';

const AlertStateSchema = z.object({
  status: z.string().optional(),
  assignedTo: z.string().nullable().optional(),
  classification: z.string().optional(),
  determination: z.string().optional(),
  comment: z.string().optional(),
  /** An incident's custom tags. */
  customTags: z.array(z.string()).optional(),
});
export type AlertState = z.infer<typeof AlertStateSchema>;

const EntryValuesSchema = z.record(z.string(), z.union([z.string(), z.boolean()]));

/** A configuration entry `config apply` added, changed or removed, as the file shows it before and after. */
const ConfigChangeSchema = z.object({
  section: z.string(),
  key: z.string(),
  label: z.string(),
  before: EntryValuesSchema.optional(),
  after: EntryValuesSchema.optional(),
});

/**
 * Who did what to which alert or incident, with the values before and after; or, with `config`,
 * what a configuration file changed (alertId then empty). Never pruned by the product. `alertId`
 * and `alertTitle` name the incident when `subject` says so (entries written before incidents
 * could be changed have no subject: they are about alerts).
 */
export const AuditEntrySchema = z.object({
  id: z.string().min(1),
  at: z.iso.datetime(),
  actorId: z.string(),
  actorName: z.string(),
  tenantId: z.string(),
  tenantHandle: z.string(),
  subject: z.enum(['alert', 'incident']).optional(),
  alertId: z.string(),
  alertTitle: z.string().optional(),
  action: z.string(),
  before: AlertStateSchema,
  after: AlertStateSchema,
  outcome: z.enum(['done', 'failed', 'refused']),
  detail: z.string().optional(),
  config: ConfigChangeSchema.optional(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** The audit trail: appended to, queried newest first by customer tenant, never rewritten. */
export const AUDIT_LOG: LogSpec<AuditEntry> = { name: 'audit', schema: AuditEntrySchema, timeOf: (e) => e.at, scopeOf: (e) => e.tenantId };
