import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { OnApplicationShutdown } from '@nestjs/common';
import { DocumentError, DocumentErrorCode, isDocumentErrorCode } from './document-error.js';
import type { PageSize, PdfTextPage, RenderedPage, RenderOptions } from './pdf-reader.js';
import type { PdfFailure, PdfRequest, PdfResponse, PdfResult } from './pdf-worker.protocol.js';
import type { TextLayerThresholds } from './text-layer.js';

/** JavaScript heap of a PDF worker thread; a document that needs more fails instead of the process. */
const WORKER_HEAP_MB = 1536;

export interface PdfWorkerPoolOptions {
  /** Deadline of each operation (open, every page's size, one page's text, one page's render): IX_PDF_TIMEOUT_MS. */
  timeoutMs: number;
  /** Threads kept warm (pdfjs loaded) between documents. */
  maxIdle?: number;
  /** How long an idle thread is kept. */
  idleMs?: number;
}

export interface PdfSessionOptions {
  /** Embedded images with more pixels are skipped when rendering (the reader's default when unset). */
  maxImagePixels?: number;
  /**
   * These very bytes already passed the decompression check (`DocumentInspector` did it for this job): the worker
   * does not inflate every stream again. Unset, the check runs.
   */
  streamsChecked?: boolean;
}

type RequestBody = PdfRequest extends infer R ? (R extends PdfRequest ? Omit<R, 'id'> : never) : never;

/**
 * The compiled worker next to this module (dist/src/documents). Jest runs the TypeScript sources, which a worker
 * thread cannot load: there the build's copy is used (the tests run after `npm run build`).
 */
function resolveWorkerUrl(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL(here.replace(/\/src\/documents\/[^/]+\.ts$/, '/dist/src/documents/pdf.worker.js'))
    : new URL('./pdf.worker.js', here);
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(`the PDF worker ${fileURLToPath(url)} is missing: run npm run build`);
  }
  return url;
}

/** The error raised in the worker thread, rebuilt on this side with everything callers act on. */
function failureOf(error: PdfFailure): Error {
  if (isDocumentErrorCode(error.code)) {
    return new DocumentError(error.code, error.message, error.details, error.retryable ?? false);
  }
  return Object.assign(new Error(error.message), { name: error.name });
}

interface Pending {
  resolve: (result: PdfResult) => void;
  reject: (error: Error) => void;
}

/** One worker thread and its requests; dead for good once it exits. */
class PdfThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  dead = false;

  constructor(url: URL) {
    this.worker = new Worker(url, { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    this.worker.on('message', (response: PdfResponse) => {
      const waiting = this.pending.get(response.id);
      this.pending.delete(response.id);
      if (response.ok) {
        waiting?.resolve(response.result);
      } else {
        waiting?.reject(failureOf(response.error));
      }
    });
    // Without an 'error' listener a crashing worker would take the process down.
    this.worker.on('error', (error: Error & { code?: string }) =>
      this.fail(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new DocumentError(DocumentErrorCode.TooComplex, 'Reading the PDF needs more memory than allowed')
          : new Error(`the PDF worker failed: ${error.message}`),
      ),
    );
    this.worker.on('exit', (code) => this.fail(new Error(`the PDF worker exited with code ${code}`)));
  }

  request(body: RequestBody, timeoutMs: number, what: string, transfer: ArrayBuffer[] = []): Promise<PdfResult> {
    if (this.dead) {
      return Promise.reject(new Error('the PDF worker has stopped'));
    }
    const id = this.nextId++;
    return new Promise<PdfResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        // Retryable: a busy machine can slow any PDF down; a hostile one fails every attempt, each bounded alike.
        reject(
          new DocumentError(
            DocumentErrorCode.TooComplex,
            `${what} took longer than ${timeoutMs / 1000} s (IX_PDF_TIMEOUT_MS); the PDF is too complex to process`,
            { timeout_ms: timeoutMs },
            true,
          ),
        );
        // pdfjs cannot be interrupted from outside: the thread goes, with whatever it was doing.
        void this.terminate();
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.worker.postMessage({ ...body, id }, transfer);
    });
  }

  ref(): void {
    this.worker.ref();
  }

  unref(): void {
    this.worker.unref();
  }

  async terminate(): Promise<void> {
    this.dead = true;
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.dead = true;
    for (const waiting of this.pending.values()) {
      waiting.reject(error);
    }
    this.pending.clear();
  }
}

/**
 * One PDF open in a worker thread. Every operation has the pool's deadline; past it the thread is terminated and the
 * operation fails with DOCUMENT_TOO_COMPLEX. `close()` hands the thread back for the next document.
 */
export class PdfSession {
  private closed = false;

  constructor(
    private readonly thread: PdfThread,
    private readonly pool: PdfWorkerPool,
    readonly pageCount: number,
  ) {}

