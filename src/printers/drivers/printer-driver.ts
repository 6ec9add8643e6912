export interface PrintJobRef {
  id: string;
  /** the label's preview, for drivers that keep one */
  png?: Buffer;
}

/** Sends one rendered label to one printer. A driver instance is bound to its printer's configuration. */
export abstract class PrinterDriver {
  /** Resolves once the printer has taken the whole label; rejects when it may not have. */
  abstract send(zpl: string, job: PrintJobRef): Promise<void>;
}

/** The printer could not be reached or did not take the label in time: the job may be retried later. */
export class PrinterUnreachableError extends Error {
  readonly retryable = true;

  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(`printer at ${address} unreachable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = new.target.name;
  }
}
