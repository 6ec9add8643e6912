/**
 * Runs tasks strictly one at a time per key (a printer id) and in submission order, while different keys run in
 * parallel: two labels for one printer never interleave on its connection. In memory only; the persisted
 * `print_jobs` table decides what is submitted, and retries, after a restart.
 */
export class SerialPrintQueue {
  /** The settled-or-not end of each key's chain; removed once the key is idle, so the map does not grow. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly depth = new Map<string, number>();

  /** Resolves or rejects as the task does, after every task submitted earlier for the key has settled. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    // A failed task must not stop the ones behind it, so the chain continues on either outcome.
    const result = previous.then(() => task());
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    this.depth.set(key, (this.depth.get(key) ?? 0) + 1);
    void tail.then(() => {
      const left = (this.depth.get(key) ?? 1) - 1;
      if (left === 0) {
        this.depth.delete(key);
        this.tails.delete(key);
      } else {
        this.depth.set(key, left);
      }
    });
    return result;
  }

  /** Tasks submitted for the key and not yet settled, the running one included. */
  pending(key: string): number {
    return this.depth.get(key) ?? 0;
  }

  /** Settles when every task submitted so far, for every key, has settled (for shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) {
      await Promise.all(this.tails.values());
    }
  }
}
