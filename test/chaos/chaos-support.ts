import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { freePort } from '../../scripts/lib/free-port.js';
import { type IxProcess, startIx, waitForHttp } from '../support/ix-process.js';
import { waitFor } from '../support/wait.js';

/** The text-layer sample invoice: the real pipeline (Setup -> OCR from the text layer -> heuristic GenAI -> ...). */
export const INVOICE_PDF = readFileSync(join(process.cwd(), 'samples/invoice-text.pdf'));
export const INVOICE_NUMBER = 'RE-2026-001';

export interface RunningApp {
  ix: IxProcess;
  base: string;
  port: number;
  /** From the app's `worker started` log line: the `locked_by` of every job this process claims. */
  workerId: string;
  /** IX_DATA_DIR (labels of the default file printer land here). */
  dataDir: string;
}

/**
 * The built service (dist/src/main.js) as one real process with IX_ROLE=all (API + worker), against the given
 * database, running the real pipeline with the built-in heuristic extractor. IX_TEST_MODE=1 only swaps the OCR
 * client for the fake one, which a text-layer PDF never reaches.
 */
export async function startApp(
  databaseUrl: string,
  env: Record<string, string> = {},
  port?: number,
): Promise<RunningApp> {
  const listenPort = port ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'ix-chaos-data-'));
  const ix = startIx({
    DATABASE_URL: databaseUrl,
    IX_ROLE: 'all',
    IX_TEST_MODE: '1',
    IX_GENAI_PROVIDER: 'heuristic',
    IX_DATA_DIR: dataDir,
    IX_WORKER_CONCURRENCY: '4',
    HOST: '127.0.0.1',
    PORT: String(listenPort),
    ...env,
  });
  const base = `http://127.0.0.1:${listenPort}`;
  await waitForHttp(`${base}/healthz`, ix);
  const started = await waitFor(
    'the worker to start',
    () => logLines(ix).find((l) => l.msg === 'worker started'),
    30_000,
  );
  return { ix, base, port: listenPort, workerId: String(started.worker_id), dataDir };
}

/** SIGKILLs the app unless it already exited, and removes its data dir. */
export async function killHard(app: RunningApp): Promise<void> {
  if (app.ix.child.exitCode === null && app.ix.child.signalCode === null) {
    app.ix.child.kill('SIGKILL');
    await app.ix.exited;
  }
  rmSync(app.dataDir, { recursive: true, force: true });
}

/** With IX_CHAOS_LOG_DIR set, each process's whole output is kept there for a post-mortem. */
export function keepOutput(testName: string, index: number, app: RunningApp): void {
  const dir = process.env.IX_CHAOS_LOG_DIR;
  if (dir) {
    mkdirSync(dir, { recursive: true });
    const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    writeFileSync(join(dir, `${slug}-${index}.log`), app.ix.output());
  }
}

/** The process's JSON log lines; a line cut short by kill -9 is skipped, not fatal. */
export function logLines(ix: IxProcess): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of ix.output().split('\n')) {
    if (!line.startsWith('{')) {
      continue;
    }
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // truncated by the kill
    }
  }
  return lines;
}

/** Job ids this process ran through the handler to the end (`job finished`, logged before the batched commit). */
export function handlerCompletions(app: RunningApp): string[] {
  return logLines(app.ix)
    .filter((l) => l.msg === 'job finished')
    .map((l) => String(l.job_id));
}

export interface Submitted {
  requestId: string;
  /** The HTTP status; 0 when no usable answer came (`error` says why). */
  status: number;
  id: string | undefined;
  /** With status 0: the error's code and message (and the HTTP status, if an answer came with a body not JSON). */
  error?: string;
}

/** `CODE: message (cause)`; fetch puts the socket's code and message in the error's `cause`. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) {
    return String(err);
  }
  const cause = err.cause instanceof Error ? err.cause : undefined;
  const codeOf = (e: Error | undefined) => {
    const code = (e as { code?: unknown } | undefined)?.code;
    return typeof code === 'string' ? code : undefined;
  };
  return `${codeOf(err) ?? codeOf(cause) ?? err.name}: ${err.message}${cause ? ` (${cause.message})` : ''}`;
}

/**
 * POST /jobs (JSON, the sample invoice base64-encoded). No usable answer (a connection failure, a timeout, a body that
 * is not JSON) is status 0 with `error` saying what happened, not a throw.
 */
