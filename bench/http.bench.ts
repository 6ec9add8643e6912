/**
 * `npm run bench:http`: ix's REST API under load (autocannon) next to a bare NestJS app on the same Fastify adapter
 * doing the same no-DB work (the framework ceiling), and the same routes on plain Fastify.
 *
 * ix runs as `npm start` runs it (dist/src/main.js, a child process) with `IX_ROLE=api`, so no worker, scheduler
 * or OCR competes with the API; its database is an embedded PostgreSQL this script starts. Every POST carries a
 * unique request_id and a unique tiny document (PDF or PNG, base64 in JSON), so each one creates a job and a
 * document row. The idempotent re-submit (same request_id, same document: 200 with the existing job) is its own row.
 *
 * Knobs (env): BENCH_HTTP_DURATION_S (10 per run), BENCH_HTTP_WARMUP_S (2), BENCH_HTTP_CONNECTIONS (10),
 * BENCH_HTTP_QUIET (0; 1 also runs ix with LOG_LEVEL=warn, to see what its logging costs).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type autocannon from 'autocannon';
import { loadTest, type LoadResult } from './lib/load.js';
import { BenchPostgres } from './lib/postgres.js';
import {
  type BenchReport,
  envInt,
  isEntryPoint,
  packageVersion,
  progress,
  runAsScript,
  type SummaryRow,
  table,
} from './lib/report.js';
import { freePort } from '../scripts/lib/free-port.js';
import { type ServerProcess, startServer } from './lib/server-process.js';
import { taggedPdf, taggedPng } from '../scripts/lib/tiny-documents.js';
import { formatMs, formatRate, formatRatio } from './lib/stats.js';

const DURATION_S = envInt('BENCH_HTTP_DURATION_S', 10);
const WARMUP_S = envInt('BENCH_HTTP_WARMUP_S', 2);
const CONNECTIONS = envInt('BENCH_HTTP_CONNECTIONS', 10);
const QUIET = process.env.BENCH_HTTP_QUIET === '1';
/** Jobs created before the GET runs; GETs cycle through them. */
const SEEDED = 100;

const IX = 'ix';
const IX_QUIET = 'ix, LOG_LEVEL=warn';
const NEST = 'bare NestJS';
const FASTIFY = 'bare Fastify';

