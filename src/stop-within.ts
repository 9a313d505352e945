/**
 * Waits for `work` to settle, but no longer than `ms` of real time; resolves true when it settled
 * in time (fulfilled or rejected: only the wait is bounded here, the caller still holds `work`),
 * false when time ran out. Real time on purpose: a shutdown or a deadline must hold whatever clock
 * the caller simulates and however stuck a peer is. The timer never keeps the process alive.
 */
export async function stopWithin(ms: number, work: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([work.then(() => true, () => true), timeUp]);
  } finally {
    clearTimeout(timer);
  }
}