  async pageSizes(): Promise<PageSize[]> {
    const result = await this.thread.request({ op: 'pages' }, this.pool.timeoutMs, 'Loading the pages of the PDF');
    return (result as { sizes: PageSize[] }).sizes;
  }

  /** Unset thresholds are the reader's defaults. */
  async readTextLayer(page: number, thresholds?: TextLayerThresholds): Promise<PdfTextPage> {
    const result = await this.thread.request(
      { op: 'text', page, thresholds },
      this.pool.timeoutMs,
      `Reading the text of PDF page ${page}`,
    );
    return (result as { text: PdfTextPage }).text;
  }

  /** Unset options are the reader's defaults. */
  async render(page: number, options: RenderOptions = {}): Promise<RenderedPage> {
    const result = await this.thread.request(
      { op: 'render', page, options },
      this.pool.timeoutMs,
      `Rendering PDF page ${page}`,
    );
    const { png, ...rest } = (result as { rendered: RenderedPage & { png: Uint8Array } }).rendered;
    return { ...rest, png: Buffer.from(png.buffer, png.byteOffset, png.byteLength) };
  }

  /** Closes the document; the thread goes back to the pool (or away, if an operation killed it). */
  async close(): Promise<void> {
    if (this.closed) {
      return;
    }
    this.closed = true;
    if (!this.thread.dead) {
      try {
        await this.thread.request({ op: 'close' }, this.pool.timeoutMs, 'Closing the PDF');
      } catch {
        void this.thread.terminate();
      }
    }
    this.pool.release(this.thread);
  }
}

/**
 * Worker threads for PDFs, started on demand, one document per thread at a time. Up to `maxIdle` threads are kept
 * warm for `idleMs`; idle threads never keep the process alive. One per process, built from the config by
 * `DocumentsModule`; at application shutdown every thread is terminated (by then the job worker has finished or
 * released its jobs).
 */
export class PdfWorkerPool implements OnApplicationShutdown {
  readonly timeoutMs: number;
  private readonly maxIdle: number;
  private readonly idleMs: number;
  private readonly idle: { thread: PdfThread; timer: NodeJS.Timeout }[] = [];
  private readonly busy = new Set<PdfThread>();
  private workerUrl: URL | undefined;
  private closed = false;

  constructor(options: PdfWorkerPoolOptions) {
    this.timeoutMs = options.timeoutMs;
    this.maxIdle = options.maxIdle ?? 2;
    this.idleMs = options.idleMs ?? 30_000;
  }

  /** Threads alive: holding a document, and warm for the next one. */
  get threads(): { busy: number; idle: number } {
    return { busy: this.busy.size, idle: this.idle.length };
  }

  /**
   * Opens `bytes` in a worker: checks the compressed streams against the limits (unless `streamsChecked`), parses
   * the document. Throws DOCUMENT_ENCRYPTED, DOCUMENT_UNREADABLE or DOCUMENT_TOO_COMPLEX like the in-thread reader
   * would.
   */
  async open(bytes: Uint8Array, options: PdfSessionOptions = {}): Promise<PdfSession> {
    if (this.closed) {
      throw new Error('the PDF worker pool is closed');
    }
    // Where the worker script is does not change while the process runs: looked up at the first thread only.
    this.workerUrl ??= resolveWorkerUrl();
    const thread = this.take() ?? new PdfThread(this.workerUrl);
    this.busy.add(thread);
    thread.ref();
    const copy = new Uint8Array(bytes); // transferred to the worker: the caller keeps its own bytes
    try {
      const result = await thread.request(
        {
          op: 'open',
          bytes: copy,
          maxImagePixels: options.maxImagePixels,
          checkStreams: options.streamsChecked !== true,
        },
        this.timeoutMs,
        'Opening the PDF',
        [copy.buffer],
      );
      return new PdfSession(thread, this, (result as { pageCount: number }).pageCount);
    } catch (error) {
      this.release(thread);
      throw error;
    }
  }

  release(thread: PdfThread): void {
    this.busy.delete(thread);
    if (this.closed || thread.dead || this.idle.length >= this.maxIdle) {
      void thread.terminate();
      return;
    }
    thread.unref();
    const timer = setTimeout(() => {
      const at = this.idle.findIndex((entry) => entry.thread === thread);
      if (at >= 0) {
        this.idle.splice(at, 1);
        void thread.terminate();
      }
    }, this.idleMs);
    timer.unref();
    this.idle.push({ thread, timer });
  }

  /** Terminates every thread, idle or busy (a document still open fails), and refuses new documents. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    idle.forEach(({ timer }) => clearTimeout(timer));
    const threads = [...this.busy, ...idle.map(({ thread }) => thread)];
    this.busy.clear();
    await Promise.all(threads.map((thread) => thread.terminate()));
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private take(): PdfThread | undefined {
    while (this.idle.length > 0) {
      const { thread, timer } = this.idle.pop()!;
      clearTimeout(timer);
      if (!thread.dead) {
        return thread;
      }
    }
    return undefined;
  }
}
