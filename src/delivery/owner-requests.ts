import { z } from 'zod/v4';
import { AlertSchema } from '../defender/alert.js';
import { IncidentSchema } from '../defender/incident.js';
import { DeliveryError } from '../errors.js';
import type { DeliveryOutcome } from './outcomes.js';
import type { RoutedTarget, SampleResult } from './ports.js';
import { ContentOptionsSchema, DeliveryTargetSchema, SampleInfoSchema } from './store-schema.js';

/**
 * What an instance asks of the instance running delivery, through the `delivery` mailbox, and the
 * answers it gets. Bodies are JSON in the store: each side validates what it reads.
 */

/** The mailbox the instance running delivery takes requests from. */
export const DELIVERY_MAILBOX = 'delivery';

const ChangeOriginSchema = z.object({ conversationId: z.string().min(1), messageId: z.string().optional() });
const RoutedTargetSchema = z.object({ target: DeliveryTargetSchema, ruleId: z.string(), options: ContentOptionsSchema, grouping: z.enum(['incident', 'alert']).optional(), notify: z.enum(['first', 'every']).optional() });

export const OwnerRequestSchemas = {
  /** An analyst changed an alert from a card: every card it became follows. */
  'alert-changed': z.object({ tenantId: z.string().min(1), alert: AlertSchema, origin: ChangeOriginSchema.optional() }),
  /** An analyst changed an incident from a card: every incident card it became in a thread follows. */
  'incident-changed': z.object({ tenantId: z.string().min(1), incident: IncidentSchema, writable: z.boolean(), origin: ChangeOriginSchema.optional() }),
  /** Poll this tenant now, whatever its schedule. */
  'poll-now': z.object({ tenantId: z.string().min(1) }),
  /** `rule test`: send these samples and answer with each outcome. */
  'send-samples': z.object({
    samples: z.array(z.object({ tenantId: z.string().min(1), alert: AlertSchema, routed: RoutedTargetSchema })),
    sample: SampleInfoSchema,
  }),
} as const;
export type OwnerRequestKind = keyof typeof OwnerRequestSchemas;
export type OwnerRequest<K extends OwnerRequestKind> = z.infer<(typeof OwnerRequestSchemas)[K]>;

const FailureSchema = z.object({
  service: z.enum(['graph', 'entra', 'teams', 'smtp', 'webhook']),
  kind: z.enum(['throttled', 'transient', 'gone', 'rejected']),
  message: z.string(),
  userMessage: z.string(),
  status: z.number().optional(),
  retryAfterMs: z.number().optional(),
});
const OutcomeSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('sent') }),
  z.object({ status: z.enum(['failed', 'gone']), reason: z.string(), failure: FailureSchema.optional() }),
  z.object({ status: z.literal('trying'), failure: FailureSchema.optional() }),
]);
/** The answer to `send-samples`: each sample's outcome, in the order asked. */
export const SampleOutcomesSchema = z.array(OutcomeSchema);

/** An outcome as JSON: a delivery error travels as its fields. */
export function outcomeToJson(outcome: DeliveryOutcome): z.input<typeof OutcomeSchema> {
  if (outcome.status === 'sent' || !outcome.failure) return outcome.status === 'sent' ? { status: 'sent' } : { ...outcome, failure: undefined };
  const f = outcome.failure;
  const failure = { service: f.service, kind: f.kind, message: f.message, userMessage: f.userMessage, ...(f.status === undefined ? {} : { status: f.status }), ...(f.retryAfterMs === undefined ? {} : { retryAfterMs: f.retryAfterMs }) };
  return { ...outcome, failure };
}

/** Rebuilds the outcomes an answer holds, paired with the targets asked about. */
export function sampleResultsFromJson(answer: unknown, routed: readonly RoutedTarget[]): SampleResult[] {
  const parsed = SampleOutcomesSchema.safeParse(answer);
  return routed.map((target, i) => {
    const outcome = parsed.success ? parsed.data[i] : undefined;
    if (!outcome) return { routed: target, outcome: { status: 'trying' } };
    if (outcome.status === 'sent' || !outcome.failure) return { routed: target, outcome: outcome.status === 'sent' ? { status: 'sent' } : { ...outcome, failure: undefined } };
    const f = outcome.failure;
    const failure = new DeliveryError({ service: f.service, kind: f.kind, message: f.message, userMessage: f.userMessage, status: f.status, retryAfterMs: f.retryAfterMs });
    return { routed: target, outcome: { ...outcome, failure } };
  });
}
