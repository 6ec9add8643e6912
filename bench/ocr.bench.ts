/**
 * `npm run bench:ocr`: ix's OCR (the real TesseractOcrClient: tesseract.js in worker threads, traineddata from npm,
 * its worker pool) next to the native `tesseract` CLI on the same page images, plus ix's text-layer path.
 *
 * Pages: the two sample invoices rendered by ix's own PDF renderer at IX_OCR_DPI's default (300 dpi), as the
 * pipeline renders PDF pages without a text layer, and the receipt photo as it is. Each engine reads every page
 * BENCH_OCR_REPS times, one page at a time and two at a time (two workers / two processes on two cores), engines
 * rotated between repetitions. Word accuracy is against the documents' known text.
 *
 * Native tesseract runs twice: with the very traineddata ix uses and ix's settings (LSTM only, page segmentation
 * mode 6, which tesseract.js uses when none is set) — the engine comparison — and as Debian ships it (its
 * tesseract-ocr-eng/deu models, CLI defaults) — what `apt-get install tesseract-ocr` gives. One process per page
 * (OMP_THREAD_LIMIT=1, so one page uses one core, like one tesseract.js worker), words with boxes (`tsv`) as ix
 * reads them. When the `tesseract` binary is missing the native rows are skipped, not failed.
 *
 * Knobs (env): BENCH_OCR_REPS (2), BENCH_OCR_TEXT_MS (3000: how long the text-layer loop runs), BENCH_OCR_LANES
 * ("1,2"), TESSERACT (the binary, default `tesseract`).
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import { Logger } from '@nestjs/common';
import { OcrClient, type SelfcheckResult } from '../src/clients/ocr/ocr.client.js';
import { TesseractOcrClient } from '../src/clients/ocr/tesseract-ocr.client.js';
import { traineddataPath } from '../src/clients/ocr/tessdata.js';
import { DocumentReader } from '../src/documents/document-reader.js';
import { PdfWorkerPool } from '../src/documents/pdf-worker-pool.js';
import type { OcrPage } from '../src/documents/document.types.js';
import { DEFAULT_RENDER_DPI, readPdfTextLayers, renderPdfPage } from '../src/documents/pdf-reader.js';
import { agreement, matched, RECEIPT_TEXT, score, words, type WordScore } from './lib/ocr-words.js';
import {
  type BenchReport,
  envInt,
  isEntryPoint,
  packageVersion,
  progress,
  runAsScript,
  SILENT_LOGGER,
  type SummaryRow,
  table,
} from './lib/report.js';
import { formatMs, formatRatio, median, percentile } from './lib/stats.js';

const REPS = envInt('BENCH_OCR_REPS', 2);
const TEXT_MS = envInt('BENCH_OCR_TEXT_MS', 3_000);
const LANES = (process.env.BENCH_OCR_LANES ?? '1,2').split(',').map((s) => Number(s.trim()));
const TESSERACT = process.env.TESSERACT ?? 'tesseract';
const LANGUAGES = ['eng', 'deu'];

const IX = 'ix (tesseract.js)';
const NATIVE_SAME = 'native, same model';
const NATIVE_DEBIAN = 'native, Debian models';

interface Page {
  name: string;
  png: Buffer;
  /** The PNG on disk, for the CLI. */
  file: string;
  width: number;
  height: number;
  reference: string[];
}

interface Engine {
  readonly name: string;
  readonly lanes: number;
  readonly settings: string;
  start(): Promise<void>;
  /** The word tokens read on the page, as the engine returns them. */
  read(page: Page): Promise<string[]>;
  close(): Promise<void>;
}

class IxEngine implements Engine {
  readonly name = IX;
  readonly settings: string;
  private client!: TesseractOcrClient;

  constructor(readonly lanes: number) {
    this.settings =
      `TesseractOcrClient({ languages: ['eng', 'deu'], poolSize: ${lanes} }) (IX_OCR_WORKERS=${lanes}; the default ` +
      `is 1), recognize(png, { languages: ['eng', 'deu'] }): OEM LSTM_ONLY, @tesseract.js-data 4.0.0_best_int ` +
      `traineddata, words with boxes (blocks: true)`;
  }

