import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { newJobFixture } from '../../test/support/job-factory.js';
import type { AppConfig } from '../config/app-config.js';
import { JobEnqueuer } from './job-enqueuer.js';
import type { NewJob } from './job.model.js';
import type { JobsRepository } from './jobs.repository.js';

Logger.overrideLogger(false);

const job = (requestId: string): NewJob => newJobFixture({ id: requestId, requestId });

/** Records, in order, each insert (with whether it notified) and each NOTIFY; inserts finish when released. */
class RecordingRepository {
  readonly events: string[] = [];
  private readonly gates: (() => void)[] = [];

  insertJob(j: NewJob, _document: unknown, notify: boolean): Promise<{ seq: string }> {
    this.events.push(`insert ${j.requestId}${notify ? ' +notify' : ''}`);
    return new Promise((resolve) =>
      this.gates.push(() => {
        this.events.push(`commit ${j.requestId}`);
        resolve({ seq: j.id });
      }),
    );
  }
  notifyQueue(): Promise<void> {
    this.events.push('notify');
    return Promise.resolve();
  }
  commitNext(): void {
    this.gates.shift()?.();
  }
}

describe(JobEnqueuer.name, () => {
  it('notifies in the insert when it is the only one in flight, and after the commits of concurrent ones', async () => {
    const repository = new RecordingRepository();
    const sut = new JobEnqueuer({} as AppConfig, repository as unknown as JobsRepository);
    const a = sut.enqueue(job('a'));
    const b = sut.enqueue(job('b'));
    const c = sut.enqueue(job('c'));
    repository.commitNext();
    repository.commitNext();
    repository.commitNext();
    await Promise.all([a, b, c]);
    await sut.announced();
    expect(repository.events).toEqual([
      'insert a +notify',
      'insert b',
      'insert c',
      'commit a',
      'commit b',
      'commit c',
      'notify', // poked by b
      'notify', // owed to c, which committed while b's NOTIFY was in flight
    ]);
    // Alone again: the NOTIFY goes back into the insert.
    const d = sut.enqueue(job('d'));
    repository.commitNext();
    await expect(d).resolves.toEqual({ seq: 'd' });
    await sut.announced();
    expect(repository.events.slice(8)).toEqual(['insert d +notify', 'commit d']);
  });
});
