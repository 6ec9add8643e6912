import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { JOB_STATES, statusCounts } from '../support/job-factory.js';
import { TestPostgresServer } from '../support/postgres-server.js';
import { createTestDatabase, type TestDatabase, withDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import {
  auditAnomalies,
  auditPerJob,
  figures,
  handlerCompletions,
  installAudit,
  INVOICE_NUMBER,
  keepOutput,
  killHard,
  labelCounts,
  logLines,
  printFigures,
  Prober,
  type RunningApp,
  startApp,
  submitAll,
  submitJob,
  transitions,
} from './chaos-support.js';

/**
 * Chaos runs of the built service (dist/src/main.js, IX_ROLE=all: API and worker in one process) against real
 * PostgreSQL, through the HTTP API, with the real pipeline (text-layer sample invoice, heuristic extractor).
 *
 * What the queue promises (DESIGN section 5) and what these runs hold it to:
 * - Delivery is at-least-once: a job whose worker dies mid-run is returned to pending by the orphan sweep once its
 *   heartbeat is older than IX_ORPHAN_TIMEOUT_S (attempts++) and runs again. That re-run is legitimate.
 * - What must never happen: a job lost (not finished), a job claimed by two workers at once, a job completed twice
 *   (a second `pending -> done` of `jobs.status`, a second result write), or a job re-run after its completion was
 *   committed (a queue event after its queue row was deleted).
 * A trigger-based audit trail in the database (chaos-support.ts) records every enqueue, claim, release and delete of
 * a `job_queue` row (with the worker holding it before and after), every status change of a `jobs` row and every
 * result write, so "completed once" is counted by PostgreSQL itself, not inferred from the product's own columns.
 */
describe('chaos runs (real processes, real PostgreSQL)', () => {
  const apps: RunningApp[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  async function app(url: string, env: Record<string, string>, port?: number): Promise<RunningApp> {
    const started = await startApp(url, env, port);
    apps.push(started);
    return started;
  }

  async function database(): Promise<{ db: pg.Client; url: string }> {
    const created: TestDatabase = await createTestDatabase();
    const db = new pg.Client({ connectionString: created.url });
    db.on('error', () => undefined);
    await db.connect();
    cleanups.push(
      () => created.drop(),
      () => db.end(), // cleanups run in reverse: the session ends before the database is dropped
    );
    await installAudit(db);
    return { db, url: created.url };
  }

  // One PostgreSQL server of their own for the outage runs (they stop and start it); each run has its own database.
  let outageServer: TestPostgresServer | undefined;
  async function outageDatabase(name: string) {
    outageServer ??= await TestPostgresServer.start();
    const server = outageServer;
    if (!server.server.running) {
      await server.server.start(); // a failed earlier run may have left it stopped
    }
    const admin = new pg.Client({ connectionString: server.adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = withDatabase(server.adminUrl, name);
    // Short-lived sessions: the test's own connections must not care about the outage either.
    const withDb = async <T>(work: (db: pg.Client) => Promise<T>): Promise<T> => {
      const db = new pg.Client({ connectionString: url });
      db.on('error', () => undefined);
      await db.connect();
      try {
        return await work(db);
      } finally {
        await db.end();
      }
    };
    return { server: server.server, url, withDb };
  }

  afterEach(async () => {
    const name = expect.getState().currentTestName ?? 'chaos';
    for (const [i, running] of apps.splice(0).entries()) {
      await killHard(running);
      keepOutput(name, i, running);
    }
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch(() => undefined);
    }
  });
  afterAll(async () => {
    await outageServer?.destroy();
    printFigures();
  });

  it('kill -9 of the whole app mid-run, then a restart: all 300 jobs finish, none completes twice', async () => {
    const { db, url } = await database();
    // Heartbeat every 1 s, sweep every 1.5 s: the orphans of the killed process come back within seconds.
    const env = { IX_ORPHAN_TIMEOUT_S: '3', IX_POLL_INTERVAL_MS: '1000' };
    const first = await app(url, env);
    const t0 = Date.now();

    const submitted = await submitAll(
      first.base,
      Array.from({ length: 300 }, (_, i) => `kill9-${i}`),
    );
    expect(submitted.filter((s) => s.status !== 201)).toEqual([]);
    const ids = new Set(submitted.map((s) => s.id!));
    expect(ids.size).toBe(300);
    const submitMs = Date.now() - t0;

    // Mid-run: a third done, the rest pending, and jobs in the worker's hands.
    await waitFor(
      'a third of the jobs done with others running',
      async () => {
        const c = await statusCounts(db);
        return (c.done ?? 0) >= 100 && (c.running ?? 0) > 0;
      },
      60_000,
      20,
    );
    first.ix.child.kill('SIGKILL');
    await first.ix.exited;
    const killedAt = Date.now();

    const atKill = await statusCounts(db);
    // Running = a queue row locked by a worker (jobs.status stays 'pending' until the job ends).
    const held = (
      await db.query<{ id: string }>(`SELECT job_id AS id FROM job_queue WHERE locked_by = $1`, [first.workerId])
    ).rows.map((r) => r.id);
    expect(held.length).toBeGreaterThan(0);
    expect(atKill.running).toBe(held.length);
    expect(atKill.done).toBeLessThan(300);

    const second = await app(url, env, first.port);
    await waitFor('all 300 jobs done', async () => (await statusCounts(db)).done === 300, 90_000, 100);
    const recoveryMs = Date.now() - killedAt;

    // Every job: done, with the sample invoice's number extracted, enqueued, dequeued, completed and its result
    // written exactly once, claimed exactly as often as its attempts say, and re-claimed only after the sweep
    // returned it to pending; no queue event out of place (no second holder, nothing after the dequeue).
    const audit = await auditPerJob(db);
    expect(await auditAnomalies(db)).toEqual([]);
    const { rows } = await db.query<{ id: string; status: string; attempts: number; invoice_number: string | null }>(
      `SELECT j.id, j.status, j.attempts, r.result->'fields'->'invoice_number'->>'value' AS invoice_number
         FROM jobs j LEFT JOIN job_results r ON r.job_id = j.id`,
    );
    expect(rows).toHaveLength(300);
    const broken = rows.filter((r) => {
      const a = audit.get(r.id)!;
      return !(
        ids.has(r.id) &&
        r.status === 'done' &&
        r.invoice_number === INVOICE_NUMBER &&
        a.enqueues === 1 &&
        a.dequeues === 1 &&
        a.completions === 1 &&
        a.resultWrites === 1 &&
        a.claims === r.attempts &&
        a.claims === 1 + a.requeues
      );
    });
    expect(broken).toEqual([]);

    // Exactly the jobs the dead process held ran again (attempts 2); every other job ran once.
    const rerun = rows.filter((r) => r.attempts > 1).map((r) => r.id);
    expect(new Set(rerun)).toEqual(new Set(held));
    expect(Math.max(...rows.map((r) => r.attempts))).toBe(2);

    // The orphans were finished by the new process; nothing the dead process had committed ran again. A completion
    // is a `jobs` transition to done, attributed to the worker whose queue row was deleted in the same transaction.
    const log = await transitions(db);
    const completed = log.filter((t) => t.table === 'jobs' && t.to === 'done');
    const committedByFirst = new Set(completed.filter((t) => t.oldWorker === first.workerId).map((t) => t.jobId));
    const finishedBySecond = completed.filter((t) => t.oldWorker === second.workerId).map((t) => t.jobId);
    expect(committedByFirst.size + finishedBySecond.length).toBe(300);
    expect(finishedBySecond).toEqual(expect.arrayContaining(held));
    const ranInSecond = handlerCompletions(second);
    expect(new Set(ranInSecond)).toEqual(new Set(finishedBySecond));
    expect(ranInSecond.filter((id) => committedByFirst.has(id))).toEqual([]);
    const swept = logLines(second.ix)
      .filter((l) => l.msg === 'orphaned jobs swept')
      .reduce((n, l) => n + Number(l.requeued), 0);
    expect(swept).toBe(held.length);

    const labels = await labelCounts(db);
    // Handler runs the dead process finished in memory but whose batched completion it never committed (a lower
    // bound: log lines still buffered at the kill are lost too).
    const ranInFirst = new Set(handlerCompletions(first));
    figures['kill -9 (IX_ROLE=all)'] = {
      jobs: 300,
      submit_ms: submitMs,
      done_at_kill: atKill.done,
      pending_at_kill: atKill.pending ?? 0,
      running_at_kill: held.length,
      finished_in_memory_not_committed: held.filter((id) => ranInFirst.has(id)).length,
      reran_after_sweep: rerun.length,
      completed_twice: rows.length - rows.filter((r) => audit.get(r.id)!.completions === 1).length,
      labelled_twice: labels.jobsLabelledTwice,
      kill_to_all_done_ms: recoveryMs,
      total_ms: Date.now() - t0,
    };
  }, 150_000);

  it('PostgreSQL stopped and restarted mid-run: /healthz stays 200, /readiness 503 then 200, LISTEN resumes, no job lost', async () => {
    const { server, url, withDb } = await outageDatabase('ix_outage');
    // Submitted before the outage, then after it; plus one submitted during it (refused, resubmitted after), a
    // warm-up, a job inserted without NOTIFY and the one whose NOTIFY wakes the worker.
    const BEFORE = 24;
    const AFTER = 12;
    const TOTAL = BEFORE + 1 + 1 + 2 + AFTER;

    // A 15 s fallback poll: any pickup well under that after the restart was woken by a NOTIFY.
    const sut = await app(url, { IX_POLL_INTERVAL_MS: '15000', IX_ORPHAN_TIMEOUT_S: '3', IX_RETRY_BASE_MS: '200' });
    await withDb(installAudit);
    const healthz = new Prober(`${sut.base}/healthz`, 100, 2_000);
    const readiness = new Prober(`${sut.base}/readiness`, 200, 5_000);
    cleanups.push(
      () => healthz.stop(),
      () => readiness.stop(),
    );
    await waitFor('readiness 200', () => readiness.samples.some((s) => s.status === 200), 30_000);

    const before = await submitAll(
      sut.base,
      Array.from({ length: BEFORE }, (_, i) => `outage-before-${i}`),
    );
    expect(before.filter((s) => s.status !== 201)).toEqual([]);
    const inFlight = await waitFor(
      'jobs in flight',
      () => withDb(statusCounts).then((c) => ((c.running ?? 0) > 0 ? c : undefined)),
      30_000,
      20,
    );

    const stopAt = readiness.now();
    await server.stop();
    const stoppedAt = readiness.now();
    // A client submitting during the outage gets a 5xx (it retries later with the same request_id), not a hang.
    const duringOutage = await submitJob(sut.base, 'outage-during');
    expect(duringOutage.error).toBeUndefined();
    expect(duringOutage.status).toBeGreaterThanOrEqual(500);
    await sleep(Math.max(0, 4_000 - (readiness.now() - stoppedAt)));
    expect(sut.ix.child.exitCode).toBeNull();
    const restartAt = readiness.now();
    await server.start();
    const restartedAt = readiness.now();

    const ready = await waitFor(
      'readiness 200 after the restart',
      () => readiness.samples.find((s) => s.at >= restartedAt && s.status === 200),
      40_000,
    );
    const listening = await waitFor(
      'the queue listener to LISTEN again',
      () =>
        readiness.samples.find(
          (s) =>
            s.at >= restartedAt &&
            (s.body?.checks as Record<string, { status: string }>)?.queue_listener?.status === 'ok',
        ),
      40_000,
    );
    const retried = await submitJob(sut.base, 'outage-during');
    expect(retried.error).toBeUndefined();
    expect([200, 201]).toContain(retried.status);
    await waitFor(
      'every job from before the outage done',
      () => withDb(statusCounts).then((c) => c.done === BEFORE + 1),
      45_000,
      100,
    );

    // Proof that the listener LISTENs again (DESIGN 5: NOTIFY and the poll wake the worker alike). A job finishing
    // turns the worker's loop, which then sleeps a full poll interval (15 s). A job inserted without NOTIFY must
    // stay pending through that sleep; the next submission's NOTIFY must wake the worker at once for both.
    const warm = await submitJob(sut.base, 'outage-warm');
    await waitFor('the warm-up job', () => withDb(statusCounts).then((c) => c.done === BEFORE + 2), 20_000, 20);
    const silentId = randomBytes(8).toString('hex');
    await withDb((db) =>
      db.query(
        `WITH ins AS (
           INSERT INTO jobs (id, client_id, request_id, use_case, document_sha256, document_filename)
           SELECT $1, client_id, 'outage-silent', use_case, document_sha256, document_filename FROM jobs WHERE id = $2
           RETURNING id, client_id, priority, seq, max_attempts)
         INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
         SELECT id, client_id, priority, seq, max_attempts FROM ins`,
        [silentId, warm.id],
      ),
    );
    await sleep(2_000);
    const silent = await withDb((db) =>
      db.query<{ status: string; attempts: number }>(`SELECT status, attempts FROM ${JOB_STATES} WHERE id = $1`, [
        silentId,
      ]),
    );
    expect(silent.rows[0]).toEqual({ status: 'pending', attempts: 0 });
    const notified = await submitJob(sut.base, 'outage-notified');
    expect(notified.error).toBeUndefined();
    expect(notified.status).toBe(201);
    const pickups = await waitFor(
      'the NOTIFY to wake the worker',
      () =>
        withDb((db) =>
          db.query<{ id: string; pickup_ms: number }>(
            `SELECT id, (extract(epoch FROM started_at - (SELECT created_at FROM jobs WHERE id = $2)) * 1000)::int
                    AS pickup_ms
               FROM ${JOB_STATES} WHERE id = ANY($1) AND started_at IS NOT NULL`,
            [[silentId, notified.id], notified.id],
          ),
        ).then((r) => (r.rows.length === 2 ? r.rows : undefined)),
      20_000,
      20,
    );
    const pickupMs = Math.max(...pickups.map((p) => p.pickup_ms));
    expect(pickupMs).toBeLessThan(5_000); // the poll would have taken ~13 s from here

    const after = await submitAll(
      sut.base,
      Array.from({ length: AFTER }, (_, i) => `outage-after-${i}`),
    );
    expect(after.filter((s) => s.status !== 201)).toEqual([]);
    await waitFor('every job done', () => withDb(statusCounts).then((c) => c.done === TOTAL), 45_000, 100);

    const health = await healthz.stop();
    const probes = await readiness.stop();
    expect(sut.ix.child.exitCode).toBeNull();

    // /healthz: 200 throughout, outage included.
    expect(health.filter((s) => s.status !== 200)).toEqual([]);
    expect(health.filter((s) => s.at > stoppedAt && s.endedAt < restartAt).length).toBeGreaterThan(10);
    // /readiness: 503 not-ready (database failing) for every probe wholly inside the outage; 200 again within 30 s.
    const inOutage = probes.filter((s) => s.at >= stoppedAt && s.endedAt <= restartAt);
    expect(inOutage.length).toBeGreaterThanOrEqual(3);
    expect(
      inOutage.filter(
        (s) =>
          s.status !== 503 ||
          s.body?.status !== 'not-ready' ||
          (s.body?.checks as Record<string, { status: string }>).database.status !== 'fail',
      ),
    ).toEqual([]);
    const readyAfterMs = ready.endedAt - restartedAt;
    expect(readyAfterMs).toBeLessThanOrEqual(30_000);
    expect(logLines(sut.ix).some((l) => l.msg === 'queue listener reconnected')).toBe(true);
    // The sweep waited for the restarted server to be up a full orphan timeout: nothing was taken from this live
    // worker (completions it could not write during the outage were written after it, not re-run).
    expect(logLines(sut.ix).filter((l) => /no longer held/.test(String(l.msg)))).toEqual([]);

    // No job lost, none completed twice, no queue event out of place.
    expect(await withDb(auditAnomalies)).toEqual([]);
    const audit = await withDb(auditPerJob);
    const jobs = await withDb((db) =>
      db.query<{ id: string; status: string; attempts: number }>(`SELECT id, status, attempts FROM jobs`),
    );
    expect(jobs.rows).toHaveLength(TOTAL);
    expect(
      jobs.rows.filter(
        (j) =>
          j.status !== 'done' ||
          audit.get(j.id)!.enqueues !== 1 ||
          audit.get(j.id)!.dequeues !== 1 ||
          audit.get(j.id)!.completions !== 1 ||
          audit.get(j.id)!.resultWrites !== 1,
      ),
    ).toEqual([]);

    const labels = await withDb(labelCounts);
    figures['PostgreSQL restart'] = {
      jobs: TOTAL,
      in_flight_at_stop: inFlight.running,
      pending_at_stop: inFlight.pending ?? 0,
      outage_ms: restartAt - stopAt,
      submit_during_outage_status: duringOutage.status,
      readiness_503_probes: inOutage.length,
      readiness_200_after_restart_ms: readyAfterMs,
      relisten_after_restart_ms: listening.endedAt - restartedAt,
      pickup_by_notify_ms: pickupMs,
      healthz_probes: health.length,
      healthz_max_ms: Math.max(...health.map((s) => s.endedAt - s.at)),
      reran: jobs.rows.filter((j) => j.attempts > 1).length,
      max_attempts_used: Math.max(...jobs.rows.map((j) => j.attempts)),
      labelled_twice: labels.jobsLabelledTwice,
      without_label: labels.jobsWithoutLabel,
    };
  }, 150_000);

  it('a PostgreSQL outage longer than IX_ORPHAN_TIMEOUT_S does not take running jobs from a live worker', async () => {
    const { server, url, withDb } = await outageDatabase('ix_lease');
    // Jobs that never touch the database while they run (noop, 10 s), so they outlive the outage in the worker.
    const sut = await app(url, {
      IX_JOB_HANDLER: 'noop',
      IX_TEST_JOB_MS: '10000',
      IX_ORPHAN_TIMEOUT_S: '3',
      IX_WORKER_CONCURRENCY: '4',
      IX_POLL_INTERVAL_MS: '1000',
    });
    await withDb(installAudit);
    const submitted = await submitAll(
      sut.base,
      Array.from({ length: 4 }, (_, i) => `lease-${i}`),
    );
    expect(submitted.filter((s) => s.status !== 201)).toEqual([]);
    await waitFor('4 running', () => withDb(statusCounts).then((c) => c.running === 4), 30_000, 20);

    // Longer than the orphan timeout: every heartbeat in the database is stale when the server comes back.
    const stopAt = Date.now();
    await server.stop();
    await sleep(4_000);
    await server.start();
    const outageMs = Date.now() - stopAt;
    // Sweep at once, as a sweeper on any replica may (its schedule is its own): the jobs' worker is alive and
    // heartbeats again within a second, so the time the database itself was down must not count against it.
    const sweeps: number[] = [];
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${sut.base}/admin/tasks/orphan-sweep/run`, { method: 'POST' });
      sweeps.push(res.status);
      await sleep(200);
    }
    expect(sweeps).toContain(202);

    await waitFor('the 4 jobs done', () => withDb(statusCounts).then((c) => c.done === 4), 30_000, 100);
    const audit = await withDb(auditPerJob);
    expect([...audit.values()]).toEqual(
      Array.from({ length: 4 }, () => ({
        enqueues: 1,
        claims: 1,
        requeues: 0,
        dequeues: 1,
        completions: 1,
        resultWrites: 1,
      })),
    );
    expect(await withDb(auditAnomalies)).toEqual([]);
    const taken = logLines(sut.ix).filter((l) => /no longer held/.test(String(l.msg)));
    expect(taken).toEqual([]);

    figures['PostgreSQL outage > orphan timeout'] = {
      jobs: 4,
      running_during_outage: 4,
      outage_ms: outageMs,
      orphan_timeout_s: 3,
      sweeps_triggered_after_restart: sweeps.filter((s) => s === 202).length,
      taken_from_live_worker: [...audit.values()].filter((a) => a.requeues > 0).length,
    };
  }, 90_000);

  it('SIGTERM during work (IX_ROLE=all): in-flight jobs finish, the rest stay pending, exit 0; a restart drains', async () => {
    const JOBS = 16;
    const { db, url } = await database();
    const env = { IX_SHUTDOWN_GRACE_S: '20', IX_POLL_INTERVAL_MS: '1000' };
    const first = await app(url, env);
    const submitted = await submitAll(
      first.base,
      Array.from({ length: JOBS }, (_, i) => `sigterm-${i}`),
    );
    expect(submitted.filter((s) => s.status !== 201)).toEqual([]);
    await waitFor('jobs running', async () => ((await statusCounts(db)).running ?? 0) > 0, 30_000, 20);

    const signalledAt = Date.now();
    first.ix.child.kill('SIGTERM');
    await expect(first.ix.exited).resolves.toBe(0);
    const exitMs = Date.now() - signalledAt;

    const counts = await statusCounts(db);
    expect(counts.running ?? 0).toBe(0);
    expect((counts.done ?? 0) + (counts.pending ?? 0)).toBe(JOBS);
    // Work was in flight when the signal landed. Every job this process started, it finished; a job claimed in the
    // instant of the signal but not yet started is handed back (running -> pending, attempt not charged).
    const drained = logLines(first.ix).find((l) => l.msg === 'waiting for in-flight jobs');
    expect(Number(drained?.in_flight)).toBeGreaterThan(0);
    const handedBack = logLines(first.ix)
      .filter((l) => l.msg === 'returned prefetched jobs to the queue')
      .flatMap((l) => l.job_ids as string[]);
    const log = await transitions(db);
    const claimed = log.filter((t) => t.to === 'running' && t.newWorker === first.workerId).map((t) => t.jobId);
    const finished = log.filter((t) => t.to === 'done' && t.oldWorker === first.workerId).map((t) => t.jobId);
    // Any return to pending: a queue row unlocked (running -> pending), or a jobs row set back to pending.
    const requeued = log.filter((t) => t.to === 'pending' && t.from !== 'none').map((t) => t.jobId);
    expect(new Set([...finished, ...handedBack])).toEqual(new Set(claimed));
    expect(new Set(requeued)).toEqual(new Set(handedBack));
    expect(new Set(handlerCompletions(first))).toEqual(new Set(finished));
    const { rows: untouched } = await db.query<{ attempts: number }>(
      `SELECT attempts FROM ${JOB_STATES} WHERE status = 'pending'`,
    );
    expect(untouched).toHaveLength(counts.pending ?? 0);
    expect(untouched.every((r) => r.attempts === 0)).toBe(true);

    const second = await app(url, env, first.port);
    await waitFor('all done', async () => (await statusCounts(db)).done === JOBS, 60_000, 100);
    const audit = await auditPerJob(db);
    expect(
      [...audit.values()].filter(
        (a) => a.enqueues !== 1 || a.dequeues !== 1 || a.completions !== 1 || a.resultWrites !== 1,
      ),
    ).toEqual([]);
    expect(await auditAnomalies(db)).toEqual([]);
    second.ix.child.kill('SIGTERM');
    await expect(second.ix.exited).resolves.toBe(0);

    figures['SIGTERM within grace'] = {
      jobs: JOBS,
      done_at_exit: counts.done ?? 0,
      pending_at_exit: counts.pending ?? 0,
      in_flight_at_signal: Number(drained?.in_flight),
      claimed_not_started_handed_back: handedBack.length,
      sigterm_to_exit_ms: exitMs,
    };
  }, 120_000);

  it('SIGTERM with jobs longer than the grace (IX_ROLE=all): they go back to pending uncharged, exit 0', async () => {
    const { db, url } = await database();
    const sut = await app(url, {
      IX_JOB_HANDLER: 'noop',
      IX_TEST_JOB_MS: '60000',
      IX_SHUTDOWN_GRACE_S: '1',
      IX_WORKER_CONCURRENCY: '4',
    });
    const submitted = await submitAll(
      sut.base,
      Array.from({ length: 6 }, (_, i) => `grace-${i}`),
    );
    expect(submitted.filter((s) => s.status !== 201)).toEqual([]);
    await waitFor('4 running', async () => (await statusCounts(db)).running === 4, 30_000, 20);

    const signalledAt = Date.now();
    sut.ix.child.kill('SIGTERM');
    await expect(sut.ix.exited).resolves.toBe(0);
    const exitMs = Date.now() - signalledAt;
    expect(exitMs).toBeLessThan(20_000); // the grace is 1 s; a job of 60 s did not hold the exit

    const { rows } = await db.query<{ status: string; attempts: number; locked_by: string | null }>(
      `SELECT status, attempts, locked_by FROM ${JOB_STATES}`,
    );
    expect(rows).toHaveLength(6);
    expect(rows.every((r) => r.status === 'pending' && r.attempts === 0 && r.locked_by === null)).toBe(true);
    const log = await transitions(db);
    const returned = log.filter((t) => t.from === 'running' && t.to === 'pending' && t.oldWorker === sut.workerId);
    expect(returned).toHaveLength(4);
    const released = logLines(sut.ix).find((l) => l.msg === 'returned unfinished jobs to the queue');
    expect(new Set(released?.job_ids as string[])).toEqual(new Set(returned.map((t) => t.jobId)));
    // Still queued, each claimed at most once and returned once, nothing ended or written.
    const audit = await auditPerJob(db);
    const returnedIds = new Set(returned.map((t) => t.jobId));
    expect(
      [...audit.entries()].filter(([id, a]) => {
        const n = returnedIds.has(id) ? 1 : 0;
        return !(
          a.enqueues === 1 &&
          a.claims === n &&
          a.requeues === n &&
          a.dequeues === 0 &&
          a.completions === 0 &&
          a.resultWrites === 0
        );
      }),
    ).toEqual([]);
    expect(await auditAnomalies(db)).toEqual([]);

    figures['SIGTERM past grace'] = {
      jobs: 6,
      in_flight_at_signal: 4,
      returned_to_pending: 4,
      sigterm_to_exit_ms: exitMs,
    };
  }, 60_000);
});
