import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import { AppConfig } from '../config/app-config.js';
import { TaskRunStatus, type TaskRunRecord, type TaskScope, type TaskTrigger } from './task.types.js';

interface RunRow {
  id: string;
  task_name: string;
  scope: TaskScope;
  trigger: TaskTrigger;
  instance_id: string;
  status: TaskRunStatus;
  started_at: Date;
  finished_at: Date;
  duration_ms: number;
  error: string | null;
  result: unknown;
}

const RUN_COLUMNS = `id, task_name, scope, trigger, instance_id, status, started_at, finished_at, duration_ms, error, result`;

function toRecord(r: RunRow): TaskRunRecord {
  return {
    runId: r.id,
    taskName: r.task_name,
    scope: r.scope,
    trigger: r.trigger,
    instanceId: r.instance_id,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: r.duration_ms,
    error: r.error,
    result: r.result ?? null,
  };
}

/**
 * The advisory-lock key of a task: the first 8 bytes of sha256("ix-task:" + name) as a signed bigint, stable
 * across versions and replicas (unlike hashtext()) and far from the migration lock's key.
 */
export function taskLockKey(name: string): string {
  const digest = createHash('sha256').update(`ix-task:${name}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/** A held cluster lock: its session stays checked out until `release`. */
export interface TaskLock {
  release(): Promise<void>;
}

/**
 * Run history (`scheduler_runs`) and the advisory locks of cluster-scoped tasks. Locks are session-level, so each
 * held lock pins one connection of a small dedicated pool (outside the app's pool, so a busy app pool never delays
 * a lock and a held lock never takes a slot from request handling); the connection goes back in `release`.
 */
@Injectable()
export class SchedulerRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerRepository.name);
  private readonly pool: pg.Pool;
  private lockPool: pg.Pool | undefined;

  constructor(
    db: DataSource,
    private readonly config: AppConfig,
  ) {
    this.pool = pgPool(db);
  }

  /** Inserts a finished run and prunes the task's history to its newest `keep` runs, in one statement. */
  async recordRun(run: TaskRunRecord, keep: number): Promise<void> {
    await this.pool.query({
      name: 'ix_scheduler_record_run',
      text: `WITH ins AS (
          INSERT INTO scheduler_runs (${RUN_COLUMNS})
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11))
        DELETE FROM scheduler_runs
         WHERE task_name = $2
           AND (started_at, id) <= (SELECT started_at, id FROM scheduler_runs WHERE task_name = $2
                                     ORDER BY started_at DESC, id DESC OFFSET $12 LIMIT 1)`,
      // The DELETE does not see the row being inserted (one snapshot), so it keeps keep - 1 older ones.
      values: [
        run.runId,
        run.taskName,
        run.scope,
        run.trigger,
        run.instanceId,
        run.status,
        run.startedAt,
        run.finishedAt,
        run.durationMs,
        run.error,
        run.result === null || run.result === undefined ? null : JSON.stringify(run.result),
        Math.max(0, keep - 1),
      ],
    });
  }

  /** The latest run that actually executed (ok or error) of each task, on any replica. */
  async latestRuns(names: string[]): Promise<Map<string, TaskRunRecord>> {
    const res = await this.pool.query<RunRow>(
      `SELECT r.* FROM unnest($1::text[]) AS t(name)
        CROSS JOIN LATERAL (
          SELECT ${RUN_COLUMNS} FROM scheduler_runs s
           WHERE s.task_name = t.name AND s.status <> 'skipped'
           ORDER BY s.started_at DESC, s.id DESC
           LIMIT 1) r`,
      [names],
    );
    return new Map(res.rows.map((r) => [r.task_name, toRecord(r)]));
  }

  /** A task's history, newest first. */
  async recentRuns(name: string, limit: number): Promise<TaskRunRecord[]> {
    const res = await this.pool.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM scheduler_runs WHERE task_name = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
      [name, limit],
    );
    return res.rows.map(toRecord);
  }

  /** The names (of those given) whose cluster lock some session holds right now, on any replica. */
  async lockedTasks(names: string[]): Promise<Set<string>> {
    if (names.length === 0) {
      return new Set();
    }
    const keys = names.map(taskLockKey);
    const res = await this.pool.query<{ key: string }>(
      `SELECT k::text AS key FROM unnest($1::bigint[]) AS k
        WHERE EXISTS (
          SELECT 1 FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
             AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
             AND ((l.classid::bigint << 32) | l.objid::bigint) = k)`,
      [keys],
    );
    const held = new Set(res.rows.map((r) => r.key));
    return new Set(names.filter((n) => held.has(taskLockKey(n))));
  }

  /** Takes the task's cluster lock without waiting; null when another session holds it. */
  async tryLock(name: string): Promise<TaskLock | null> {
    const key = taskLockKey(name);
    const client = await this.locks().connect();
    // The session stays checked out for the whole run, where the pool's own error listener does not cover it: a
    // server restart meanwhile (FATAL 57P01 on an idle session) would otherwise be an unhandled 'error' event that
    // ends the process. The lock goes with the session; the run goes on, and release() then drops the session.
    const onLost = (err: Error) => this.logger.warn({ err: err.message, task: name }, 'scheduler lock session lost');
    client.on('error', onLost);
    const giveBack = (err?: Error) => {
      client.removeListener('error', onLost);
      client.release(err);
    };
    try {
      const res = await client.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock($1::bigint) AS locked`, [key]);
      if (!res.rows[0]?.locked) {
        giveBack();
        return null;
      }
    } catch (err) {
      giveBack(err as Error);
      throw err;
    }
    let released = false;
    return {
      release: async () => {
        if (released) {
          return;
        }
        released = true;
        try {
          await client.query(`SELECT pg_advisory_unlock($1::bigint)`, [key]);
          giveBack();
        } catch (err) {
          // A session that cannot unlock is dropped: ending it releases the lock server-side.
          giveBack(err as Error);
        }
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    const pool = this.lockPool;
    this.lockPool = undefined;
    await pool?.end().catch(() => undefined);
  }

  private locks(): pg.Pool {
    if (!this.lockPool) {
      this.lockPool = new pg.Pool({
        connectionString: this.config.database.url,
        application_name: 'ix-scheduler-lock',
        options: '-c TimeZone=UTC',
        max: 16,
        idleTimeoutMillis: 30_000,
        connectionTimeoutMillis: 5_000,
        keepAlive: true,
      });
      // An idle session killed by a server restart must not crash the process; the pool makes a new one.
      this.lockPool.on('error', (err) => this.logger.warn({ err: err.message }, 'scheduler lock session lost'));
    }
    return this.lockPool;
  }
}
