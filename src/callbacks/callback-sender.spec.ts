import { describe, expect, it } from '@jest/globals';
import { nextCallbackDelayMs } from './callback-sender.js';

describe(nextCallbackDelayMs.name, () => {
  const policy = { baseMs: 1000, maxMs: 60_000 };

  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 0, 1000],
    [2, 0.5, 1500],
    [3, 1, 4000],
    [6, 1, 32_000],
    [7, 0, 30_000],
    [7, 1, 60_000],
    [50, 1, 60_000],
  ])('attempt %i with random %p waits %i ms', (attempt, r, expected) => {
    expect(nextCallbackDelayMs(attempt, () => r, policy)).toBe(expected);
  });

  it('grows exponentially and never exceeds the cap', () => {
    const ceilings = Array.from({ length: 12 }, (_, i) => nextCallbackDelayMs(i + 1, () => 1, policy));
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('keeps at least half the ceiling, whatever the random source says', () => {
    expect(nextCallbackDelayMs(3, () => -1, policy)).toBe(2000);
    expect(nextCallbackDelayMs(3, () => 7, policy)).toBe(4000);
    expect(nextCallbackDelayMs(0, () => 0, policy)).toBe(500);
  });

  it('defaults to 10 s doubling up to an hour', () => {
    expect(nextCallbackDelayMs(1, () => 1)).toBe(10_000);
    expect(nextCallbackDelayMs(20, () => 1)).toBe(3_600_000);
  });
});
