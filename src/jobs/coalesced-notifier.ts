/**
 * Sends one notification per burst of `poke()` calls. A poke while a send is in flight asks for exactly one more
 * send after it, because the one in flight may have reached listeners before the poker's own commit did.
 * Failures are reported and dropped: the notification is a latency hint, the workers' poll is the guarantee.
 */
export class CoalescedNotifier {
  private sending: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly send: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  poke(): void {
    if (this.sending) {
      this.again = true;
      return;
    }
    this.sending = this.drain().finally(() => {
      this.sending = undefined;
    });
  }

  /** Resolves when no send is in flight or owed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.sending) {
      await this.sending;
    }
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.send();
      } catch (err) {
        this.onError(err);
      }
    } while (this.again);
  }
}
