/**
 * A PDF worker thread: pdfjs parses, extracts and renders here, off the main thread, so that a hostile PDF (a form
 * XObject fan-out, a decompression bomb) can neither block the event loop nor outlive its deadline: the main thread
 * terminates this thread when an operation takes too long (see pdf-worker-pool.ts). One document at a time.
 */
import { parentPort } from 'node:worker_threads';
import { PdfDocument } from './pdf-reader.js';
import type { PdfFailure, PdfRequest, PdfResponse, PdfResult } from './pdf-worker.protocol.js';
import { checkCompressedStreams } from './pdf-streams.js';

let doc: PdfDocument | undefined;

async function handle(request: PdfRequest): Promise<{ result: PdfResult; transfer: ArrayBuffer[] }> {
  switch (request.op) {
    case 'open': {
      await doc?.close();
      doc = undefined;
      if (request.checkStreams) {
        await checkCompressedStreams(request.bytes);
      }
      doc = await PdfDocument.open(request.bytes, { maxImagePixels: request.maxImagePixels });
      return { result: { pageCount: doc.pageCount }, transfer: [] };
    }
    case 'pages':
      return { result: { sizes: await opened().pageSizes() }, transfer: [] };
    case 'text':
      return { result: { text: await opened().readTextLayer(request.page, request.thresholds) }, transfer: [] };
    case 'render': {
      const rendered = await opened().render(request.page, request.options);
      const png = new Uint8Array(rendered.png); // a copy whose buffer is ours alone, to transfer
      return {
        result: { rendered: { png, width: rendered.width, height: rendered.height, dpi: rendered.dpi } },
        transfer: [png.buffer],
      };
    }
    case 'close':
      await doc?.close();
      doc = undefined;
      return { result: { closed: true }, transfer: [] };
  }
}

function opened(): PdfDocument {
  if (!doc) {
    throw new Error('no PDF is open in this worker');
  }
  return doc;
}

function failureOf(error: unknown): PdfFailure {
  const e = error as { name?: unknown; code?: unknown; message?: unknown; details?: unknown; retryable?: unknown };
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    code: typeof e?.code === 'string' ? e.code : undefined,
    message: typeof e?.message === 'string' ? e.message : String(error),
    details: e?.details,
    retryable: typeof e?.retryable === 'boolean' ? e.retryable : undefined,
  };
}

const port = parentPort;
if (!port) {
  throw new Error('pdf.worker.js runs as a worker thread only');
}
port.on('message', (request: PdfRequest) => {
  void handle(request).then(
    ({ result, transfer }) => port.postMessage({ id: request.id, ok: true, result } satisfies PdfResponse, transfer),
    (error: unknown) => {
      const failure = failureOf(error);
      try {
        port.postMessage({ id: request.id, ok: false, error: failure } satisfies PdfResponse);
      } catch {
        // Details that cannot be cloned are dropped rather than leaving the request unanswered until its deadline.
        port.postMessage({
          id: request.id,
          ok: false,
          error: { ...failure, details: undefined },
        } satisfies PdfResponse);
      }
    },
  );
});
