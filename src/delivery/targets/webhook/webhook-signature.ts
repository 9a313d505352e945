import { createHmac } from 'node:crypto';

/** When the request was signed: whole seconds since the epoch. Receivers refuse it when it is over 5 minutes old. */
export const TIMESTAMP_HEADER = 'X-SOC-Bridge-Timestamp';
/** `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the endpoint's secret. */
export const SIGNATURE_HEADER = 'X-SOC-Bridge-Signature';

/** The signature of one request (README: "Verifying a webhook request" checks it). */
export function signatureOf(secret: string, timestampSeconds: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex')}`;
}
