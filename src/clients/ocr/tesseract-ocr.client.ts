import { Logger } from '@nestjs/common';
import Tesseract from 'tesseract.js';
import type { Worker as ThreadWorker } from 'node:worker_threads';
import { DocumentError, DocumentErrorCode } from '../../documents/document-error.js';
import type { OcrPage } from '../../documents/document.types.js';
import { imageSize } from '../../documents/image-header.js';
import { OcrClient, type RecognizeOptions, type SelfcheckResult } from './ocr.client.js';
import { checkLanguages, prepareLangPath } from './tessdata.js';
import { toOcrPage } from './tesseract-page.js';

export interface TesseractOcrOptions {
  /** Used when a call names no languages. Default `['eng', 'deu']`. */
  languages?: string[];
  /** Worker threads per language set (each ~200 MB RSS, one page at a time). Default 1. */
  poolSize?: number;
  /** A page taking longer than this fails and its pool is restarted. Default 120 s. */
  recognizeTimeoutMs?: number;
  /** Starting a worker (loading the engine and language data) longer than this fails. Default 60 s. */
  startTimeoutMs?: number;
}

export const DEFAULT_OCR_LANGUAGES = ['eng', 'deu'];

interface Pool {
  key: string;
  scheduler: Tesseract.Scheduler;
  threads: ThreadWorker[];
  /** Workers without a page. Pages wait here rather than in the scheduler, so a page's timeout counts its OCR only. */
  idle: number;
  waiting: (() => void)[];
  /** Rejecters of the pages waiting or running on this pool, so a dead pool fails them instead of leaving them pending. */
  inFlight: Set<(error: Error) => void>;
  stopping: boolean;
}

