#!/usr/bin/env node
// ix — the command line for humans, on top of the REST API. Node 20+ built-ins only (fetch, FormData, Blob).
//
//   ix submit <file> --use-case invoice [--wait] [--url http://localhost:3000] [--key KEY]
//   ix status [--url …] [--key KEY] [--admin-key KEY]
//
// Exit codes: 0 done, 1 failure (server unreachable, HTTP error, job error, timeout, not ready), 2 usage.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';

const USAGE = `Usage:
  ix submit <file> --use-case <name> [--wait] [--timeout <s>] [--request-id <id>] [--client-id <id>] [--json]
  ix status
  ix help

Options (every command):
  --url <url>        where ix listens (default: $IX_URL or http://localhost:3000)
  --key <key>        API key, sent as Authorization: Bearer <key> (default: $IX_KEY)
  --admin-key <key>  for /admin endpoints (default: $IX_ADMIN_KEY, else --key)

submit   uploads a PDF, PNG, JPEG or TIFF as a new job and prints its id; with --wait, polls until the job is
         done or failed and prints every field with its value, confidence, grounding (✓/✗) and page.
status   readiness and its checks, queue figures (/metrics) and scheduled tasks (/admin/tasks) when the key
         allows (the admin key once the server has one), and printers. Exits 1 when ix is not ready.

Exit codes: 0 ok, 1 failure (unreachable, HTTP error, job error, timeout, not ready), 2 usage.
`;

const FINAL = new Set(['done', 'error', 'cancelled']);
const REQUEST_TIMEOUT_MS = 30_000;

