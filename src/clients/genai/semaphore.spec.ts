import { describe, expect, it } from '@jest/globals';
import { FakeGenAiClient } from './fake-genai.client.js';
import { LimitedGenAiClient } from './limited-genai.client.js';
import { Semaphore } from './semaphore.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const tick = () => new Promise((r) => setImmediate(r));

describe(Semaphore.name, () => {
  it('never runs more than the limit at once and serves waiters in order', async () => {
    const sut = new Semaphore(2);
    const gates = [deferred(), deferred(), deferred(), deferred()];
    const started: number[] = [];
    let running = 0;
    let peak = 0;
    const runs = gates.map((gate, i) =>
      sut.run(async () => {
        started.push(i);
        running++;
        peak = Math.max(peak, running);
        await gate.promise;
        running--;
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(sut.waiting).toBe(2);
    gates[1].resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0].resolve();
    gates[2].resolve();
    gates[3].resolve();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
    expect(peak).toBe(2);
    expect(sut.inUse).toBe(0);
    expect(sut.waiting).toBe(0);
  });

  it('releases the permit when the task fails', async () => {
    const sut = new Semaphore(1);
    await expect(sut.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(sut.run(() => Promise.resolve('next'))).resolves.toBe('next');
    expect(sut.inUse).toBe(0);
  });

  it('ignores a second release of the same permit', async () => {
    const sut = new Semaphore(1);
    const release = await sut.acquire();
    release();
    release();
    expect(sut.inUse).toBe(0);
    const again = await sut.acquire();
    expect(sut.inUse).toBe(1);
    again();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the limit %p', (limit) => {
    expect(() => new Semaphore(limit)).toThrow(RangeError);
  });
});

describe(LimitedGenAiClient.name, () => {
  it('queues extractions past the limit and passes provider, remote and selfcheck through', async () => {
    const gate = deferred();
    const inner = new FakeGenAiClient({ remote: true, answers: [() => ({ first: true })] });
    const sut = new LimitedGenAiClient(inner, new Semaphore(1));
    const blocker = sut.semaphore.run(() => gate.promise);
    const extraction = sut.extract({ system: 's', prompt: 'p', schema: {} });
    await tick();
    expect(inner.requests).toHaveLength(0);
    gate.resolve();
    await blocker;
    await expect(extraction).resolves.toMatchObject({ data: { first: true } });
    expect(sut.provider).toBe('fake');
    expect(sut.remote).toBe(true);
    await expect(sut.selfcheck()).resolves.toEqual({ ok: true });
  });
});
