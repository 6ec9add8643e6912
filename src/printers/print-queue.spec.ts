import { describe, expect, it } from '@jest/globals';
import { SerialPrintQueue } from './print-queue.js';

/** A promise the test settles by hand. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every already-queued promise callback run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(SerialPrintQueue.name, () => {
  describe('run', () => {
    it('runs tasks for one key one at a time, in submission order', async () => {
      const sut = new SerialPrintQueue();
      const events: string[] = [];
      const first = deferred();
      const a = sut.run('p1', async () => {
        events.push('a start');
        await first.promise;
        events.push('a end');
        return 'a';
      });
      const b = sut.run('p1', () => {
        events.push('b start');
        return Promise.resolve('b');
      });
      await flush();
      expect(events).toEqual(['a start']);
      expect(sut.pending('p1')).toBe(2);
      first.resolve();
      await expect(a).resolves.toBe('a');
      await expect(b).resolves.toBe('b');
      expect(events).toEqual(['a start', 'a end', 'b start']);
    });

    it('runs different keys in parallel', async () => {
      const sut = new SerialPrintQueue();
      const gate = deferred();
      const started: string[] = [];
      const a = sut.run('p1', async () => {
        started.push('p1');
        await gate.promise;
      });
      const b = sut.run('p2', async () => {
        started.push('p2');
        await gate.promise;
      });
      await flush();
      expect(started).toEqual(['p1', 'p2']);
      gate.resolve();
      await expect(Promise.all([a, b])).resolves.toEqual([undefined, undefined]);
    });

    it('goes on with the next task after one fails, and reports the failure to its caller only', async () => {
      const sut = new SerialPrintQueue();
      const failing = sut.run('p1', () => Promise.reject(new Error('paper out')));
      const next = sut.run('p1', () => Promise.resolve('printed'));
      await expect(failing).rejects.toThrow('paper out');
      await expect(next).resolves.toBe('printed');
    });

    it('also survives a task that throws synchronously', async () => {
      const sut = new SerialPrintQueue();
      const failing = sut.run('p1', () => {
        throw new Error('bad zpl');
      });
      await expect(failing).rejects.toThrow('bad zpl');
      await expect(sut.run('p1', () => Promise.resolve(1))).resolves.toBe(1);
    });

    it('forgets a key once it is idle', async () => {
      const sut = new SerialPrintQueue();
      await sut.run('p1', () => Promise.resolve());
      await flush();
      expect(sut.pending('p1')).toBe(0);
    });
  });

  describe('idle', () => {
    it('waits for every submitted task, including ones submitted while waiting', async () => {
      const sut = new SerialPrintQueue();
      const done: string[] = [];
      const gate = deferred();
      void sut.run('p1', async () => {
        await gate.promise;
        done.push('a');
        void sut.run('p2', () => Promise.resolve(done.push('b')));
      });
      const idle = sut.idle();
      gate.resolve();
      await expect(idle).resolves.toBeUndefined();
      expect(done).toEqual(['a', 'b']);
    });
  });
});
