import 'reflect-metadata';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { TaskRegistry } from '../../src/scheduler/task-registry.js';
import { insertDocument, insertJobRow } from '../scheduler/job-rows.js';
import { JOB_STATES } from '../support/job-factory.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Samples of the exposition: `name{labels}` -> value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line && !line.startsWith('#')) {
      const at = line.lastIndexOf(' ');
      out.set(line.slice(0, at), Number(line.slice(at + 1)));
    }
  }
  return out;
}

const METRIC_NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE_LINE = new RegExp(
  `^${METRIC_NAME}(?:\\{(?:${LABEL}(?:,${LABEL})*)?\\})? (?:[-+]?(?:\\d+(?:\\.\\d*)?(?:e[-+]?\\d+)?|Inf|NaN))$`,
);
const HELP_LINE = new RegExp(`^# HELP ${METRIC_NAME} .*$`);
const TYPE_LINE = new RegExp(`^# TYPE ${METRIC_NAME} (counter|gauge|histogram|summary|untyped)$`);

/** Text exposition format 0.0.4, line by line; plus, for each metric, TYPE before its samples and no duplicates. */
function checkExposition(text: string): string[] {
  const problems: string[] = [];
  const typed = new Set<string>();
  const seen = new Set<string>();
  for (const line of text.split('\n').filter(Boolean)) {
    if (line.startsWith('# HELP')) {
      if (!HELP_LINE.test(line)) {
        problems.push(`bad HELP: ${line}`);
      }
    } else if (line.startsWith('# TYPE')) {
      if (!TYPE_LINE.test(line)) {
        problems.push(`bad TYPE: ${line}`);
      }
      typed.add(line.split(' ')[2]);
    } else {
      if (!SAMPLE_LINE.test(line)) {
        problems.push(`bad sample: ${line}`);
      }
      const series = line.slice(0, line.lastIndexOf(' '));
      const name = series.split('{')[0].replace(/_(bucket|sum|count|total|created)$/, '');
      if (!typed.has(name) && !typed.has(series.split('{')[0])) {
        problems.push(`sample before its TYPE: ${line}`);
      }
      if (seen.has(series)) {
        problems.push(`duplicate series: ${series}`);
      }
      seen.add(series);
    }
  }
  return problems;
}

