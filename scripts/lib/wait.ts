import { setTimeout as sleep } from 'node:timers/promises';

/*
 * Deadline polling for the tests and benchmarks: ask, and ask again a little later, until the answer is there or
 * the time is up. What to do when the time is up is the caller's: `waitFor` throws, `pollUntil` says so.
 */

/**
 * Calls `probe` every `everyMs` until it returns a truthy value, and returns that value; undefined once `timeoutMs`
 * has passed without one. A probe that throws ends the polling with its error.
 */
export async function pollUntil<T>(
  probe: () => Promise<T> | T,
  timeoutMs: number,
  everyMs: number,
): Promise<NonNullable<T> | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      return undefined;
    }
    await sleep(everyMs);
  }
}

/** Polls `probe` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T> | T,
  timeoutMs = 20_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const value = await pollUntil(probe, timeoutMs, everyMs);
  if (value === undefined) {
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
  return value;
}
