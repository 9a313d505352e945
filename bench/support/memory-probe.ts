/**
 * Preloaded (`node --expose-gc --import`) into an app process the storage benchmark forks: asked
 * `{ type: 'memory' }` over IPC, it answers with `process.memoryUsage()` before and after a full
 * garbage collection and the peak RSS so far, so the benchmark can tell the live heap from what
 * the process merely holds.
 */
export interface MemoryReport {
  readonly type: 'memory';
  readonly before: NodeJS.MemoryUsage;
  readonly afterGc: NodeJS.MemoryUsage;
  /** Peak resident set size of the process so far, in KiB. */
  readonly maxRssKb: number;
}

process.on('message', (message: unknown) => {
  if ((message as { type?: unknown } | null)?.type !== 'memory') return;
  const before = process.memoryUsage();
  (globalThis as { gc?: () => void }).gc?.();
  const report: MemoryReport = { type: 'memory', before, afterGc: process.memoryUsage(), maxRssKb: process.resourceUsage().maxRSS };
  process.send?.(report);
});
// The IPC channel must not keep the app alive once it has stopped.
process.channel?.unref();
