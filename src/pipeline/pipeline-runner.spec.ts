import 'reflect-metadata';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { claimedJobFixture } from '../../test/support/job-factory.js';
import type { AppConfig } from '../config/app-config.js';
import { JobFailedError } from '../jobs/job-handler.js';
import { JobStatus } from '../jobs/job.model.js';
import type { PipelineContext } from './pipeline-context.js';
import { PipelineRunner, StepTimingSink } from './pipeline-runner.js';
import type { PipelineStep } from './pipeline-step.js';

Logger.overrideLogger(false);

class RecordingSink extends StepTimingSink {
  readonly observed: string[] = [];
  observeStepDuration(step: string): void {
    this.observed.push(step);
  }
}

/** A step that records that it ran, then does `body` (default: nothing). */
class FakeStep implements PipelineStep {
  ran = false;
  constructor(
    readonly name: string,
    private readonly body: (ctx: PipelineContext) => Promise<void> = () => Promise.resolve(),
  ) {}
  run(ctx: PipelineContext): Promise<void> {
    this.ran = true;
    return this.body(ctx);
  }
}

/** The last step: settles the outcome, as the response handler does. */
const finishing = () =>
  new FakeStep('response', (ctx) => {
    ctx.outcome = { status: JobStatus.Done, result: {}, timingsMs: null, error: null };
    return Promise.resolve();
  });

/** Waits for the signal and fails as an LLM client does when its fetch is aborted: a retryable error of its own. */
const honouringSignal = (ctx: PipelineContext) =>
  new Promise<void>((_resolve, reject) => {
    ctx.signal.addEventListener('abort', () =>
      reject(Object.assign(new Error('fake call failed: aborted'), { code: 'GENAI_UNAVAILABLE', retryable: true })),
    );
  });

const config = (jobTimeoutS: number) => ({ pipeline: { jobTimeoutS } }) as AppConfig;

function runner(steps: PipelineStep[], jobTimeoutS: number, sink = new RecordingSink()): PipelineRunner {
  return new PipelineRunner(steps, sink, config(jobTimeoutS));
}

describe(PipelineRunner.name, () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  describe('handle', () => {
    it('fails JOB_TIMEOUT, not retryable, at the first step boundary past the deadline, naming the step it was in', async () => {
      const ocr = new FakeStep('ocr', () => {
        jest.advanceTimersByTime(60_000); // a step that ignores the signal and runs past the deadline
        return Promise.resolve();
      });
      const genai = new FakeStep('genai');
      const sink = new RecordingSink();
      const sut = runner([new FakeStep('setup'), ocr, genai, finishing()], 60, sink);

      const failure = await sut.handle(claimedJobFixture(), new AbortController().signal).catch((e: unknown) => e);

      expect(failure).toBeInstanceOf(JobFailedError);
      expect(failure).toMatchObject({ code: 'JOB_TIMEOUT', retryable: false });
      expect((failure as Error).message).toBe('the job ran past IX_JOB_TIMEOUT_S (60 s) in step ocr');
      expect(genai.ran).toBe(false);
      expect(sink.observed).toEqual(['setup', 'ocr']);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('fails JOB_TIMEOUT when a step that honours the signal stops at the deadline, whatever error it throws', async () => {
      const sink = new RecordingSink();
      let started!: () => void;
      const inGenai = new Promise<void>((resolve) => (started = resolve));
      const genai = new FakeStep('genai', (ctx) => {
        started();
        return honouringSignal(ctx);
      });
      const sut = runner([new FakeStep('setup'), genai, finishing()], 30, sink);

      const handled = sut.handle(claimedJobFixture(), new AbortController().signal);
      await inGenai;
      jest.advanceTimersByTime(30_000);

      await expect(handled).rejects.toMatchObject({
        code: 'JOB_TIMEOUT',
        retryable: false,
        message: 'the job ran past IX_JOB_TIMEOUT_S (30 s) in step genai',
      });
      expect(sink.observed).toEqual(['setup', 'genai']);
    });

    it('on shutdown between steps, rejects with the shutdown reason and runs no further step', async () => {
      const shutdown = new AbortController();
      const reason = new Error('worker shutting down');
      const genai = new FakeStep('genai');
      const ocr = new FakeStep('ocr', () => {
        shutdown.abort(reason);
        return Promise.resolve();
      });
      const sut = runner([new FakeStep('setup'), ocr, genai, finishing()], 60);

      await expect(sut.handle(claimedJobFixture(), shutdown.signal)).rejects.toBe(reason);
      expect(genai.ran).toBe(false);
    });

    it('on shutdown inside a step, maps what the step threw as before (not JOB_TIMEOUT), the signal carrying its reason', async () => {
      const shutdown = new AbortController();
      const reason = new Error('worker shutting down');
      let seen: unknown;
      const genai = new FakeStep('genai', async (ctx) => {
        const stopped = honouringSignal(ctx);
        shutdown.abort(reason);
        seen = ctx.signal.reason;
        await stopped;
      });
      const sut = runner([genai, finishing()], 60);

      await expect(sut.handle(claimedJobFixture(), shutdown.signal)).rejects.toMatchObject({
        code: 'GENAI_UNAVAILABLE',
        retryable: true,
      });
      expect(seen).toBe(reason);
      expect(jest.getTimerCount()).toBe(0);
    });

    it('with IX_JOB_TIMEOUT_S 0 sets no deadline: a step may run for a day, and steps get the shutdown signal', async () => {
      const shutdown = new AbortController();
      let signal: AbortSignal | undefined;
      const ocr = new FakeStep('ocr', (ctx) => {
        signal = ctx.signal;
        jest.advanceTimersByTime(86_400_000);
        return Promise.resolve();
      });
      const sut = runner([ocr, finishing()], 0);

      const outcome = await sut.handle(claimedJobFixture(), shutdown.signal);

      expect(outcome.status).toBe(JobStatus.Done);
      expect(Object.keys(outcome.timingsMs ?? {})).toEqual(['ocr', 'response', 'total']);
      expect(signal).toBe(shutdown.signal);
    });

    it('returns the outcome of a job within its deadline and leaves no timer behind', async () => {
      const sut = runner([new FakeStep('setup'), finishing()], 1800);

      await expect(sut.handle(claimedJobFixture(), new AbortController().signal)).resolves.toMatchObject({
        status: JobStatus.Done,
      });
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