class CliError extends Error {
  /** @param {string} message @param {number} [exitCode] */
  constructor(message, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** @param {string} line */
const out = (line = '') => process.stdout.write(`${line}\n`);

/** @param {unknown} err */
function reason(err) {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  const cause =
    err instanceof Error ? /** @type {{ code?: string; message?: string } | undefined} */ (err.cause) : undefined;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/**
 * One HTTP call; an unreachable server is a CliError with one line, an HTTP status is the caller's business.
 * @param {{ url: URL }} ctx
 * @param {string} method
 * @param {string} path
 * @param {{ key?: string; body?: FormData }} [options]
 * @returns {Promise<{ status: number; ok: boolean; json: any }>}
 */
async function call(ctx, method, path, options = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (options.key) {
    headers.authorization = `Bearer ${options.key}`;
  }
  let response;
  try {
    response = await fetch(new URL(path, ctx.url), {
      method,
      headers,
      body: options.body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    throw new CliError(`cannot reach ix at ${ctx.url.origin} (${reason(err)})`);
  }
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, ok: response.ok, json };
}

/** @param {string} what @param {{ status: number; json: any }} res */
function httpError(what, res) {
  const error = res.json?.error;
  const detail = error ? `${error.code}: ${error.message}` : 'no JSON error body';
  return new CliError(`${what} failed: HTTP ${res.status} ${detail}`);
}

/** @param {unknown} value */
function show(value) {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  const text = (typeof value === 'string' ? value : JSON.stringify(value)).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** Left-aligned columns, two spaces apart. @param {string[][]} rows */
function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell + ' '.repeat(widths[i] - [...cell].length))
      .join('  ')
      .trimEnd(),
  );
}

/** @param {any} job */
function printJob(job) {
  const took = job.timings_ms?.total === undefined ? '' : ` in ${(job.timings_ms.total / 1000).toFixed(2)} s`;
  const version = job.use_case_version ? ` v${job.use_case_version}` : '';
  out(`job ${job.id}: ${job.status}${took} (use case ${job.use_case}${version}, request ${job.request_id})`);
  if (job.status === 'error' && job.error) {
    out(`error ${job.error.code}: ${job.error.message}${job.error.retryable ? ' (retryable)' : ''}`);
    return;
  }
  const result = job.result;
  if (!result) {
    return;
  }
  /** @type {[string, any][]} */
  const fields = Object.entries(result.fields ?? {});
  if (fields.length === 0) {
    out('no fields');
  } else {
    const rows = [['field', 'value', 'confidence', 'grounded', 'page']];
    for (const [name, f] of fields) {
      rows.push([
        name,
        show(f?.value),
        typeof f?.confidence === 'number' ? f.confidence.toFixed(2) : '—',
        f?.grounded ? '✓' : '✗',
        f?.source?.page === undefined || f?.source?.page === null ? '—' : String(f.source.page),
      ]);
    }
    table(rows).forEach((line) => out(line));
  }
  if (typeof result.valid === 'boolean') {
    out(`valid: ${result.valid ? '✓' : '✗'}`);
  }
  for (const w of result.warnings ?? []) {
    out(`warning ${w.field ?? ''} ${w.code}${w.message ? `: ${w.message}` : ''}`.replace(/\s+/g, ' '));
  }
  if (result.asn) {
    out(`asn: ${result.asn}`);
  }
}

/** @param {any} ctx @param {string[]} positionals @param {any} values */
async function submit(ctx, positionals, values) {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) {
    throw new CliError('submit needs exactly one file: ix submit <file> --use-case <name>', 2);
  }
  if (!values['use-case']) {
    throw new CliError('submit needs --use-case (e.g. invoice, receipt, generic)', 2);
  }
  const timeoutS = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) {
    throw new CliError(`--timeout must be a positive number of seconds (got "${values.timeout}")`, 2);
  }
  let bytes;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = /** @type {NodeJS.ErrnoException} */ (err).code ?? '';
    const why = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'a directory' }[code] ?? reason(err);
    throw new CliError(`cannot read ${file} (${why})`);
  }
  const form = new FormData();
  form.set('use_case', values['use-case']);
  form.set('request_id', values['request-id'] ?? `cli-${randomUUID()}`);
  if (values['client-id']) {
    form.set('client_id', values['client-id']);
  }
  form.set('file', new Blob([bytes]), basename(file));
  const created = await call(ctx, 'POST', '/jobs', { key: ctx.key, body: form });
  if (!created.ok) {
    throw httpError('submit', created);
  }
  let job = created.json;
  if (!values.wait) {
    if (values.json) {
      out(JSON.stringify(job, null, 2));
    } else {
      out(`job ${job.id}: ${job.status}${created.status === 200 ? ' (already submitted with this request id)' : ''}`);
      out(`follow it with: ix submit … --wait, or GET ${new URL(`/jobs/${job.id}`, ctx.url).href}`);
    }
    return 0;
  }
  const deadline = Date.now() + timeoutS * 1000;
  let pause = 200;
  while (!FINAL.has(job.status)) {
    if (Date.now() > deadline) {
      throw new CliError(`job ${job.id} is still ${job.status} after ${timeoutS} s (--timeout)`);
    }
    await sleep(pause);
    pause = Math.min(pause * 1.5, 2000);
    const res = await call(ctx, 'GET', `/jobs/${job.id}`, { key: ctx.key });
    if (!res.ok) {
      throw httpError(`GET /jobs/${job.id}`, res);
    }
    job = res.json;
  }
  if (values.json) {
    out(JSON.stringify(job, null, 2));
  } else {
    printJob(job);
  }
  return job.status === 'done' ? 0 : 1;
}

