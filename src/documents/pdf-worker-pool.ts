import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { DocumentError, DocumentErrorCode, isDocumentErrorCode } from './document-error.js';
import {
  DEFAULT_MAX_IMAGE_PIXELS,
  DEFAULT_MAX_RENDER_PIXELS,
  DEFAULT_RENDER_DPI,
  type PageSize,
  type PdfTextPage,
  type RenderedPage,
  type RenderOptions,
} from './pdf-reader.js';
import { DEFAULT_STREAM_LIMITS, type StreamLimits } from './pdf-streams.js';
import type { PdfRequest, PdfResponse, PdfResult } from './pdf-worker.protocol.js';
import { DEFAULT_TEXT_LAYER_THRESHOLDS, type TextLayerThresholds } from './text-layer.js';

export const DEFAULT_PDF_TIMEOUT_MS = 60_000;
/** JavaScript heap of a PDF worker thread; a document that needs more fails instead of the process. */
const WORKER_HEAP_MB = 1536;

export interface PdfSessionOptions {
  /** Deadline of each operation (open, every page's size, one page's text, one page's render). */
  timeoutMs?: number;
  maxImagePixels?: number;
  streams?: StreamLimits;
}

type RequestBody = PdfRequest extends infer R ? (R extends PdfRequest ? Omit<R, 'id'> : never) : never;

/**
 * The compiled worker next to this module (dist/src/documents). Jest runs the TypeScript sources, which a worker
 * thread cannot load: there the build's copy is used (the tests run after `npm run build`).
 */
function workerUrl(): URL {
  const here = import.meta.url;
  const url = here.endsWith('.ts')
    ? new URL(here.replace(/\/src\/documents\/[^/]+\.ts$/, '/dist/src/documents/pdf.worker.js'))
    : new URL('./pdf.worker.js', here);
  if (!existsSync(fileURLToPath(url))) {
    throw new Error(`the PDF worker ${fileURLToPath(url)} is missing: run npm run build`);
  }
  return url;
}

function failureOf(error: { name: string; code?: string; message: string }): Error {
  if (isDocumentErrorCode(error.code)) {
    return new DocumentError(error.code, error.message);
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
        this.terminate();
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

  terminate(): void {
    this.dead = true;
    void this.worker.terminate();
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
 * One PDF open in a worker thread. Every operation has a deadline; past it the thread is terminated and the
 * operation fails with DOCUMENT_TOO_COMPLEX. `close()` hands the thread back for the next document.
 */
export class PdfSession {
  private closed = false;

  constructor(
    private readonly thread: PdfThread,
    private readonly pool: PdfWorkerPool,
    private readonly timeoutMs: number,
    readonly pageCount: number,
  ) {}

  async pageSizes(): Promise<PageSize[]> {
    const result = await this.thread.request({ op: 'pages' }, this.timeoutMs, 'Loading the pages of the PDF');
    return (result as { sizes: PageSize[] }).sizes;
  }

  async readTextLayer(
    page: number,
    thresholds: TextLayerThresholds = DEFAULT_TEXT_LAYER_THRESHOLDS,
  ): Promise<PdfTextPage> {
    const result = await this.thread.request(
      { op: 'text', page, thresholds },
      this.timeoutMs,
      `Reading the text of PDF page ${page}`,
    );
    return (result as { text: PdfTextPage }).text;
  }

  async render(page: number, options: RenderOptions = {}): Promise<RenderedPage> {
    const result = await this.thread.request(
      {
        op: 'render',
        page,
        options: { dpi: options.dpi ?? DEFAULT_RENDER_DPI, maxPixels: options.maxPixels ?? DEFAULT_MAX_RENDER_PIXELS },
      },
      this.timeoutMs,
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
        await this.thread.request({ op: 'close' }, this.timeoutMs, 'Closing the PDF');
      } catch {
        this.thread.terminate();
      }
    }
    this.pool.release(this.thread);
  }
}

/**
 * Worker threads for PDFs, started on demand, one document per thread at a time. Up to `maxIdle` threads are kept
 * warm (pdfjs loaded) for `idleMs`; idle threads never keep the process alive.
 */
export class PdfWorkerPool {
  private readonly idle: { thread: PdfThread; timer: NodeJS.Timeout }[] = [];

  constructor(
    private readonly maxIdle = 2,
    private readonly idleMs = 30_000,
  ) {}

  /**
   * Opens `bytes` in a worker: checks the compressed streams against the limits, parses the document.
   * Throws DOCUMENT_ENCRYPTED, DOCUMENT_UNREADABLE or DOCUMENT_TOO_COMPLEX like the in-thread reader would.
   */
  async open(bytes: Uint8Array, options: PdfSessionOptions = {}): Promise<PdfSession> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_PDF_TIMEOUT_MS;
    const thread = this.take() ?? new PdfThread(workerUrl());
    thread.ref();
    const copy = new Uint8Array(bytes); // transferred to the worker: the caller keeps its own bytes
    try {
      const result = await thread.request(
        {
          op: 'open',
          bytes: copy,
          maxImagePixels: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
          streams: options.streams ?? DEFAULT_STREAM_LIMITS,
        },
        timeoutMs,
        'Opening the PDF',
        [copy.buffer],
      );
      return new PdfSession(thread, this, timeoutMs, (result as { pageCount: number }).pageCount);
    } catch (error) {
      this.release(thread);
      throw error;
    }
  }

  /** Terminates the idle threads (busy ones finish their document first). */
  closeIdle(): void {
    for (const { thread, timer } of this.idle.splice(0)) {
      clearTimeout(timer);
      thread.terminate();
    }
  }

  release(thread: PdfThread): void {
    if (thread.dead || this.idle.length >= this.maxIdle) {
      thread.terminate();
      return;
    }
    thread.unref();
    const timer = setTimeout(() => {
      const at = this.idle.findIndex((entry) => entry.thread === thread);
      if (at >= 0) {
        this.idle.splice(at, 1);
        thread.terminate();
      }
    }, this.idleMs);
    timer.unref();
    this.idle.push({ thread, timer });
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

/** The process's PDF worker threads. */
export const pdfWorkers = new PdfWorkerPool();

/** Opens a PDF in a worker thread of the process's pool. */
export function openPdf(bytes: Uint8Array, options: PdfSessionOptions = {}): Promise<PdfSession> {
  return pdfWorkers.open(bytes, options);
}