const API_KEY = randomBytes(24).toString('hex');
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}` };

let sequence = 0;

/** A submit body with a new request_id and a new document: a PDF and a PNG in turn. */
function newSubmit(prefix: string): string {
  const n = sequence++;
  const pdf = n % 2 === 0;
  const bytes = pdf ? taggedPdf(`${prefix}-${n}`) : taggedPng(`${prefix}-${n}`);
  return JSON.stringify({
    request_id: `${prefix}-${n}`,
    use_case: 'invoice',
    document: {
      content_base64: bytes.toString('base64'),
      filename: pdf ? `bench-${n}.pdf` : `bench-${n}.png`,
      media_type: pdf ? 'application/pdf' : 'image/png',
    },
  });
}

interface Target {
  name: string;
  server: ServerProcess;
  ids: string[];
  /** ix only: the log bytes written over the measured runs, per request. */
  logBytesPerRequest?: number;
}

interface Scenario {
  kind: 'POST new' | 'GET' | 'POST re-submit' | 'GET /healthz';
  target: Target;
  result?: LoadResult;
}

function requestsFor(kind: Scenario['kind'], target: Target, prefix: string, resubmit: string): autocannon.Request[] {
  switch (kind) {
    case 'POST new':
      return [{ method: 'POST', path: '/jobs', setupRequest: (r) => ({ ...r, body: newSubmit(prefix) }) }];
    case 'POST re-submit':
      return [{ method: 'POST', path: '/jobs', body: resubmit }];
    case 'GET /healthz':
      return [{ method: 'GET', path: '/healthz' }];
    case 'GET': {
      let i = 0;
      return [{ method: 'GET', setupRequest: (r) => ({ ...r, path: `/jobs/${target.ids[i++ % target.ids.length]}` }) }];
    }
  }
}

async function seed(target: Target, resubmit: string): Promise<void> {
  for (let i = 0; i < SEEDED; i++) {
    const res = await fetch(`${target.server.url}/jobs`, { method: 'POST', headers: HEADERS, body: newSubmit('seed') });
    const body = (await res.json()) as { id?: string };
    if (res.status !== 201 || !body.id) {
      throw new Error(`${target.name}: seeding POST /jobs answered ${res.status}: ${JSON.stringify(body)}`);
    }
    target.ids.push(body.id);
  }
  const first = await fetch(`${target.server.url}/jobs`, { method: 'POST', headers: HEADERS, body: resubmit });
  await first.arrayBuffer();
  const again = await fetch(`${target.server.url}/jobs`, { method: 'POST', headers: HEADERS, body: resubmit });
  await again.arrayBuffer();
  if (target.name.startsWith(IX) && (first.status !== 201 || again.status !== 200)) {
    throw new Error(`${target.name}: idempotent re-submit answered ${first.status} then ${again.status}`);
  }
}

function statusNote(r: LoadResult): string {
  const bad = Object.entries(r.statuses).filter(([code]) => !code.startsWith('2'));
  const parts = bad.map(([code, n]) => `${n}× ${code}`);
  if (r.errors > 0) {
    parts.push(`${r.errors} errors`);
  }
  if (r.timeouts > 0) {
    parts.push(`${r.timeouts} timeouts`);
  }
  return parts.length > 0 ? parts.join(', ') : '';
}

export async function run(): Promise<BenchReport> {
  const started = new Date();
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'ix-bench-http-'));
  progress(
    `http benchmark: ${DURATION_S} s per run after ${WARMUP_S} s warm-up, ${CONNECTIONS} connections, pipelining 1`,
  );
  const pg = await BenchPostgres.start();
  const servers: ServerProcess[] = [];
  const skipped: string[] = [];
  try {
    const pgInfo = await pg.describe();
    const ixEnv = async (db: string, logLevel: string): Promise<Record<string, string>> => ({
      DATABASE_URL: await pg.createDatabase(db),
      IX_ROLE: 'api',
      IX_JOB_HANDLER: 'noop',
      IX_DATA_DIR: join(root, db),
      IX_USE_CASES_DIR: resolve('use-cases'),
      IX_API_KEYS: `bench:${API_KEY}`,
      // The per-client rate limit (default 600/min) would answer nearly every request 429 here.
      IX_RATE_LIMIT_PER_MIN: '0',
      LOG_LEVEL: logLevel,
      HOST: '127.0.0.1',
    });
    const start = async (name: string, script: string, env: Record<string, string>, readyPath: string) => {
      const port = await freePort();
      const server = await startServer({
        name,
        script: resolve(script),
        env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
        port,
        readyPath,
        logDir: root,
      });
      servers.push(server);
      progress(`${name} up at ${server.url}`);
      return { name, server, ids: [] } satisfies Target;
    };
    const targets: Target[] = [await start(IX, 'dist/src/main.js', await ixEnv('bench_http', 'info'), '/readiness')];
    if (QUIET) {
      targets.push(await start(IX_QUIET, 'dist/src/main.js', await ixEnv('bench_http_quiet', 'warn'), '/readiness'));
    }
    targets.push(await start(NEST, 'dist/bench/servers/bare-nest.server.js', {}, '/healthz'));
    targets.push(await start(FASTIFY, 'dist/bench/servers/bare-fastify.server.js', {}, '/healthz'));

    const resubmit = newSubmit('resubmit');
    for (const target of targets) {
      await seed(target, resubmit);
    }
    progress(`seeded ${SEEDED} jobs per server`);

    const ix = targets[0];
    const scenarios: Scenario[] = [
      ...targets.map((target): Scenario => ({ kind: 'POST new', target })),
      ...targets.map((target): Scenario => ({ kind: 'GET', target })),
      { kind: 'POST re-submit', target: ix },
      ...targets.filter((t) => t.name !== IX_QUIET).map((target): Scenario => ({ kind: 'GET /healthz', target })),
    ];
    const logBytes = new Map<Target, { bytes: number; requests: number }>();
    for (const [i, s] of scenarios.entries()) {
      const prefix = `r${i}`;
      const requests = requestsFor(s.kind, s.target, prefix, resubmit);
      const url = s.target.server.url;
      await loadTest({ url, connections: CONNECTIONS, durationS: WARMUP_S, headers: HEADERS, requests });
      const before = s.target.server.logBytes();
      s.result = await loadTest({ url, connections: CONNECTIONS, durationS: DURATION_S, headers: HEADERS, requests });
      const seen = logBytes.get(s.target) ?? { bytes: 0, requests: 0 };
      seen.bytes += s.target.server.logBytes() - before;
      seen.requests += Object.values(s.result.statuses).reduce((a, b) => a + b, 0);
      logBytes.set(s.target, seen);
      const note = statusNote(s.result);
      progress(
        `${s.kind} ${s.target.name}: ${formatRate(s.result.rps)} req/s, p50 ${formatMs(s.result.p50)} ms, ` +
          `p99 ${formatMs(s.result.p99)} ms${note ? ` (${note})` : ''}`,
      );
    }
    for (const [target, seen] of logBytes) {
      target.logBytesPerRequest = seen.requests > 0 ? seen.bytes / seen.requests : 0;
    }

    const find = (kind: Scenario['kind'], name: string) =>
      scenarios.find((s) => s.kind === kind && s.target.name === name)?.result;
    const summary: SummaryRow[] = [];
    const nestPost = find('POST new', NEST);
    const row = (measure: string, r: LoadResult | undefined, ref: LoadResult | undefined, refName: string) => {
      summary.push({
        area: 'HTTP',
        measure,
        ix: r ? formatRate(r.rps) : 'n/a',
        reference: ref ? `${refName} ${formatRate(ref.rps)}` : refName,
        ratio: r && ref ? r.rps / ref.rps : Number.NaN,
        better: 'higher',
        note: r
          ? `ix p50 / p99 ${formatMs(r.p50)} / ${formatMs(r.p99)} ms` +
            (statusNote(r) ? `; ${statusNote(r)}` : '') +
            (ref && statusNote(ref) ? `; ${refName}: ${statusNote(ref)}` : '')
          : undefined,
      });
    };
    row('`POST /jobs`, new job (req/s)', find('POST new', IX), nestPost, NEST);
    row('`GET /jobs/{id}` (req/s)', find('GET', IX), find('GET', NEST), NEST);
    row('`POST /jobs`, idempotent re-submit (req/s)', find('POST re-submit', IX), nestPost, `${NEST} POST`);
    row('`GET /healthz`, no database (req/s)', find('GET /healthz', IX), find('GET /healthz', NEST), NEST);

    // Detail
    const rows = scenarios.map((s) => {
      const r = s.result!;
      const ref = find(s.kind === 'POST re-submit' ? 'POST new' : s.kind, NEST)!;
      return [
        s.kind,
        s.target.name,
        formatRate(r.rps),
        formatMs(r.p50),
        formatMs(r.p90),
        formatMs(r.p99),
        formatMs(r.max),
        formatRatio(r.rps / ref.rps),
        statusNote(r) || '—',
      ];
    });
    const detail = [
      `${CONNECTIONS} connections, pipelining 1, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up run; ` +
        `one run per row, rows in the order shown; all servers idle-waiting on 127.0.0.1 while another is measured. ` +
        `Latency is per 2xx response, measured by autocannon (exact values from its response events, not its ` +
        `1 ms histogram); req/s counts 2xx responses only.`,
      '',
      table(
        ['request', 'server', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'vs bare NestJS', 'non-2xx / errors'],
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l'],
        rows,
      ),
      '',
      `"vs bare NestJS" divides by the bare NestJS figure for the same request (a re-submit by its new-job POST). ` +
        `\`GET /healthz\` touches no database anywhere: for ix it is the whole request pipeline (global guards, ` +
        `hooks, serialisation, logging) and nothing else, so its ratio is the framework-level overhead ix adds. ` +
        `ix wrote ${Math.round(ix.logBytesPerRequest ?? 0)} bytes of JSON log per request at ` +
        `LOG_LEVEL=info (to a file, as a container runtime would collect it)` +
        (QUIET ? `; ${IX_QUIET} wrote ${Math.round(targets[1].logBytesPerRequest ?? 0)}.` : '.'),
      '',
      '**Settings**',
      '',
      `- **ix**: \`node dist/src/main.js\` (as \`npm start\`), \`IX_ROLE=api\` (no worker, no scheduler), ` +
        `\`IX_JOB_HANDLER=noop\`, one API key (\`Authorization: Bearer …\` on every request), ` +
        `\`IX_RATE_LIMIT_PER_MIN=0\` (the default per-client limit would answer these runs mostly 429), defaults ` +
        `otherwise (\`LOG_LEVEL=info\`); PostgreSQL ${pgInfo.server_version} ` +
        `embedded, fsync=${pgInfo.fsync}, synchronous_commit=${pgInfo.synchronous_commit}, one database per ix ` +
        `process. \`POST /jobs\`: JSON with a unique \`request_id\` and a unique tiny document (a ~60-byte PDF and a ` +
        `~80-byte PNG in turn, base64) → 201; ix validates the DTO, sniffs the type, hashes, and stores the job, its ` +
        `queue row and the document in one statement (idempotent insert, NOTIFY), answered from what it returns: 1 ` +
        `round trip, 1 commit (plus one NOTIFY per burst of concurrent submits). \`GET /jobs/{id}\` (one query ` +
        `joining the job with its document, result, callback and label) cycles through ${SEEDED} jobs made before ` +
        `the runs. Re-submit: the same body every time → 200 with the existing job (the insert finds the pair and ` +
        `inserts no row, then one read).`,
      `- **${NEST}**: NestJS ${packageVersion('@nestjs/core')} with @nestjs/platform-fastify ` +
        `${packageVersion('@nestjs/platform-fastify')} (the adapter ix uses), one controller, a global ValidationPipe ` +
        `(whitelist, forbidNonWhitelisted, transform) over a class-validator DTO like ix's; decodes the base64, ` +
        `sha256, random id, a job envelope with ix's fields (bench/servers/bare-job.ts), kept in memory for GET. ` +
        `No logger, guard, filter, database or OpenAPI.`,
      `- **${FASTIFY}**: Fastify ${packageVersion('fastify')}, the same routes and work, body checked by Fastify's ` +
        `JSON schema validation.`,
      `- Load generator: autocannon ${packageVersion('autocannon')} in the benchmark process. On 2 CPUs it competes ` +
        `with the server (and PostgreSQL): the bare servers' figures are bounded by it as much as by the server.`,
    ].join('\n');

    return {
      id: 'http',
      title: 'HTTP API',
      startedAt: started.toISOString(),
      durationS: (performance.now() - t0) / 1000,
      summary,
      detail,
      versions: {
        '@nestjs/core': packageVersion('@nestjs/core'),
        '@nestjs/platform-fastify': packageVersion('@nestjs/platform-fastify'),
        fastify: packageVersion('fastify'),
        autocannon: packageVersion('autocannon'),
        PostgreSQL: `${pgInfo.server_version} (embedded)`,
      },
      skipped,
    };
  } finally {
    for (const server of servers.reverse()) {
      await server.stop().catch((err: unknown) => progress(`stopping ${server.name}: ${(err as Error).message}`));
    }
    await pg.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isEntryPoint(import.meta.url)) {
  runAsScript(run);
}
