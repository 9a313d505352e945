import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { AlertSchema, type Alert } from '../defender/alert.js';

/** An alert as the store keeps it: JSON, deflated, base64. */
export function packAlert(alert: Alert): string {
  return deflateRawSync(JSON.stringify(alert)).toString('base64');
}

/** The alert a packed body holds, validated as Graph's answers are; undefined if unreadable. */
export function unpackAlert(packed: string): Alert | undefined {
  try {
    const parsed = AlertSchema.safeParse(JSON.parse(inflateRawSync(Buffer.from(packed, 'base64')).toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