describe('metrics', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let dataDir: string;
  let t: TestApp;
  let lagFloorS: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'ix-metrics-'));
    t = await createTestApp(database.url, { IX_ROLE: 'api', IX_DATA_DIR: dataDir });

    // A known sequence of jobs, written directly.
    const doc = await insertDocument(db);
    await insertJobRow(db, { sha256: doc, status: 'pending', runAfterS: -30 });
    await insertJobRow(db, { sha256: doc, status: 'pending', runAfterS: 3_600 }); // backing off: not runnable
    await insertJobRow(db, { sha256: doc, status: 'running', durationS: 5 });
    await insertJobRow(db, { sha256: doc, status: 'done', useCase: 'invoice', durationS: 2, finishedAgoS: 60 });
    await insertJobRow(db, { sha256: doc, status: 'done', useCase: 'invoice', durationS: 4, finishedAgoS: 3_600 });
    await insertJobRow(db, { sha256: doc, status: 'done', useCase: 'receipt', durationS: 10, finishedAgoS: 120 });
    await insertJobRow(db, { sha256: doc, status: 'error', useCase: 'invoice', durationS: 1, finishedAgoS: 60 });
    await insertJobRow(db, { sha256: doc, status: 'cancelled', finishedAgoS: 30 });
    // Outside the 24 h window.
    await insertJobRow(db, {
      sha256: doc,
      status: 'done',
      useCase: 'invoice',
      durationS: 100,
      finishedAgoS: 2 * 86_400,
    });
    await insertJobRow(db, { sha256: doc, status: 'error', useCase: 'generic', finishedAgoS: 25 * 3_600 });
    lagFloorS = 30;

    const run = await t.app.get(TaskRegistry).trigger('retention');
    await run.done;
  });
  afterAll(async () => {
    await t?.close();
    await db?.end();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function backlogInDb(table: string, where: string): Promise<number | null> {
    const { rows } = await db.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`public.${table}`]);
    if (!rows[0].present) {
      return null;
    }
    const res = await db.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`);
    return res.rows[0].n;
  }

  it('GET /metrics answers numbers that match the database', async () => {
    const res = await request(t.app.getHttpServer()).get('/metrics').expect(200);
    expect(res.body.jobs).toEqual({ pending: 2, running: 1, done_24h: 3, error_24h: 1, cancelled_24h: 1 });
    expect(res.body.avg_seconds_by_use_case).toEqual({ invoice: 3, receipt: 10 });
    expect(res.body.queue_lag_seconds).toBeGreaterThanOrEqual(lagFloorS);
    expect(res.body.queue_lag_seconds).toBeLessThan(lagFloorS + 30);
    expect(res.body.print_backlog).toBe(await backlogInDb('print_jobs', `status IN ('queued', 'printing')`));
    expect(res.body.callback_backlog).toBe(await backlogInDb('job_callbacks', `status = 'pending'`));
    expect(res.body.tasks.retention).toMatchObject({ last_status: 'ok', consecutive_failures: 0, in_flight: false });
    expect(res.body.tasks['inbox-scan']).toMatchObject({ last_status: null, last_run_at: null });

    // The same figures straight from SQL.
    const { rows } = await db.query(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'running')::int AS running,
              count(*) FILTER (WHERE status = 'done' AND finished_at > now() - interval '24 hours')::int AS done,
              count(*) FILTER (WHERE status = 'error' AND finished_at > now() - interval '24 hours')::int AS error
         FROM ${JOB_STATES}`,
    );
    expect(rows[0]).toEqual({
      pending: res.body.jobs.pending,
      running: res.body.jobs.running,
      done: res.body.jobs.done_24h,
      error: res.body.jobs.error_24h,
    });
  });

  it('GET /metrics/prometheus exposes the same, a finished-jobs counter and the step histogram, in valid text format', async () => {
    const first = await request(t.app.getHttpServer()).get('/metrics/prometheus').expect(200);
    expect(first.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    let s = samples(first.text);
    expect(s.get('ix_jobs_pending')).toBe(2);
    expect(s.get('ix_jobs_running')).toBe(1);
    expect(s.get('ix_jobs_finished_24h{status="done"}')).toBe(3);
    expect(s.get('ix_jobs_finished_24h{status="error"}')).toBe(1);
    expect(s.get('ix_job_duration_avg_seconds{use_case="invoice"}')).toBe(3);
    expect(s.get('ix_queue_lag_seconds')).toBeGreaterThanOrEqual(lagFloorS);
    expect(s.get('ix_task_last_status{task="retention",status="ok"}')).toBe(1);
    expect(s.get('ix_task_last_status{task="retention",status="error"}')).toBe(0);
    // The counter starts with this process: finishes from before the first scrape are not replayed.
    expect(s.get('ix_jobs_finished_total{status="done"}')).toBe(0);

    // A job that finishes after the first scrape is counted once, at a later scrape.
    const doc = await insertDocument(db);
    await insertJobRow(db, { sha256: doc, status: 'done', finishedAgoS: 4.8 });
    await sleep(1_100);
    t.app.get(MetricsService).observeStepDuration('ocr', 812);
    t.app.get(MetricsService).observeStepDuration('genai', 1_200);
    const second = await request(t.app.getHttpServer()).get('/metrics/prometheus').expect(200);
    s = samples(second.text);
    expect(s.get('ix_jobs_finished_total{status="done"}')).toBe(1);
    expect(s.get('ix_jobs_finished_total{status="error"}')).toBe(0);
    expect(s.get('ix_pipeline_step_duration_seconds_count{step="ocr"}')).toBe(1);
    expect(s.get('ix_pipeline_step_duration_seconds_bucket{le="1",step="ocr"}')).toBe(1);
    expect(s.get('ix_pipeline_step_duration_seconds_bucket{le="0.5",step="ocr"}')).toBe(0);
    expect(s.get('ix_pipeline_step_duration_seconds_sum{step="genai"}')).toBeCloseTo(1.2);
    const third = await request(t.app.getHttpServer()).get('/metrics/prometheus').expect(200);
    expect(samples(third.text).get('ix_jobs_finished_total{status="done"}')).toBe(1);

    expect(checkExposition(second.text)).toEqual([]);
    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: second.text, encoding: 'utf8' });
    if (promtool.error) {
      // promtool is optional (apt package `prometheus`); the line check above still ran.
      return;
    }
    // promtool exits 0 when valid; lint remarks (e.g. naming advice) come back on stdout with exit code 3.
    expect({ status: promtool.status, out: `${promtool.stdout}${promtool.stderr}`.trim() }).toEqual({
      status: 0,
      out: '',
    });
  });
});
