/**
 * `npm run bench`: every benchmark in turn (queue, HTTP, OCR, printer status), then docs/benchmarks.md: the machine,
 * versions and date, one summary table of ratios, and each benchmark's section. Only the blocks between
 * `<!-- bench:NAME:start -->` and `<!-- bench:NAME:end -->` are rewritten; the hand-written text around them stays.
 *
 * A benchmark that fails is reported as failed in its section (the others still run, the exit code is 1).
 *
 * Knobs (env): BENCH_SUITES ("queue,http,ocr,printer"), BENCH_DOC (docs/benchmarks.md; "none" to only print), and
 * each benchmark's own (see the top of bench/*.bench.ts). Run-all shortens the queue benchmark to
 * BENCH_REPS=2 unless BENCH_REPS is set, to keep the whole run near 8 minutes on 2 cores.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { CpuMeter, type CpuReport, describeCpu, machineInfo } from './lib/machine.js';
import { type BenchReport, packageVersion, print, progress, summaryTable, type SummaryRow } from './lib/report.js';

process.env.BENCH_REPS ??= '2';

interface Suite {
  id: string;
  title: string;
  script: string;
  load: () => Promise<{ run: () => Promise<BenchReport> }>;
}

const SUITES: Suite[] = [
  { id: 'queue', title: 'Queue', script: 'bench:queue', load: () => import('./queue.bench.js') },
  { id: 'http', title: 'HTTP API', script: 'bench:http', load: () => import('./http.bench.js') },
  { id: 'ocr', title: 'OCR', script: 'bench:ocr', load: () => import('./ocr.bench.js') },
  { id: 'printer', title: 'Printer status', script: 'bench:printer', load: () => import('./printer-status.bench.js') },
];

const SELECTED = new Set(
  (process.env.BENCH_SUITES ?? SUITES.map((s) => s.id).join(',')).split(',').map((s) => s.trim()),
);
const DOC = process.env.BENCH_DOC ?? 'docs/benchmarks.md';
/** Other processes using more than this share of the CPUs mark a run as loaded. */
const LOADED_SHARE = 0.15;

interface Outcome {
  suite: Suite;
  report?: BenchReport;
  error?: string;
  cpu?: CpuReport;
  ran: boolean;
}

function gitDescription(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8', stdio: 'pipe' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'migrations', 'package.json'], {
      encoding: 'utf8',
      stdio: 'pipe',
    }).trim();
    return dirty ? `${sha} + uncommitted changes in src/` : sha;
  } catch {
    return 'not a git checkout';
  }
}

function ixVersion(): string {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
  return `${pkg.version} (${gitDescription()})`;
}

function loadedNote(cpu: CpuReport | undefined, cores: number): string {
  if (!cpu) {
    return '';
  }
  return cpu.otherCpus > LOADED_SHARE * cores
    ? ` **Loaded machine: other processes kept ${cpu.otherCpus.toFixed(2)} of ${cores} CPUs busy on average; ` +
        `absolute figures are low and noisy, read the ratios (and rerun on a quiet machine).**`
    : '';
}

