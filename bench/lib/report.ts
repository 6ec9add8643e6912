/**
 * What every benchmark returns from `run()`, and the small helpers they share: progress lines on stdout, "am I the
 * entry point", package versions, Markdown tables.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LoggerService } from '@nestjs/common';
import { CpuMeter, describeCpu, machineInfo } from './machine.js';
import { formatRatio } from './stats.js';

/** One row of the summary table in docs/benchmarks.md: ix against one reference, as a ratio. */
export interface SummaryRow {
  /** `Queue`, `HTTP`, `OCR`, `Printer status` */
  area: string;
  /** What is compared, with its unit: `drain, 16 slots (jobs/s)`. */
  measure: string;
  /** ix's figure, formatted. */
  ix: string;
  /** The reference and its figure, formatted: `pg-boss 4,891`. */
  reference: string;
  /** ix / reference; NaN when either side is missing (the row then says why in `note`). */
  ratio: number;
  /** Which way a ratio is good for ix: `higher` for throughput, `lower` for latency. */
  better: 'higher' | 'lower';
  note?: string;
}

/** What a benchmark's `run()` returns. */
export interface BenchReport {
  /** `queue`, `http`, `ocr`, `printer` (also the name of its block in docs/benchmarks.md). */
  id: string;
  title: string;
  startedAt: string;
  durationS: number;
  summary: SummaryRow[];
  /** Markdown for the benchmark's section (no heading), rewritten by every `npm run bench`. */
  detail: string;
  /** Package (or tool) -> version, for the report header. */
  versions: Record<string, string>;
  /** Contenders or measurements left out, each with the reason. */
  skipped: string[];
}

const startedAt = performance.now();

/** One progress line on stdout, prefixed with the seconds since the process started. */
/**
 * ix's Nest Logger sink for benchmarks that run ix's classes in this process: every log call still runs (its cost
 * is part of ix's), the output goes nowhere. Install with `Logger.overrideLogger(SILENT_LOGGER)`.
 */
export const SILENT_LOGGER: LoggerService = {
  log: () => undefined,
  error: () => undefined,
  warn: () => undefined,
  debug: () => undefined,
  verbose: () => undefined,
  fatal: () => undefined,
};

export function progress(message: string): void {
  const s = ((performance.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stdout.write(`[${s}s] ${message}\n`);
}

export function print(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** True when the module with this `import.meta.url` is the script node was started with. */
export function isEntryPoint(metaUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && metaUrl === pathToFileURL(resolve(script)).href;
}

/** Runs a benchmark's `run()` as a script: prints its summary rows and its section, sets the exit code on failure. */
export function runAsScript(run: () => Promise<BenchReport>): void {
  const meter = new CpuMeter();
  run()
    .then((report) => {
      print(`\n## ${report.title}\n\n_${describeCpu(meter.stop(), machineInfo().cores)}._\n\n${report.detail}\n`);
      print(summaryTable(report.summary));
      if (report.skipped.length > 0) {
        print(`\nSkipped: ${report.skipped.join('; ')}`);
      }
      print(`\n(${report.durationS.toFixed(0)} s; docs/benchmarks.md is written by \`npm run bench\` only)`);
    })
    .catch((err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    });
}

export function packageVersion(name: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(process.cwd(), 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  } catch {
    return 'not installed';
  }
}

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive integer (got ${raw})`);
  }
  return value;
}

/** A Markdown table; prettier aligns it when docs/benchmarks.md is written. */
export function table(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function summaryTable(rows: SummaryRow[]): string {
  return table(
    ['area', 'measure', 'ix', 'compared with', 'ix / other', 'better', 'note'],
    ['l', 'l', 'r', 'l', 'r', 'l', 'l'],
    rows.map((r) => [
      r.area,
      r.measure,
      r.ix,
      r.reference,
      Number.isFinite(r.ratio) ? `**${formatRatio(r.ratio)}**` : 'n/a',
      r.better === 'higher' ? 'higher' : 'lower',
      r.note ?? '',
    ]),
  );
}
