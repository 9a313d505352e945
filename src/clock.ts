/** The one source of time: services take a Clock so tests can drive time. */
export interface Clock {
  now(): Date;
  /** Milliseconds since the epoch (cheaper than `now()` in hot paths). */
  nowMs(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  nowMs: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
