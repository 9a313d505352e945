import {
  AlertSnapshotSchema,
  DeliveryRecordSchema,
  DigestRecordSchema,
  IncidentSnapshotSchema,
  IncidentThreadSchema,
  PollCursorSchema,
  TargetHealthSchema,
  type AlertSnapshot,
  type DeliveryRecord,
  type DigestRecord,
  type IncidentSnapshot,
  type IncidentThread,
  type PollCursor,
  type TargetHealth,
} from './store-schema.js';

const SECTION_SCHEMAS = { deliveries: DeliveryRecordSchema, alerts: AlertSnapshotSchema, digests: DigestRecordSchema, cursors: PollCursorSchema, targets: TargetHealthSchema, incidents: IncidentSnapshotSchema, threads: IncidentThreadSchema } as const;

/** A stored delivery record with the section it belongs to, validated. */
export type ParsedRecord =
  | { readonly section: 'deliveries'; readonly record: DeliveryRecord }
  | { readonly section: 'alerts'; readonly record: AlertSnapshot }
  | { readonly section: 'digests'; readonly record: DigestRecord }
  | { readonly section: 'cursors'; readonly record: PollCursor }
  | { readonly section: 'targets'; readonly record: TargetHealth }
  | { readonly section: 'incidents'; readonly record: IncidentSnapshot }
  | { readonly section: 'threads'; readonly record: IncidentThread };

/** A stored record validated with its section's schema; undefined when it does not fit. */
export function parseRecord(section: string, record: unknown): ParsedRecord | undefined {
  const schema = SECTION_SCHEMAS[section as keyof typeof SECTION_SCHEMAS];
  const parsed = schema?.safeParse(record);
  return parsed?.success ? ({ section, record: parsed.data } as ParsedRecord) : undefined;
}
