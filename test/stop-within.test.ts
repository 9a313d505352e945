import { describe, expect, it } from '@jest/globals';
import { stopWithin } from '../src/stop-within.js';

describe('stopWithin', () => {
  it('says true as soon as the work settles in time, fulfilled or rejected', async () => {
    expect(await stopWithin(5_000, Promise.resolve('done'))).toBe(true);
    expect(await stopWithin(5_000, Promise.reject(new Error('failed')))).toBe(true);
    expect(await stopWithin(5_000, new Promise((resolve) => setTimeout(resolve, 20)))).toBe(true);
  });

  it('says false when the time runs out, leaving the work to the caller', async () => {
    let release: () => void = () => undefined;
    const stuck = new Promise<string>((resolve) => (release = () => resolve('late')));
    expect(await stopWithin(30, stuck)).toBe(false);
    release();
    expect(await stuck).toBe('late');
  });
});