export async function submitJob(base: string, requestId: string): Promise<Submitted> {
  let answered: number | undefined;
  try {
    const res = await fetch(`${base}/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        request_id: requestId,
        use_case: 'invoice',
        document: { content_base64: INVOICE_PDF.toString('base64'), filename: 'invoice-text.pdf' },
      }),
      signal: AbortSignal.timeout(15_000),
    });
    answered = res.status;
    const body = (await res.json()) as { id?: string };
    return { requestId, status: res.status, id: body.id };
  } catch (err) {
    const error = answered === undefined ? describeError(err) : `HTTP ${answered}, body: ${describeError(err)}`;
    return { requestId, status: 0, id: undefined, error };
  }
}

/** Submits every request id through the HTTP API, `parallel` at a time, like a busy client. */
export async function submitAll(base: string, requestIds: string[], parallel = 8): Promise<Submitted[]> {
  const out: Submitted[] = [];
  let next = 0;
  const lane = async () => {
    while (next < requestIds.length) {
      out.push(await submitJob(base, requestIds[next++]));
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return out;
}

/**
 * An audit trail kept by the database itself, outside the product's code. Triggers record:
 * - on `job_queue` (one row per pending or running job): the insert (the job enqueued: none -> pending), every change
 *   of `locked_by` (NULL -> X: claimed by X, pending -> running; X -> NULL: released or requeued, running -> pending;
 *   X -> Y: taken over, running -> running) and the delete (the job leaves the queue: -> dequeued, with the worker
 *   that held it);
 * - on `jobs`: every change of `status` (pending -> done / error / cancelled: the job ended);
 * - on `job_results`: every write of a result row.
 * Each event carries its transaction id, so a job's end is attributed to the worker whose queue row was deleted in the
 * same transaction (the finish deletes the queue row and updates `jobs` in one statement). The product's own
 * bookkeeping (`attempts`, the `job_results` upsert) would hide a second completion; this cannot.
 */
export async function installAudit(db: pg.Client): Promise<void> {
  await db.query(`
    CREATE SCHEMA IF NOT EXISTS chaos;
    CREATE TABLE IF NOT EXISTS chaos.events (
      seq bigserial PRIMARY KEY, xid bigint NOT NULL DEFAULT txid_current(), tbl text NOT NULL, job_id text NOT NULL,
      from_status text NOT NULL, to_status text NOT NULL, old_worker text, new_worker text, attempts int NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE INDEX IF NOT EXISTS events_job_idx ON chaos.events (job_id, seq);
    CREATE OR REPLACE VIEW chaos.queue_events AS SELECT * FROM chaos.events WHERE tbl = 'job_queue';
    CREATE OR REPLACE VIEW chaos.job_events AS SELECT * FROM chaos.events WHERE tbl = 'jobs';
    CREATE TABLE IF NOT EXISTS chaos.result_writes (
      seq bigserial PRIMARY KEY, job_id text NOT NULL, op text NOT NULL,
      at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE OR REPLACE FUNCTION chaos.log_queue() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO chaos.events (tbl, job_id, from_status, to_status, new_worker, attempts)
        VALUES ('job_queue', NEW.job_id, 'none',
                CASE WHEN NEW.locked_by IS NULL THEN 'pending' ELSE 'running' END, NEW.locked_by, NEW.attempts);
      ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO chaos.events (tbl, job_id, from_status, to_status, old_worker, new_worker, attempts)
        VALUES ('job_queue', NEW.job_id,
                CASE WHEN OLD.locked_by IS NULL THEN 'pending' ELSE 'running' END,
                CASE WHEN NEW.locked_by IS NULL THEN 'pending' ELSE 'running' END,
                OLD.locked_by, NEW.locked_by, NEW.attempts);
      ELSE
        INSERT INTO chaos.events (tbl, job_id, from_status, to_status, old_worker, attempts)
        VALUES ('job_queue', OLD.job_id, CASE WHEN OLD.locked_by IS NULL THEN 'pending' ELSE 'running' END,
                'dequeued', OLD.locked_by, OLD.attempts);
      END IF;
      RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION chaos.log_job_status() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO chaos.events (tbl, job_id, from_status, to_status, attempts)
      VALUES ('jobs', NEW.id, OLD.status, NEW.status, NEW.attempts);
      RETURN NULL;
    END $$;
    CREATE OR REPLACE FUNCTION chaos.log_result_write() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO chaos.result_writes (job_id, op) VALUES (NEW.job_id, TG_OP);
      RETURN NULL;
    END $$;
    DROP TRIGGER IF EXISTS chaos_queue_inserts ON public.job_queue;
    CREATE TRIGGER chaos_queue_inserts AFTER INSERT ON public.job_queue
      FOR EACH ROW EXECUTE FUNCTION chaos.log_queue();
    DROP TRIGGER IF EXISTS chaos_queue_locks ON public.job_queue;
    CREATE TRIGGER chaos_queue_locks AFTER UPDATE ON public.job_queue
      FOR EACH ROW WHEN (OLD.locked_by IS DISTINCT FROM NEW.locked_by) EXECUTE FUNCTION chaos.log_queue();
    DROP TRIGGER IF EXISTS chaos_queue_deletes ON public.job_queue;
    CREATE TRIGGER chaos_queue_deletes AFTER DELETE ON public.job_queue
      FOR EACH ROW EXECUTE FUNCTION chaos.log_queue();
    DROP TRIGGER IF EXISTS chaos_job_transitions ON public.jobs;
    CREATE TRIGGER chaos_job_transitions AFTER UPDATE ON public.jobs
      FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION chaos.log_job_status();
    DROP TRIGGER IF EXISTS chaos_result_writes ON public.job_results;
    CREATE TRIGGER chaos_result_writes AFTER INSERT OR UPDATE ON public.job_results
      FOR EACH ROW EXECUTE FUNCTION chaos.log_result_write();
  `);
}

export interface Transition {
  /** `job_queue` (enqueue, claim, release/requeue, dequeue) or `jobs` (the job's end: done, error, cancelled). */
  table: 'job_queue' | 'jobs';
  jobId: string;
  /** none | pending | running (job_queue); pending | done | error | cancelled (jobs) */
  from: string;
  /** pending | running | dequeued (job_queue); done | error | cancelled | pending (jobs) */
  to: string;
  /**
   * The worker holding the job before the event. For a `jobs` transition: the worker whose queue row was deleted in
   * the same transaction (null if none was).
   */
  oldWorker: string | null;
  newWorker: string | null;
  attempts: number;
}

/** The audit trail in the order the events were recorded. */
export async function transitions(db: pg.Client): Promise<Transition[]> {
  const { rows } = await db.query<{
    tbl: 'job_queue' | 'jobs';
    job_id: string;
    from_status: string;
    to_status: string;
    old_worker: string | null;
    new_worker: string | null;
    attempts: number;
  }>(`
    SELECT e.tbl, e.job_id, e.from_status, e.to_status, e.new_worker, e.attempts,
           CASE WHEN e.tbl = 'jobs'
             THEN (SELECT d.old_worker FROM chaos.events d
                    WHERE d.tbl = 'job_queue' AND d.to_status = 'dequeued' AND d.job_id = e.job_id AND d.xid = e.xid)
             ELSE e.old_worker END AS old_worker
      FROM chaos.events e ORDER BY e.seq`);
  return rows.map((r) => ({
    table: r.tbl,
    jobId: r.job_id,
    from: r.from_status,
    to: r.to_status,
    oldWorker: r.old_worker,
    newWorker: r.new_worker,
    attempts: r.attempts,
  }));
}

export interface JobAudit {
  /** queue rows inserted for the job */
  enqueues: number;
  /** locked_by set on its queue row (NULL -> X, or X -> Y) */
  claims: number;
  /** its queue row unlocked again (X -> NULL: a sweep, a retryable failure or a release on shutdown) */
  requeues: number;
  /** its queue row deleted */
  dequeues: number;
  /** jobs.status changed to done */
  completions: number;
  /** job_results rows written (insert or update) */
  resultWrites: number;
}

/** job id -> how many times each kind of event happened to it, from the audit trail. */
export async function auditPerJob(db: pg.Client): Promise<Map<string, JobAudit>> {
  const { rows } = await db.query<{
    id: string;
    enqueues: number;
    claims: number;
    requeues: number;
    dequeues: number;
    completions: number;
    result_writes: number;
  }>(`
    SELECT j.id,
           (SELECT count(*) FROM chaos.queue_events q WHERE q.job_id = j.id AND q.from_status = 'none')::int AS enqueues,
           (SELECT count(*) FROM chaos.queue_events q WHERE q.job_id = j.id AND q.to_status = 'running')::int AS claims,
           (SELECT count(*) FROM chaos.queue_events q
             WHERE q.job_id = j.id AND q.from_status = 'running' AND q.to_status = 'pending')::int AS requeues,
           (SELECT count(*) FROM chaos.queue_events q WHERE q.job_id = j.id AND q.to_status = 'dequeued')::int
             AS dequeues,
           (SELECT count(*) FROM chaos.job_events s WHERE s.job_id = j.id AND s.to_status = 'done')::int AS completions,
           (SELECT count(*) FROM chaos.result_writes w WHERE w.job_id = j.id)::int AS result_writes
      FROM jobs j`);
  return new Map(
    rows.map((r) => [
      r.id,
      {
        enqueues: r.enqueues,
        claims: r.claims,
        requeues: r.requeues,
        dequeues: r.dequeues,
        completions: r.completions,
        resultWrites: r.result_writes,
      },
    ]),
  );
}

/**
 * Events of the audit trail that break the queue's own invariants, one line each (expected: none):
 * - a job ended (`jobs.status` to done / error / cancelled) without its queue row deleted in the same transaction,
 *   or a queue row deleted without the job ending in that transaction: the end and the dequeue are one commit;
 * - a job enqueued again after it ended (other than by the admin requeue, which sets `jobs.status` back to
 *   pending first): e.g. a job run again after its completion was committed;
 * - a running queue row locked by another worker without being released in between (two holders).
 */
export async function auditAnomalies(db: pg.Client): Promise<string[]> {
  const { rows } = await db.query<{ anomaly: string }>(`
    SELECT format('job %s: %s -> %s in jobs without its queue row deleted in that transaction', s.job_id,
                  s.from_status, s.to_status) AS anomaly
      FROM chaos.job_events s
     WHERE s.to_status <> 'pending'
       AND (SELECT count(*) FROM chaos.queue_events q
             WHERE q.job_id = s.job_id AND q.xid = s.xid AND q.to_status = 'dequeued') <> 1
    UNION ALL
    SELECT format('job %s: queue row deleted (held by %s) without the job ending in that transaction', q.job_id,
                  coalesce(q.old_worker, 'nobody'))
      FROM chaos.queue_events q
     WHERE q.to_status = 'dequeued'
       AND (SELECT count(*) FROM chaos.job_events s
             WHERE s.job_id = q.job_id AND s.xid = q.xid AND s.to_status <> 'pending') <> 1
    UNION ALL
    SELECT format('job %s: enqueued again after it ended %s, without being set back to pending', i.job_id,
                  s.to_status)
      FROM chaos.queue_events i
      JOIN chaos.job_events s ON s.job_id = i.job_id AND s.seq < i.seq AND s.to_status <> 'pending'
     WHERE i.from_status = 'none'
       AND NOT EXISTS (SELECT 1 FROM chaos.job_events r
                        WHERE r.job_id = i.job_id AND r.seq > s.seq AND r.seq < i.seq AND r.to_status = 'pending')
    UNION ALL
    SELECT format('job %s: running row taken over by %s from %s', q.job_id, q.new_worker, q.old_worker)
      FROM chaos.queue_events q
     WHERE q.from_status = 'running' AND q.to_status = 'running'`);
  return rows.map((r) => r.anomaly);
}

/**
 * Labels queued per job (the invoice use case prints an ASN label for every job, inside the pipeline's last step).
 * Not a promise of DESIGN section 5 — a re-run after a crash queues the label again — so it is measured, not asserted.
 */
export async function labelCounts(db: pg.Client): Promise<{ jobsLabelledTwice: number; jobsWithoutLabel: number }> {
  const { rows } = await db.query<{ twice: number; none: number }>(`
    SELECT count(*) FILTER (WHERE n > 1)::int AS twice, count(*) FILTER (WHERE n = 0)::int AS none
      FROM (SELECT j.id, (SELECT count(*) FROM print_jobs p WHERE p.job_id = j.id) AS n FROM jobs j) x`);
  return { jobsLabelledTwice: rows[0].twice, jobsWithoutLabel: rows[0].none };
}

export interface Sample {
  /** ms since the prober started */
  at: number;
  endedAt: number;
  status: number;
  error?: string;
  body?: Record<string, unknown>;
}

/** Polls one URL back to back (one request in flight at a time) and keeps every answer with its timing. */
export class Prober {
  readonly samples: Sample[] = [];
  readonly t0 = Date.now();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly everyMs: number,
    private readonly timeoutMs = 5_000,
  ) {
    this.loop = this.run();
  }

  now(): number {
    return Date.now() - this.t0;
  }

  async stop(): Promise<Sample[]> {
    this.running = false;
    await this.loop;
    return this.samples;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const at = this.now();
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
        const body = (await res.json()) as Record<string, unknown>;
        this.samples.push({ at, endedAt: this.now(), status: res.status, body });
      } catch (err) {
        this.samples.push({ at, endedAt: this.now(), status: 0, error: (err as Error).message });
      }
      await sleep(this.everyMs);
    }
  }
}

/** Figures gathered by the tests, printed once at the end of the file. */
export const figures: Record<string, Record<string, number | string>> = {};

export function printFigures(): void {
  const lines = Object.entries(figures).map(
    ([run, values]) =>
      `  ${run}: ${Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}`,
  );
  process.stderr.write(`\nchaos runs (figures)\n${lines.join('\n')}\n`);
}
