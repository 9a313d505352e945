import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

/**
 * How each target is doing, as the instance running delivery publishes it for every instance's
 * `channels` and `rules`: when something last reached it and whether it refuses alerts for good.
 */
export const TargetStatusSchema = z.object({
  /** `kind:…`, the target registry's key. */
  targetKey: z.string().min(1),
  lastSentAt: z.iso.datetime().optional(),
  failing: z.object({ reason: z.string(), at: z.iso.datetime() }).optional(),
});
export type TargetStatus = z.infer<typeof TargetStatusSchema>;

export const TARGET_STATUSES: CollectionSpec<TargetStatus> = { name: 'target-statuses', schema: TargetStatusSchema, keyOf: (s) => s.targetKey };