function errorOf(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/** tesseract.js gives the underlying worker thread as `worker.worker`, but does not type it. */
function threadOf(worker: Tesseract.Worker): ThreadWorker | undefined {
  return (worker as unknown as { worker?: ThreadWorker }).worker ?? undefined;
}

/**
 * A page or a worker start took too long (`OCR_TIMEOUT`). A page is not retried: one that exhausted the per-page
 * limit would do so again, holding an OCR worker that long each time. A slow start (a busy machine) is retried.
 */
export class OcrTimeoutError extends Error {
  readonly code = 'OCR_TIMEOUT';

  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A page that was waiting for, or running on, an OCR pool that had to be restarted because of another page (one that
 * timed out) or a worker thread that died. The page itself is not known to be at fault: `recognize` tries it once
 * more on a fresh pool.
 */
export class OcrPoolRestartedError extends Error {
  constructor(reason: string) {
    super(`the OCR worker was restarted (${reason})`);
    this.name = new.target.name;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string, retryable = false): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OcrTimeoutError(message, retryable)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * OCR with tesseract.js 7 (WebAssembly tesseract in worker threads, so recognition never blocks the event loop).
 * Language data comes from the installed `@tesseract.js-data/*` packages; nothing is fetched at run time.
 *
 * Workers start on first use, one pool per language set (`poolSize` workers behind a tesseract.js scheduler, which
 * queues pages while all are busy). A worker thread that dies or a page that hangs fails the pages in flight on that
 * pool and retires it; the next call starts a fresh one.
 */
export class TesseractOcrClient extends OcrClient {
  private readonly logger = new Logger(TesseractOcrClient.name);
  private readonly languages: string[];
  private readonly poolSize: number;
  private readonly recognizeTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly pools = new Map<string, Promise<Pool>>();
  /** The started pool behind each settled entry of `pools`. */
  private readonly ready = new Map<string, Pool>();
  private closed = false;
  private lastFailure: string | undefined;

  constructor(options: TesseractOcrOptions = {}) {
    super();
    this.languages = options.languages ?? DEFAULT_OCR_LANGUAGES;
    this.poolSize = options.poolSize ?? 1;
    this.recognizeTimeoutMs = options.recognizeTimeoutMs ?? 120_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 60_000;
    if (!Number.isInteger(this.poolSize) || this.poolSize < 1) {
      throw new RangeError(`poolSize must be a positive integer (got ${this.poolSize})`);
    }
  }

  async recognize(image: Buffer, opts: RecognizeOptions): Promise<OcrPage> {
    if (this.closed) {
      throw new Error('The OCR client is closed');
    }
    // Boxes are scaled by the image's size, read from its header; this also refuses non-images before OCR.
    const size = imageSize(image);
    const languages = opts.languages.length > 0 ? opts.languages : this.languages;
    let result: Tesseract.RecognizeResult;
    try {
      result = await this.run(await this.pool(languages), image, opts.page);
    } catch (error) {
      if (!(error instanceof OcrPoolRestartedError) || this.closed) {
        throw error;
      }
      // Another page took the pool down: this one gets a second chance on a fresh pool (once: if the page itself
      // crashes the engine, it fails the second time).
      result = await this.run(await this.pool(languages), image, opts.page);
    }
    return toOcrPage(result.data, size, opts.page);
  }

  async selfcheck(): Promise<SelfcheckResult> {
    if (this.closed) {
      return { ok: false, detail: 'closed' };
    }
    try {
      await checkLanguages(this.languages);
    } catch (error) {
      return { ok: false, detail: errorOf(error).message };
    }
    const running = [...this.pools.keys()];
    const state = running.length > 0 ? `workers running for ${running.join(', ')}` : 'workers start on first use';
    const failure = this.lastFailure ? `; last failure: ${this.lastFailure}` : '';
    return { ok: true, detail: `tesseract.js ${this.languages.join('+')}, ${state}${failure}` };
  }

  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.ready.clear();
    for (const pending of pools) {
      const pool = await pending.catch(() => undefined);
      if (pool) {
        await this.retire(pool, new Error('The OCR client was closed'));
      }
    }
  }

  /** Nest calls this on shutdown when the client is a provider. */
  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private pool(languages: string[]): Promise<Pool> {
    const key = languages.join('+');
    let pool = this.pools.get(key);
    if (!pool) {
      pool = this.startPool(key, languages);
      this.pools.set(key, pool);
      // A pool that failed to start is forgotten, so the next page tries again.
      void pool.catch(() => {
        if (this.pools.get(key) === pool) {
          this.pools.delete(key);
        }
      });
    }
    return pool;
  }

  private async startPool(key: string, languages: string[]): Promise<Pool> {
    const started = Date.now();
    const { langPath, release } = await prepareLangPath(languages);
    let workers: Tesseract.Worker[];
    try {
      const attempts = await Promise.allSettled(
        Array.from({ length: this.poolSize }, () => this.startWorker(key, langPath)),
      );
      workers = attempts.flatMap((a) => (a.status === 'fulfilled' ? [a.value] : []));
      const failed = attempts.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (failed) {
        await Promise.all(workers.map((w) => w.terminate()));
        this.lastFailure = errorOf(failed.reason).message;
        throw errorOf(failed.reason);
      }
    } finally {
      // Workers hold their language data in memory once started.
      await release();
    }
    const scheduler = Tesseract.createScheduler();
    const pool: Pool = {
      key,
      scheduler,
      threads: [],
      idle: workers.length,
      waiting: [],
      inFlight: new Set(),
      stopping: false,
    };
    for (const worker of workers) {
      scheduler.addWorker(worker);
      const thread = threadOf(worker);
      if (thread) {
        pool.threads.push(thread);
        // Without an 'error' listener a crashing worker thread would take the whole process down.
        thread.on('error', (error) => void this.retire(pool, error, 'crashed'));
        thread.on(
          'exit',
          (code) => void this.retire(pool, new Error(`worker thread exited with code ${code}`), 'exited'),
        );
      }
    }
    if (this.closed) {
      await this.retire(pool, new Error('The OCR client was closed'));
      throw new Error('The OCR client is closed');
    }
    this.ready.set(key, pool);
    this.logger.log(`OCR pool ${key} started: ${workers.length} worker(s) in ${Date.now() - started} ms`);
    return pool;
  }

  private async startWorker(key: string, langPath: string): Promise<Tesseract.Worker> {
    let starting = true;
    let reportFailure: (error: Error) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      reportFailure = reject;
    });
    const worker = Tesseract.createWorker(key, Tesseract.OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: 'none',
      // Called for every failed job. Without it tesseract.js throws inside its message listener (crashing the
      // process); and a failed start never settles createWorker's promise, so the failure is raced against it.
      // Failures of later jobs reject those jobs' own promises.
      errorHandler: (reason: unknown) => {
        if (starting) {
          reportFailure(new Error(`OCR worker for ${key} failed to start: ${String(reason)}`));
        }
      },
    });
    try {
      return await withTimeout(
        Promise.race([worker, failed]),
        this.startTimeoutMs,
        `OCR worker for ${key} did not start within ${this.startTimeoutMs} ms`,
        true,
      );
    } finally {
      starting = false;
    }
  }

  private async run(pool: Pool, image: Buffer, page: number): Promise<Tesseract.RecognizeResult> {
    let abort: (error: Error) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      abort = reject;
    });
    pool.inFlight.add(abort);
    let holding = false;
    try {
      await Promise.race([this.acquire(pool), aborted]);
      holding = true;
      return await withTimeout(
        Promise.race([pool.scheduler.addJob('recognize', image, {}, { blocks: true, text: false }), aborted]),
        this.recognizeTimeoutMs,
        `OCR of page ${page} took longer than ${this.recognizeTimeoutMs} ms (IX_OCR_PAGE_TIMEOUT_MS); send a smaller or cleaner scan`,
      );
    } catch (error) {
      if (error instanceof OcrTimeoutError) {
        // The stuck worker cannot be interrupted: retire the pool so its thread is terminated.
        await this.retire(pool, error, 'timed out');
      }
      if (/attempting to read image/i.test(errorOf(error).message)) {
        throw new DocumentError(DocumentErrorCode.Unreadable, `Page ${page} image cannot be decoded for OCR`);
      }
      throw errorOf(error);
    } finally {
      pool.inFlight.delete(abort);
      if (holding) {
        this.release(pool);
      }
    }
  }

  private acquire(pool: Pool): Promise<void> {
    if (pool.idle > 0) {
      pool.idle--;
      return Promise.resolve();
    }
    return new Promise((resolve) => pool.waiting.push(resolve));
  }

  private release(pool: Pool): void {
    const next = pool.waiting.shift();
    if (next) {
      next();
    } else {
      pool.idle++;
    }
  }

  /**
   * Fails the pool's pages in flight, terminates its threads and forgets it. Safe to call more than once; never throws.
   * With `why` (a timeout, a dead thread) the other pages fail with OcrPoolRestartedError, which `recognize` retries;
   * without (the client closing) they fail with `error`.
   */
  private async retire(pool: Pool, error: Error, why?: string): Promise<void> {
    if (pool.stopping) {
      return;
    }
    pool.stopping = true;
    if (why) {
      this.lastFailure = `${pool.key} ${why}: ${error.message}`;
      this.logger.error(`OCR pool ${pool.key} ${why}; restarting on next use: ${error.message}`);
    }
    const failure = why ? new OcrPoolRestartedError(`${why}: ${error.message}`) : error;
    for (const abort of pool.inFlight) {
      abort(failure);
    }
    pool.inFlight.clear();
    if (this.ready.get(pool.key) === pool) {
      this.ready.delete(pool.key);
      this.pools.delete(pool.key);
    }
    try {
      await pool.scheduler.terminate();
      // scheduler.terminate() does not wait for the threads; terminating them again does, so close() really leaves
      // nothing running.
      await Promise.all(pool.threads.map((thread) => thread.terminate()));
    } catch (terminateError) {
      this.logger.warn(`OCR pool ${pool.key} did not terminate cleanly: ${errorOf(terminateError).message}`);
    }
  }
}
