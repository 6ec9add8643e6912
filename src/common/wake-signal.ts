/**
 * A sleep that `signal()` cuts short. A signal sent while nobody sleeps is remembered, so a wake-up that arrives
 * while the loop is busy (claiming, say) is never lost: the next `sleep` returns at once.
 */
export class WakeSignal {
  private signalled = false;
  private wakeUp: (() => void) | undefined;

  signal(): void {
    this.signalled = true;
    this.wakeUp?.();
  }

  /** Forgets a pending signal (the loop is about to look for work anyway). */
  clear(): void {
    this.signalled = false;
  }

  async sleep(ms: number): Promise<void> {
    if (this.signalled) {
      this.signalled = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.wakeUp = resolve;
      timer = setTimeout(resolve, ms);
    });
    clearTimeout(timer);
    this.wakeUp = undefined;
    this.signalled = false;
  }
}