/** @param {any} ctx */
async function status(ctx) {
  const readiness = await call(ctx, 'GET', '/readiness');
  if (!readiness.json?.status) {
    throw httpError('GET /readiness', readiness);
  }
  out(`ix at ${ctx.url.origin}: ${readiness.json.status} (HTTP ${readiness.status})`);
  const checks = Object.entries(readiness.json.checks ?? {});
  if (checks.length > 0) {
    const rows = checks.map(([name, c]) => [
      `  ${name}`,
      String(c.status),
      c.critical ? 'critical' : '',
      typeof c.latency_ms === 'number' ? `${c.latency_ms} ms` : '',
      c.detail ? show(c.detail) : '',
    ]);
    table(rows).forEach((line) => out(line));
  }

  // An operator route: the admin key when the server has one, else any API key.
  const metrics = await call(ctx, 'GET', '/metrics', { key: ctx.adminKey });
  if (metrics.ok && metrics.json?.jobs) {
    const m = metrics.json;
    const j = m.jobs;
    out(`queue: ${j.pending} pending, ${j.running} running, lag ${m.queue_lag_seconds} s`);
    out(`last 24 h: ${j.done_24h} done, ${j.error_24h} error, ${j.cancelled_24h} cancelled`);
    const averages = Object.entries(m.avg_seconds_by_use_case ?? {}).map(([u, s]) => `${u} ${s} s`);
    if (averages.length > 0) {
      out(`mean time per job: ${averages.join(', ')}`);
    }
    out(`backlogs: callbacks ${m.callback_backlog ?? '—'}, labels ${m.print_backlog ?? '—'}`);
  } else if (metrics.status === 401 || metrics.status === 403) {
    out('queue: needs the admin key (--admin-key, $IX_ADMIN_KEY or --key)');
  } else {
    out(`queue: unavailable (GET /metrics: HTTP ${metrics.status})`);
  }

  const tasks = await call(ctx, 'GET', '/admin/tasks', { key: ctx.adminKey });
  if (tasks.ok && Array.isArray(tasks.json?.tasks)) {
    out('tasks:');
    const rows = [['  name', 'last', 'last run', 'next run', 'failures']];
    for (const t of tasks.json.tasks) {
      rows.push([
        `  ${t.name}${t.in_flight ? ' (running)' : ''}`,
        show(t.last_status),
        show(t.last_run_at),
        show(t.next_run_at),
        String(t.consecutive_failures ?? 0),
      ]);
    }
    table(rows).forEach((line) => out(line));
  } else if (tasks.status === 401 || tasks.status === 403) {
    out('tasks: need the admin key (--admin-key, $IX_ADMIN_KEY or --key)');
  } else {
    out(`tasks: unavailable (GET /admin/tasks: HTTP ${tasks.status})`);
  }

  const printers = await call(ctx, 'GET', '/printers', { key: ctx.key });
  if (printers.ok && Array.isArray(printers.json?.items)) {
    const active = printers.json.items.filter((/** @type {any} */ p) => p.active);
    out(`printers: ${active.length} active`);
    for (const p of active) {
      const s = await call(ctx, 'GET', `/printers/${p.id}/status`, { key: ctx.key });
      const state = s.ok
        ? [
            s.json.online ? 'online' : 'offline',
            s.json.state,
            ...(s.json.errors ?? []),
            s.json.note ?? '',
            s.json.last_error ?? '',
          ]
            .filter(Boolean)
            .join(', ')
        : `status HTTP ${s.status}`;
      out(`  ${p.name} (${p.driver} ${p.driver === 'file' ? (p.dir ?? '') : `${p.host}:${p.port}`}): ${state}`);
    }
  } else {
    out(`printers: unavailable (GET /printers: HTTP ${printers.status})`);
  }
  return readiness.json.status === 'not-ready' ? 1 : 0;
}

/** @param {string[]} argv */
async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        key: { type: 'string' },
        'admin-key': { type: 'string' },
        'use-case': { type: 'string' },
        'request-id': { type: 'string' },
        'client-id': { type: 'string' },
        wait: { type: 'boolean' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new CliError(`${/** @type {Error} */ (err).message} (ix help shows the usage)`, 2);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || command === 'help' || command === undefined) {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const base = values.url ?? process.env.IX_URL ?? 'http://localhost:3000';
  let url;
  try {
    url = new URL(base);
  } catch {
    throw new CliError(`--url must be an http(s) URL (got "${base}")`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`--url must be an http(s) URL (got "${base}")`, 2);
  }
  const key = values.key ?? process.env.IX_KEY;
  const ctx = { url, key, adminKey: values['admin-key'] ?? process.env.IX_ADMIN_KEY ?? key };
  switch (command) {
    case 'submit':
      return submit(ctx, rest, values);
    case 'status':
      if (rest.length > 0) {
        throw new CliError('status takes no arguments', 2);
      }
      return status(ctx);
    default:
      throw new CliError(`unknown command "${command}" (submit, status, help)`, 2);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof CliError) {
    process.stderr.write(`ix: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    process.stderr.write(`ix: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  }
}
