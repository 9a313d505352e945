/**
 * Waits until `condition` holds, checking every few milliseconds, or fails naming `what` after
 * `timeoutMs`. For effects of real timers and servers that announce nothing to await.
 */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
