import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { claimedJobFixture } from '../../test/support/job-factory.js';
import type { AppConfig } from '../config/app-config.js';
import { JobHandler, type JobOutcome } from './job-handler.js';
import { JobWorker } from './job-worker.js';
import { type ClaimedJob, JobStatus } from './job.model.js';
import type { JobsRepository } from './jobs.repository.js';
import type { QueueListener } from './queue-listener.js';

Logger.overrideLogger(false);

const job = (id: string): ClaimedJob => claimedJobFixture({ id });

/** A queue held in memory: claims take from `waiting`; every call is recorded. */
class FakeRepository {
  waiting: ClaimedJob[] = [];
  claims: number[] = [];
  released: string[] = [];
  finished: string[] = [];

  claim(_worker: string, limit: number): Promise<ClaimedJob[]> {
    this.claims.push(limit);
    return Promise.resolve(this.waiting.splice(0, limit));
  }
  finish(_worker: string, items: { id: string }[]): Promise<string[]> {
    this.finished.push(...items.map((i) => i.id));
    return Promise.resolve(items.map((i) => i.id));
  }
  release(_worker: string, ids: string[]): Promise<string[]> {
    this.released.push(...ids);
    return Promise.resolve(ids);
  }
  heartbeat(): Promise<string[]> {
    return Promise.resolve([]);
  }
}

class FakeListener {
  subscribe(): () => void {
    return () => undefined;
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
}

/** Runs a job until the test lets it finish. */
class GatedHandler extends JobHandler {
  readonly started: string[] = [];
  private readonly gates = new Map<string, () => void>();

  handle(j: ClaimedJob): Promise<JobOutcome> {
    this.started.push(j.id);
    return new Promise((resolve) =>
      this.gates.set(j.id, () => resolve({ status: JobStatus.Done, result: null, timingsMs: null, error: null })),
    );
  }
  finish(id: string): void {
    this.gates.get(id)?.();
  }
}

function config(workerConcurrency: number, workerPrefetch = 0): AppConfig {
  const queue = { workerConcurrency, workerPrefetch, pollIntervalMs: 60_000, orphanTimeoutS: 60, clientMaxRunning: 0 };
  return { queue } as unknown as AppConfig;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('JobWorker.reserveSlot (hand-off of a job submitted in this process)', () => {
  let worker: JobWorker | undefined;
  afterEach(async () => {
    await worker?.stop(0);
    worker = undefined;
  });

  function start(repository: FakeRepository, handler: GatedHandler, slots: number): Promise<JobWorker> {
    worker = new JobWorker(
      config(slots),
      repository as unknown as JobsRepository,
      new FakeListener() as unknown as QueueListener,
      handler,
    );
    return worker.start().then(() => worker!);
  }

  it('offers a free slot once its last claim found the queue empty, and runs the job it is given', async () => {
    const repository = new FakeRepository();
    const handler = new GatedHandler();
    const sut = await start(repository, handler, 2);
    await settle();
    const slot = sut.reserveSlot();
    expect(slot?.workerId).toBe(sut.workerId);
    slot!.start(job('handed'));
    expect(handler.started).toEqual(['handed']);
    expect(sut.state.in_flight).toBe(1);
    handler.finish('handed');
    await settle();
    expect(repository.finished).toEqual(['handed']);
  });

  it('offers nothing while jobs are waiting for it: a full claim means the queue may hold more', async () => {
    const repository = new FakeRepository();
    repository.waiting = [job('a'), job('b'), job('c')];
    const handler = new GatedHandler();
    const sut = await start(repository, handler, 2);
    await settle();
    expect(handler.started).toEqual(['a', 'b']);
    expect(sut.reserveSlot()).toBeNull(); // both slots busy
    handler.finish('a');
    await settle();
    expect(handler.started).toEqual(['a', 'b', 'c']);
    // The claim that took 'c' asked for one and got it: there may be more, so still no hand-off.
    handler.finish('b');
    await settle();
    // That slot's claim came back empty: now the worker is idle and takes hand-offs.
    expect(sut.reserveSlot()).not.toBeNull();
  });

  it('counts a reserved slot as taken, and a released one as free again', async () => {
    const repository = new FakeRepository();
    const handler = new GatedHandler();
    const sut = await start(repository, handler, 1);
    await settle();
    const slot = sut.reserveSlot();
    expect(slot).not.toBeNull();
    expect(sut.reserveSlot()).toBeNull(); // the only slot is promised
    repository.waiting = [job('queued')];
    slot!.release();
    slot!.release(); // a second settle is a no-op
    await settle();
    expect(handler.started).toEqual(['queued']); // the freed slot went back to claiming
  });

  it('hands a job given during shutdown back to the queue instead of running it', async () => {
    const repository = new FakeRepository();
    const handler = new GatedHandler();
    const sut = await start(repository, handler, 1);
    await settle();
    const slot = sut.reserveSlot();
    await sut.stopClaiming();
    expect(sut.reserveSlot()).toBeNull();
    slot!.start(job('late'));
    await settle();
    expect(handler.started).toEqual([]);
    expect(repository.released).toEqual(['late']);
  });
});
