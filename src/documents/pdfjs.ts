import { createCanvas, DOMMatrix, ImageData, Path2D, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

/** Local copies of what pdfjs would otherwise fetch: nothing is loaded from the network at run time. */
export const PDFJS_ASSETS = {
  // pdfjs appends file names to these, so they must end with a separator.
  standardFontDataUrl: join(pdfjsRoot, 'standard_fonts') + '/',
  cMapUrl: join(pdfjsRoot, 'cmaps') + '/',
  wasmUrl: join(pdfjsRoot, 'wasm') + '/',
};

/** A TrueType font that ships with pdfjs-dist (SIL OFL), for drawing text identically on every machine. */
export const LIBERATION_SANS = {
  regular: join(pdfjsRoot, 'standard_fonts', 'LiberationSans-Regular.ttf'),
  bold: join(pdfjsRoot, 'standard_fonts', 'LiberationSans-Bold.ttf'),
};

interface CanvasAndContext {
  canvas: Canvas | null;
  context: SKRSContext2D | null;
}

/**
 * Hands pdfjs canvases of our @napi-rs/canvas. pdfjs resolves the package from its own folder, and its dependency
 * range (^0.1) differs from ours: unless package.json's `overrides` keeps one copy, npm installs a second native copy
 * for it, and a canvas or Path2D made by one copy is rejected by the other. Taking every canvas from ours keeps
 * rendering working either way.
 */
export class NapiCanvasFactory {
  create(width: number, height: number): CanvasAndContext {
    const canvas = createCanvas(width, height);
    return { canvas, context: canvas.getContext('2d') };
  }

  reset(target: CanvasAndContext, width: number, height: number): void {
    if (target.canvas) {
      target.canvas.width = width;
      target.canvas.height = height;
    }
  }

  destroy(target: CanvasAndContext): void {
    if (target.canvas) {
      target.canvas.width = 0;
      target.canvas.height = 0;
    }
    target.canvas = null;
    target.context = null;
  }
}

let loading: Promise<Pdfjs> | undefined;

/**
 * pdfjs, loaded once and on first use (most processes that import this never read a PDF).
 *
 * In Node pdfjs always runs its "fake worker" on the main thread; registering the worker module as
 * `globalThis.pdfjsWorker` lets it find the handler without a dynamic import by path, which jest's module loader and
 * bundlers do not resolve. Its Node polyfills (DOMMatrix, Path2D, ImageData) are set from our canvas package first,
 * for the reason given on NapiCanvasFactory; pdfjs only fills globals that are missing.
 */
export function loadPdfjs(): Promise<Pdfjs> {
  loading ??= (async () => {
    const globals = globalThis as Record<string, unknown>;
    globals.DOMMatrix ??= DOMMatrix;
    globals.Path2D ??= Path2D;
    globals.ImageData ??= ImageData;
    globals.pdfjsWorker ??= await import('pdfjs-dist/legacy/build/pdf.worker.mjs');
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })();
  return loading;
}
