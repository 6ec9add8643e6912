import { Injectable } from '@nestjs/common';

/**
 * Wakes the print worker of this process when a label is queued here (an API replica without a worker has nobody
 * listening; the worker replicas find the label at their next poll).
 */
@Injectable()
export class PrintQueueSignal {
  private readonly listeners = new Set<() => void>();

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(): void {
    for (const fn of this.listeners) {
      fn();
    }
  }
}
