import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

/**
 * The onboarding section of the store: per customer tenant, the consent link currently valid, the
 * cards it lives on, what the admin-consent answer was, the access-grant checklist progress and a
 * history of onboarding events (kept after offboarding, like the audit trail).
 */

export const REQUESTED_ACCESS = ['read', 'readwrite'] as const;
export type RequestedAccess = (typeof REQUESTED_ACCESS)[number];

export const CONSENT_STATES = ['waiting', 'declined', 'unverified', 'connected', 'replaced'] as const;
export type ConsentState = (typeof CONSENT_STATES)[number];

/** A message SOC Bridge posted and may edit later; Teams sometimes gives no id (202). */
const PostedCardSchema = z.object({
  conversationId: z.string().min(1),
  messageId: z.string().min(1).optional(),
});
export type PostedCard = z.infer<typeof PostedCardSchema>;

/** The one consent link that currently works for a tenant: issuing a new one replaces it. */
const ConsentLinkSchema = z.object({
  /** Random id carried in the signed state; a state with any other nonce is refused. */
  nonce: z.string().min(16),
  issuedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime(),
  issuedBy: z.string(),
  /** Set when the link came back through the callback: it works once. */
  usedAt: z.iso.datetime().optional(),
});
export type ConsentLink = z.infer<typeof ConsentLinkSchema>;

const ActorRefSchema = z.object({ id: z.string(), name: z.string() });
export type ActorRef = z.infer<typeof ActorRefSchema>;

const StepProgressSchema = z.object({
  doneBy: ActorRefSchema.optional(),
  doneAt: z.iso.datetime().optional(),
  helpBy: ActorRefSchema.optional(),
  helpAt: z.iso.datetime().optional(),
});
export type StepProgress = z.infer<typeof StepProgressSchema>;

const HistoryEntrySchema = z.object({
  at: z.iso.datetime(),
  event: z.string().min(1),
  by: z.string().optional(),
  detail: z.string().optional(),
});
export type OnboardingHistoryEntry = z.infer<typeof HistoryEntrySchema>;

export const OnboardingRecordSchema = z.object({
  /** The customer's Entra tenant id (lower case); one record per tenant. */
  tenantId: z.string().min(1),
  requestedAccess: z.enum(REQUESTED_ACCESS),
  requestedBy: ActorRefSchema,
  requestedAt: z.iso.datetime(),
  /** The Entra tenant of the MSSP's Teams, named in the checklist (connected organisation step). */
  msspTenantId: z.string().optional(),
  /** The customer admin named with `admin:@mention`, if any. */
  customerAdmin: ActorRefSchema.optional(),
  link: ConsentLinkSchema.optional(),
  consentCard: PostedCardSchema.optional(),
  consent: z.object({
    state: z.enum(CONSENT_STATES),
    at: z.iso.datetime(),
    detail: z.string().optional(),
    /** Application permissions the last successful proof found in the token's `roles`. */
    grantedRoles: z.array(z.string()).optional(),
  }),
  checklist: z.object({
    card: PostedCardSchema.optional(),
    steps: z.record(z.string(), StepProgressSchema).default({}),
  }),
  offboarded: z.object({ by: ActorRefSchema, at: z.iso.datetime() }).optional(),
  history: z.array(HistoryEntrySchema).default([]),
});
export type OnboardingRecord = z.infer<typeof OnboardingRecordSchema>;

/** The onboarding collection, one record per customer tenant. */
export const ONBOARDING_RECORDS: CollectionSpec<OnboardingRecord> = { name: 'onboarding', schema: OnboardingRecordSchema, keyOf: (r) => r.tenantId };
