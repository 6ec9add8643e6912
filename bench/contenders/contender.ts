/**
 * What the queue benchmark needs from each queue it compares. Every job carries an integer key (0..n-1) so the
 * harness can check that each job ran exactly once and time it from enqueue to handler start.
 */

/** Called synchronously by the contender's no-op handler, once per job run, with the job's key. */
export type OnJob = (key: number) => void;

export interface RunningWorker {
  /** Stops claiming and waits until the worker has written everything it holds. */
  stop(): Promise<void>;
}

/** One way of enqueueing a job, measured one at a time with sequential awaits. */
export interface EnqueueVariant {
  readonly label: string;
  /** Enqueue the job with key `i` (keys are unique within a measurement). */
  enqueue(i: number): Promise<void>;
}

export interface Contender {
  readonly name: string;
  /** Human-readable settings, printed into docs/benchmarks.md. */
  readonly settings: string[];
  /** Creates schema, pools and (for libraries) their own objects; called once. */
  setup(): Promise<void>;
  /** The enqueue paths to measure (the first is the contender's own; others are diagnostics). */
  enqueueVariants(): EnqueueVariant[];
  /** Empties the queue (between measurements). */
  reset(): Promise<void>;
  /** Inserts `n` pending jobs with keys 0..n-1 in bulk (not timed), then refreshes planner statistics. */
  prefill(n: number): Promise<void>;
  /** Jobs not yet recorded as finished in the database. */
  remaining(): Promise<number>;
  /** Starts a worker with `concurrency` slots (best settings for that concurrency) running a no-op handler. */
  startWorker(concurrency: number, onJob: OnJob): Promise<RunningWorker>;
  /** The contender's normal submit path (wakes an idle worker), used for pickup latency. */
  enqueueOne(i: number): Promise<void>;
  close(): Promise<void>;
}