  start(): Promise<void> {
    this.client = new TesseractOcrClient({ languages: LANGUAGES, poolSize: this.lanes });
    return Promise.resolve();
  }

  async read(page: Page): Promise<string[]> {
    const result: OcrPage = await this.client.recognize(page.png, { languages: LANGUAGES, page: 1 });
    return result.words.map((w) => w.text);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

function execTesseract(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      TESSERACT,
      args,
      { env: { ...process.env, OMP_THREAD_LIMIT: '1' }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/** Words of tesseract's TSV output (level 5 rows are words). */
function tsvWords(tsv: string): string[] {
  return tsv
    .split('\n')
    .slice(1)
    .map((line) => line.split('\t'))
    .filter((cols) => cols[0] === '5' && (cols[11] ?? '').trim() !== '')
    .map((cols) => cols[11].trim());
}

class NativeEngine implements Engine {
  constructor(
    readonly name: string,
    readonly lanes: number,
    private readonly args: string[],
    readonly settings: string,
  ) {}

  start(): Promise<void> {
    return Promise.resolve();
  }

  async read(page: Page): Promise<string[]> {
    return tsvWords(await execTesseract([page.file, 'stdout', ...this.args, '-c', 'tessedit_create_tsv=1']));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** An OcrClient that must never be called: the text-layer path reads no image. */
class NoOcrClient extends OcrClient {
  recognize(): Promise<OcrPage> {
    return Promise.reject(new Error('the text-layer benchmark must not OCR'));
  }
  selfcheck(): Promise<SelfcheckResult> {
    return Promise.resolve({ ok: true });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface Measurement {
  engine: string;
  lanes: number;
  /** ms per page, every page of every repetition. */
  ms: number[];
  /** ms per page by page name. */
  byPage: Map<string, number[]>;
  pages: number;
  wallMs: number;
  /** Words read per page (first repetition). */
  read: Map<string, string[]>;
}

/** Reads every page once through `engine.lanes` lanes; returns per-page times and the wall time. */
async function readAll(engine: Engine, pages: Page[], m: Measurement): Promise<void> {
  const queue = [...pages];
  const t0 = performance.now();
  const lane = async () => {
    for (let page = queue.shift(); page; page = queue.shift()) {
      const t = performance.now();
      // Tokens as the engine returns them ("Tel.", "E-Mail:"), normalised exactly like the reference.
      const read = words((await engine.read(page)).join(' '));
      const ms = performance.now() - t;
      m.ms.push(ms);
      m.byPage.set(page.name, [...(m.byPage.get(page.name) ?? []), ms]);
      if (!m.read.has(page.name)) {
        m.read.set(page.name, read);
      }
    }
  };
  await Promise.all(Array.from({ length: engine.lanes }, lane));
  m.wallMs += performance.now() - t0;
  m.pages += pages.length;
}

async function tesseractInfo(): Promise<{ version: string; languages: string[] } | string> {
  try {
    const version = (await execTesseract(['--version'])).split('\n')[0].trim();
    const languages = (await execTesseract(['--list-langs']))
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    return { version, languages };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `\`${TESSERACT}\` not found on PATH (apt-get install -y tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng)`
      : `\`${TESSERACT} --version\` failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

function pngOfSize(width: number, height: number): Buffer {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  return canvas.encodeSync('png');
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : 'n/a');

export async function run(): Promise<BenchReport> {
  Logger.overrideLogger(SILENT_LOGGER);
  const started = new Date();
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'ix-bench-ocr-'));
  const skipped: string[] = [];
  progress(`ocr benchmark: ${REPS} repetition(s), lanes ${LANES.join('/')}`);
  try {
    // Pages, as the pipeline hands them to OCR, and their reference words.
    const invoiceText = readFileSync('samples/invoice-text.pdf');
    const invoiceReference = words((await readPdfTextLayers(invoiceText))[0].text);
    const renderMs: Record<string, number> = {};
    const render = async (file: string) => {
      const t = performance.now();
      const png = await renderPdfPage(readFileSync(file), 1, DEFAULT_RENDER_DPI);
      renderMs[file] = performance.now() - t;
      return png;
    };
    const sources: [string, Buffer, string[]][] = [
      ['scanned invoice (PDF, JPEG page)', await render('samples/invoice-scanned.pdf'), invoiceReference],
      ['clean invoice (PDF, rendered)', await render('samples/invoice-text.pdf'), invoiceReference],
      ['receipt photo (PNG)', readFileSync('samples/receipt.png'), words(RECEIPT_TEXT)],
    ];
    const pages: Page[] = sources.map(([name, png, reference], i) => {
      const file = join(dir, `page-${i}.png`);
      writeFileSync(file, png);
      return { name, png, file, width: png.readUInt32BE(16), height: png.readUInt32BE(20), reference };
    });

    // Engines
    const native = await tesseractInfo();
    const engines: Engine[] = [];
    let sameModelDir: string | undefined;
    if (typeof native === 'string') {
      skipped.push(`native tesseract: ${native}`);
    } else {
      try {
        sameModelDir = join(dir, 'tessdata');
        mkdirSync(sameModelDir);
        for (const lang of LANGUAGES) {
          writeFileSync(join(sameModelDir, `${lang}.traineddata`), gunzipSync(readFileSync(traineddataPath(lang))));
        }
      } catch (err) {
        sameModelDir = undefined;
        skipped.push(`${NATIVE_SAME}: could not unpack ix's traineddata (${(err as Error).message})`);
      }
      if (!LANGUAGES.every((l) => native.languages.includes(l))) {
        skipped.push(`${NATIVE_DEBIAN}: tesseract lacks ${LANGUAGES.join('/')} (apt-get install tesseract-ocr-deu …)`);
      }
    }
    for (const lanes of LANES) {
      engines.push(new IxEngine(lanes));
      if (typeof native !== 'string') {
        if (sameModelDir) {
          engines.push(
            new NativeEngine(
              NATIVE_SAME,
              lanes,
              ['-l', LANGUAGES.join('+'), '--oem', '1', '--psm', '6', '--tessdata-dir', sameModelDir],
              `\`${TESSERACT} page.png stdout -l eng+deu --oem 1 --psm 6 --tessdata-dir <ix's traineddata, ` +
                `gunzipped> -c tessedit_create_tsv=1\`, one process per page, ${lanes} at a time, OMP_THREAD_LIMIT=1`,
            ),
          );
        }
        // Debian's models at the first lane count only: a reference point for the model, not for the engine.
        if (lanes === LANES[0] && LANGUAGES.every((l) => native.languages.includes(l))) {
          engines.push(
            new NativeEngine(
              NATIVE_DEBIAN,
              lanes,
              ['-l', LANGUAGES.join('+')],
              `\`${TESSERACT} page.png stdout -l eng+deu -c tessedit_create_tsv=1\` (CLI defaults: page segmentation 3, Debian's ` +
                `tesseract-ocr-eng/deu traineddata), one process per page, ${lanes} at a time, OMP_THREAD_LIMIT=1`,
            ),
          );
        }
      }
    }

    // Native start-up: process start and model load, on a blank 32x32 page.
    let nativeStartMs = Number.NaN;
    if (sameModelDir) {
      const blank = join(dir, 'blank.png');
      writeFileSync(blank, pngOfSize(32, 32));
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t = performance.now();
        await execTesseract([
          blank,
          'stdout',
          '-l',
          LANGUAGES.join('+'),
          '--oem',
          '1',
          '--psm',
          '6',
          '--tessdata-dir',
          sameModelDir,
        ]).catch(() => '');
        times.push(performance.now() - t);
      }
      nativeStartMs = median(times);
    }

    // Measure, lanes by lanes; engines rotated per repetition.
    const results: Measurement[] = [];
    for (const lanes of LANES) {
      const group = engines.filter((e) => e.lanes === lanes);
      const ms = new Map<Engine, Measurement>();
      for (const engine of group) {
        await engine.start();
        // Warm-up: starts ix's pool (every worker) and loads the native binary and models into the page cache.
        await Promise.all(Array.from({ length: lanes }, () => engine.read(pages[pages.length - 1])));
        ms.set(engine, { engine: engine.name, lanes, ms: [], byPage: new Map(), pages: 0, wallMs: 0, read: new Map() });
      }
      try {
        for (let rep = 0; rep < REPS; rep++) {
          const k = rep % group.length;
          for (const engine of [...group.slice(k), ...group.slice(0, k)]) {
            const m = ms.get(engine)!;
            const order = [...pages.slice(rep % pages.length), ...pages.slice(0, rep % pages.length)];
            await readAll(engine, order, m);
            progress(
              `${engine.name}, ${lanes} at a time, rep ${rep + 1}/${REPS}: ` +
                `${((m.pages / m.wallMs) * 1000).toFixed(2)} pages/s so far, p50 ${formatMs(percentile(m.ms, 50))} ms`,
            );
          }
        }
      } finally {
        for (const engine of group) {
          await engine.close();
        }
      }
      results.push(...group.map((e) => ms.get(e)!));
    }

    // Text-layer path: the text PDF through DocumentReader (open, read the text layer, no OCR).
    const pdfs = new PdfWorkerPool({ timeoutMs: 60_000 });
    const reader = new DocumentReader(pdfs);
    const textMs: number[] = [];
    const noOcr = new NoOcrClient();
    const textT0 = performance.now();
    let textPages = 0;
    while (performance.now() - textT0 < TEXT_MS) {
      const t = performance.now();
      const read = await reader.read(invoiceText, 'application/pdf', { ocr: noOcr, languages: LANGUAGES });
      textMs.push(performance.now() - t);
      textPages += read.length;
      if (read.some((p) => p.source !== 'text_layer')) {
        throw new Error('samples/invoice-text.pdf was not read from its text layer');
      }
    }
    const textRate = (textPages / (performance.now() - textT0)) * 1000;
    const textWords = words(
      (await reader.read(invoiceText, 'application/pdf', { ocr: noOcr, languages: LANGUAGES }))[0].text,
    );
    await pdfs.close();
    progress(`text layer: ${textRate.toFixed(0)} pages/s, p50 ${formatMs(percentile(textMs, 50))} ms`);

    // Report
    const rate = (m: Measurement | undefined) => (m ? (m.pages / m.wallMs) * 1000 : Number.NaN);
    const find = (engine: string, lanes: number) => results.find((m) => m.engine === engine && m.lanes === lanes);
    /** Over all pages, each page's words matched against its own reference. */
    const accuracy = (m: Measurement | undefined): WordScore => {
      const reference = pages.reduce((n, p) => n + p.reference.length, 0);
      if (!m) {
        return { recall: Number.NaN, precision: Number.NaN, reference, read: 0 };
      }
      const read = pages.reduce((n, p) => n + (m.read.get(p.name)?.length ?? 0), 0);
      const hits = pages.reduce((n, p) => n + matched(p.reference, m.read.get(p.name) ?? []), 0);
      return { recall: hits / reference, precision: read > 0 ? hits / read : Number.NaN, reference, read };
    };

    /** Dice agreement of two engines' readings, page by page, pooled. */
    const agreementOf = (a: Measurement, b: Measurement): number => {
      let both = 0;
      let total = 0;
      for (const p of pages) {
        const wa = a.read.get(p.name) ?? [];
        const wb = b.read.get(p.name) ?? [];
        both += agreement(wa, wb) * (wa.length + wb.length);
        total += wa.length + wb.length;
      }
      return total > 0 ? both / total : Number.NaN;
    };

    const summary: SummaryRow[] = [];
    const ix1 = find(IX, LANES[0]);
    for (const lanes of LANES) {
      const ix = find(IX, lanes);
      const same = find(NATIVE_SAME, lanes);
      summary.push({
        area: 'OCR',
        measure: `pages/s, ${lanes} page${lanes > 1 ? 's' : ''} at a time (${lanes} worker${lanes > 1 ? 's' : ''} / process${lanes > 1 ? 'es' : ''})`,
        ix: rate(ix).toFixed(2),
        reference: same ? `${NATIVE_SAME} ${rate(same).toFixed(2)}` : NATIVE_SAME,
        ratio: rate(ix) / rate(same),
        better: 'higher',
        note: same ? undefined : 'native skipped',
      });
    }
    const debian1 = find(NATIVE_DEBIAN, LANES[0]);
    summary.push({
      area: 'OCR',
      measure: `pages/s, ${LANES[0]} at a time, vs tesseract as Debian ships it`,
      ix: rate(ix1).toFixed(2),
      reference: debian1 ? `${NATIVE_DEBIAN} ${rate(debian1).toFixed(2)}` : NATIVE_DEBIAN,
      ratio: rate(ix1) / rate(debian1),
      better: 'higher',
      note: debian1 ? 'different (smaller, faster) model' : 'native skipped',
    });
    const same1 = find(NATIVE_SAME, LANES[0]);
    summary.push({
      area: 'OCR',
      measure: `ms/page p50, ${LANES[0]} at a time`,
      ix: formatMs(percentile(ix1?.ms ?? [], 50)),
      reference: same1 ? `${NATIVE_SAME} ${formatMs(percentile(same1.ms, 50))}` : NATIVE_SAME,
      ratio: percentile(ix1?.ms ?? [], 50) / percentile(same1?.ms ?? [], 50),
      better: 'lower',
      note: same1 ? `native includes ~${formatMs(nativeStartMs)} ms process start + model load` : 'native skipped',
    });
    const accIx = accuracy(ix1);
    const accSame = accuracy(same1);
    summary.push({
      area: 'OCR',
      measure: 'word accuracy (reference words read exactly)',
      ix: pct(accIx.recall),
      reference: same1 ? `${NATIVE_SAME} ${pct(accSame.recall)}` : NATIVE_SAME,
      ratio: accIx.recall / accSame.recall,
      better: 'higher',
      note: same1 && ix1 ? `ix and native agree on ${pct(agreementOf(ix1, same1))} of words` : 'native skipped',
    });
    summary.push({
      area: 'OCR',
      measure: 'text-layer PDF page vs OCR of a page (pages/s)',
      ix: `${textRate.toFixed(0)} (text layer)`,
      reference: `ix OCR, ${LANES[0]} at a time, ${rate(ix1).toFixed(2)}`,
      ratio: textRate / rate(ix1),
      better: 'higher',
      note: 'why pages with a text layer skip OCR',
    });

    const engineRows = results.map((m) => {
      const acc = accuracy(m);
      const ixSame = find(IX, m.lanes);
      return [
        m.engine,
        String(m.lanes),
        rate(m).toFixed(2),
        formatMs(percentile(m.ms, 50)),
        formatMs(percentile(m.ms, 95)),
        m.engine === IX ? '1.00×' : formatRatio(rate(ixSame) / rate(m)),
        pct(acc.recall),
        pct(acc.precision),
      ];
    });
    const perPageRows = results.map((m) => [
      m.engine,
      String(m.lanes),
      ...pages.map((p) => formatMs(median(m.byPage.get(p.name) ?? []))),
    ]);
    const accuracyRows = pages.map((p) => [
      p.name,
      `${p.width}×${p.height}`,
      String(p.reference.length),
      ...[IX, NATIVE_SAME, NATIVE_DEBIAN].map((e) => {
        const m = find(e, LANES[0]);
        return m ? pct(score(p.reference, m.read.get(p.name) ?? []).recall) : 'skipped';
      }),
    ]);

    /** Reference words an engine did not read (each occurrence once), all pages, first repetition. */
    const missed = (m: Measurement): string[] =>
      pages.flatMap((p) => {
        const left = new Map<string, number>();
        for (const w of m.read.get(p.name) ?? []) {
          left.set(w, (left.get(w) ?? 0) + 1);
        }
        return p.reference.filter((w) => {
          const n = left.get(w) ?? 0;
          left.set(w, n - 1);
          return n <= 0;
        });
      });
    const missedRows = [IX, NATIVE_SAME, NATIVE_DEBIAN].flatMap((e) => {
      const m = find(e, LANES[0]);
      if (!m) {
        return [];
      }
      const list = missed(m);
      const shown = list.slice(0, 24).map((w) => `\`${w}\``);
      return [[e, String(list.length), shown.join(' ') + (list.length > shown.length ? ' …' : '')]];
    });
    const versionLine = typeof native === 'string' ? `native tesseract: skipped — ${native}` : native.version;
    const detail = [
      `Pages: ${pages.map((p) => `${p.name} ${p.width}×${p.height} px`).join('; ')}. The PDFs are rendered by ix's ` +
        `renderer (pdfjs + @napi-rs/canvas) at ${DEFAULT_RENDER_DPI} dpi, the pipeline's default: ` +
        Object.entries(renderMs)
          .map(([f, ms]) => `${f.replace('samples/', '')} ${formatMs(ms)} ms`)
          .join(', ') +
        ` to render (not counted below). ${REPS} repetition(s) of the ${pages.length} pages per engine and lane ` +
        `count, engines rotated per repetition; warm-up first (ix's worker pool started, native binary and models ` +
        `cached). ms/page is from the call to the words; pages/s is pages / wall time.`,
      '',
      table(
        [
          'engine',
          'at a time',
          'pages/s',
          'ms/page p50',
          'ms/page p95',
          'ix / this (pages/s)',
          'word recall',
          'word precision',
        ],
        ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
        engineRows,
      ),
      '',
      `p50/p95 pool ${REPS * pages.length} page readings of three quite different pages, so they describe the mix. ` +
        `Median ms per page, by page:`,
      '',
      table(
        ['engine', 'at a time', ...pages.map((p) => p.name)],
        ['l', 'r', ...pages.map((): 'r' => 'r')],
        perPageRows,
      ),
      '',
      `**Word accuracy** (bags of words per page; a word is a white-space token with surrounding punctuation removed ` +
        `and at least one letter or digit; case and umlauts count). The invoice's reference is its text layer ` +
        `(${invoiceReference.length} words), the receipt's the text scripts/generate-samples.ts draws ` +
        `(${words(RECEIPT_TEXT).length} words). Recall = reference words read exactly; precision = words read that ` +
        `are in the reference. ${LANES[0]} at a time:`,
      '',
      table(
        ['page', 'pixels', 'reference words', IX, NATIVE_SAME, NATIVE_DEBIAN],
        ['l', 'r', 'r', 'r', 'r', 'r'],
        accuracyRows,
      ),
      '',
      'Reference words not read exactly (all pages, first repetition):',
      '',
      table(['engine', 'missed', 'words'], ['l', 'r', 'l'], missedRows),
      '',
      `**Text-layer path**: samples/invoice-text.pdf through \`DocumentReader\` (parse the PDF, read page 1's text ` +
        `layer with pdfjs, decide it needs no OCR): ${textRate.toFixed(0)} pages/s, ` +
        `${formatMs(percentile(textMs, 50))} ms p50 / ${formatMs(percentile(textMs, 95))} ms p95 per document over ` +
        `${textMs.length} reads, ${pct(score(invoiceReference, textWords).recall)} of the reference words (it is ` +
        `the reference). ${formatRatio(textRate / rate(ix1))} the OCR rate of one ix worker.`,
      '',
      '**Settings**',
      '',
      ...engines
        .filter((e) => e.lanes === LANES[0] || e.name === IX)
        .map((e) => `- **${e.name}**, ${e.lanes} at a time: ${e.settings}`),
      `- ${versionLine}; tesseract.js ${packageVersion('tesseract.js')} (tesseract.js-core ` +
        `${packageVersion('tesseract.js-core')}). Native start-up (process + model load, blank 32×32 page, ix's ` +
        `model): ${formatMs(nativeStartMs)} ms, included in every native page.`,
    ].join('\n');

    return {
      id: 'ocr',
      title: 'OCR',
      startedAt: started.toISOString(),
      durationS: (performance.now() - t0) / 1000,
      summary,
      detail,
      versions: {
        'tesseract.js': packageVersion('tesseract.js'),
        'tesseract.js-core': packageVersion('tesseract.js-core'),
        'native tesseract': typeof native === 'string' ? 'not installed' : native.version.replace(/^tesseract\s+/, ''),
        'pdfjs-dist': packageVersion('pdfjs-dist'),
      },
      skipped,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) {
  runAsScript(run);
}
