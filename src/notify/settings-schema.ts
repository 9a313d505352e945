import { z } from 'zod/v4';
import type { CollectionSpec } from '../store/storage.js';

/** Product-wide settings changed from chat. */
export const SettingsSchema = z.object({
  /** Always `global`: the product has one set of settings. */
  id: z.literal('global'),
  /** The SOC's own conversation for operational notices (consent progress, broken channels, help requests). */
  socConversationId: z.string().optional(),
});
export type Settings = z.infer<typeof SettingsSchema>;

/** The settings collection: one record, keyed `global`. */
export const SETTINGS: CollectionSpec<Settings> = { name: 'settings', schema: SettingsSchema, keyOf: (s) => s.id };