function header(outcomes: Outcome[], total: CpuReport | undefined, startedAt: Date): string {
  const m = machineInfo();
  const versions: Record<string, string> = {};
  for (const o of outcomes) {
    Object.assign(versions, o.report?.versions ?? {});
  }
  const v = (name: string) => versions[name] ?? packageVersion(name);
  const nativeTesseract = versions['native tesseract'] ?? 'not measured in this run';
  const postgres = versions.PostgreSQL ?? 'not measured in this run';
  const skipped = outcomes.flatMap((o) => [
    ...(o.ran ? [] : [`${o.suite.title}: not run (BENCH_SUITES=${process.env.BENCH_SUITES})`]),
    ...(o.error ? [`${o.suite.title}: **failed** — ${o.error.split('\n')[0]}`] : []),
    ...(o.report?.skipped ?? []).map((s) => `${o.suite.title}: ${s}`),
  ]);
  const lines = [
    `- **Date**: ${startedAt.toISOString()} (run took ${((total?.seconds ?? 0) / 60).toFixed(1)} min after the build)`,
    `- **Machine**: ${m.cpuModel}, ${m.cores} CPUs (\`nproc\`), ${m.memoryGiB.toFixed(1)} GiB RAM; ${m.os}`,
    `- **Load**: ${describeCpu(total, m.cores)}.${loadedNote(total, m.cores)}`,
    `- **Runtime**: Node ${m.node}; PostgreSQL ${postgres}; native tesseract ${nativeTesseract}`,
    `- **Versions**: ix ${ixVersion()}; pg-boss ${v('pg-boss')}; graphile-worker ${v('graphile-worker')}; ` +
      `tesseract.js ${v('tesseract.js')} (core ${v('tesseract.js-core')}); @nestjs/core ${v('@nestjs/core')}; ` +
      `@nestjs/platform-fastify ${v('@nestjs/platform-fastify')}; fastify ${v('fastify')}; autocannon ` +
      `${v('autocannon')}; pg ${v('pg')}; typeorm ${v('typeorm')}; pdfjs-dist ${v('pdfjs-dist')}; net-snmp ` +
      `${v('net-snmp')}`,
  ];
  if (skipped.length > 0) {
    lines.push(`- **Skipped**: ${skipped.join('; ')}`);
  }
  const rows: SummaryRow[] = outcomes.flatMap((o) => o.report?.summary ?? []);
  return [
    ...lines,
    '',
    '"ix / other" divides ix\'s figure by the reference\'s; "better" says which way favours ix (higher for ' +
      "throughput, lower for latency and for time against a timeout). Each benchmark's section below has the " +
      'absolute figures, settings and caveats.',
    '',
    summaryTable(rows),
  ].join('\n');
}

function section(o: Outcome, cores: number): string {
  if (!o.ran) {
    return `_Not run by the last \`npm run bench\` (BENCH_SUITES=${process.env.BENCH_SUITES}); \`npm run ${o.suite.script}\` prints it._`;
  }
  if (!o.report) {
    return `**Failed** in the last run: \n\n\`\`\`\n${o.error ?? 'unknown error'}\n\`\`\``;
  }
  return [
    `_Run ${o.report.startedAt}: ${describeCpu(o.cpu, cores)}._${loadedNote(o.cpu, cores)}`,
    '',
    o.report.detail,
  ].join('\n');
}

const marker = (id: string) => ({
  start: `<!-- bench:${id}:start (generated by \`npm run bench\`; edit outside these markers) -->`,
  end: `<!-- bench:${id}:end -->`,
});

/** Replaces the block between a pair of markers; appends `## title` with the block when the markers are missing. */
function replaceBlock(text: string, id: string, title: string, body: string): string {
  const { start, end } = marker(id);
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i >= 0 && j > i) {
    return `${text.slice(0, i + start.length)}\n\n${body}\n\n${text.slice(j)}`;
  }
  const block = `## ${title}\n\n${start}\n\n${body}\n\n${end}\n`;
  const tail = text.indexOf('\n## How to reproduce');
  return tail >= 0 ? `${text.slice(0, tail)}\n\n${block}${text.slice(tail)}` : `${text.trimEnd()}\n\n${block}`;
}

async function writeDoc(summary: string, outcomes: Outcome[], cores: number): Promise<void> {
  const path = resolve(DOC);
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  text = replaceBlock(text, 'summary', 'Summary', summary);
  for (const o of outcomes) {
    text = replaceBlock(text, o.suite.id, o.suite.title, section(o, cores));
  }
  // Formatted like the rest of the repository, so `prettier --check .` stays green after a run.
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(path)) ?? {};
  const formatted = await prettier.format(text, { ...options, parser: 'markdown' });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, formatted);
  progress(`wrote ${DOC}`);
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const cores = machineInfo().cores;
  const total = new CpuMeter();
  const outcomes: Outcome[] = [];
  for (const suite of SUITES) {
    if (!SELECTED.has(suite.id)) {
      outcomes.push({ suite, ran: false });
      continue;
    }
    progress(`=== ${suite.title} ===`);
    const meter = new CpuMeter();
    try {
      const { run } = await suite.load();
      const report = await run();
      outcomes.push({ suite, report, cpu: meter.stop(), ran: true });
      progress(`${suite.title} done in ${report.durationS.toFixed(0)} s`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      outcomes.push({ suite, error, cpu: meter.stop(), ran: true });
      progress(`${suite.title} FAILED: ${error}`);
      process.exitCode = 1;
    }
  }
  const summary = header(outcomes, total.stop(), startedAt);
  print(`\n${summary}\n`);
  if (DOC !== 'none') {
    await writeDoc(summary, outcomes, cores);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
