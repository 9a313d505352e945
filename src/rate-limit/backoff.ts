/** Exponential backoff with full jitter, capped: attempt 0 waits up to baseMs, attempt n up to base·2ⁿ. */
export function backoffDelayMs(
  attempt: number,
  { baseMs, capMs }: { baseMs: number; capMs: number },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/**
 * Milliseconds a `Retry-After` header asks for: decimal seconds (Graph sends `2.128`) or an HTTP
 * date. Undefined when absent or unreadable, so callers fall back to backoff.
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
