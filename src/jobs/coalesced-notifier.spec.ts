import { describe, expect, it } from '@jest/globals';
import { CoalescedNotifier } from './coalesced-notifier.js';

/** A send the test completes by hand. */
function manualSend() {
  const pending: (() => void)[] = [];
  let sent = 0;
  const send = () =>
    new Promise<void>((resolve) => {
      sent += 1;
      pending.push(resolve);
    });
  const finishOne = async () => {
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { send, finishOne, sent: () => sent };
}

describe(CoalescedNotifier.name, () => {
  it('sends at once, and once more after the send in flight however many pokes came during it', async () => {
    const m = manualSend();
    const sut = new CoalescedNotifier(m.send, () => undefined);
    sut.poke();
    expect(m.sent()).toBe(1);
    sut.poke();
    sut.poke();
    sut.poke();
    expect(m.sent()).toBe(1); // coalesced while the first is in flight
    await m.finishOne();
    expect(m.sent()).toBe(2); // the one owed to the pokes that came after the first had left
    await m.finishOne();
    await sut.idle();
    expect(m.sent()).toBe(2);
    sut.poke();
    expect(m.sent()).toBe(3); // idle again: the next poke sends at once
    await m.finishOne();
  });

  it('reports a failed send and keeps working', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const sut = new CoalescedNotifier(
      () => (++calls === 1 ? Promise.reject(new Error('connection lost')) : Promise.resolve()),
      (err) => errors.push(err),
    );
    sut.poke();
    await sut.idle();
    sut.poke();
    await sut.idle();
    expect(calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
