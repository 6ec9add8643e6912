import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { toJobResponse } from '../jobs/dto/job-response.dto.js';
import { TaskNames } from '../scheduler/task-names.js';
import type { TaskRunContext } from '../scheduler/task.types.js';
import type { FileProcessor, ProcessorStatus } from './file-processor.js';
import { INBOX_PROCESSOR } from './inbox.processor.js';
import { JobsGateway } from './jobs.gateway.js';
import { type PendingExport, ProcessorStateRepository } from './processor-state.repository.js';

export const OUTBOX_EXPORT_PROCESSOR = 'outbox-export';
const BATCH = 200;
const MAX_BATCHES_PER_RUN = 20;

/** Writes `data` to `path` atomically: a temp file in the same directory, fsync, rename over the target. */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const handle = await open(tmp, 'w', 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}

/**
 * `outbox-export`: for every inbox file whose job is done, writes the job envelope (the API's own mapping) to
 * `<IX_OUTBOX_DIR>/<use_case>/<original-name>.json`, atomically. State rows are keyed by the output path
 * (`<use_case>/<name>.json`); a failed write is recorded and retried at the next run; a job that finishes again
 * (retried) is exported again. Jobs that end in error are not exported.
 */
@Injectable()
export class OutboxExportProcessor implements FileProcessor {
  readonly name = OUTBOX_EXPORT_PROCESSOR;
  readonly taskName = TaskNames.OutboxExport;
  readonly intervalMs = 5_000;
  readonly description = 'write the envelope of each done inbox job to IX_OUTBOX_DIR/<use_case>/<name>.json';
  private readonly logger = new Logger(OutboxExportProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: ProcessorStateRepository,
    private readonly jobs: JobsGateway,
  ) {}

  get directory(): string {
    return this.config.scheduler.outboxDir;
  }

  async run(ctx: Pick<TaskRunContext, 'signal'>): Promise<{ exported: number; failed: number }> {
    const total = { exported: 0, failed: 0 };
    for (let i = 0; i < MAX_BATCHES_PER_RUN && !ctx.signal.aborted; i++) {
      const batch = await this.repository.pendingExports(INBOX_PROCESSOR, this.name, BATCH);
      let failed = 0;
      for (const item of batch) {
        if (await this.export(item)) {
          total.exported += 1;
        } else {
          failed += 1;
        }
      }
      total.failed += failed;
      // Failed exports stay pending: another batch now would only pick them up again.
      if (batch.length < BATCH || failed > 0) {
        break;
      }
    }
    return total;
  }

  async status(): Promise<ProcessorStatus> {
    const [counts, pending] = await Promise.all([
      this.repository.counts(this.name),
      this.repository.pendingExportSummary(INBOX_PROCESSOR, this.name),
    ]);
    const now = Date.now();
    return {
      name: this.name,
      task: this.taskName,
      intervalMs: this.intervalMs,
      directory: this.directory,
      processed: counts.processed,
      failed: counts.failed,
      pending: pending.pending,
      oldestPending: pending.oldest && {
        path: `${pending.oldest.path}.json`,
        mtime: pending.oldest.finishedAt,
        ageS: Math.max(0, (now - pending.oldest.finishedAt.getTime()) / 1000),
      },
    };
  }

  private async export(item: PendingExport): Promise<boolean> {
    const outPath = `${item.inboxPath}.json`;
    const absPath = join(this.directory, outPath);
    const previous = await this.repository.get(this.name, outPath);
    try {
      const job = await this.jobs.findById(item.jobId);
      if (!job) {
        throw new Error(`job ${item.jobId} not found`);
      }
      const body = `${JSON.stringify(toJobResponse(job), null, 2)}\n`;
      await writeFileAtomic(absPath, body);
      const written = await stat(absPath);
      await this.repository.recordExport(this.name, outPath, {
        fileHash: createHash('sha256').update(body).digest('hex'),
        sizeBytes: written.size,
        mtime: written.mtime,
        jobId: item.jobId,
      });
      this.logger.log({ job_id: item.jobId, file: outPath }, 'inbox job exported');
      return true;
    } catch (err) {
      const error = errorText(err);
      await this.repository.record(this.name, outPath, {
        fileHash: null,
        sizeBytes: 0,
        mtime: new Date(),
        processedAt: null,
        jobId: item.jobId,
        error,
      });
      if (previous?.error !== error) {
        this.logger.warn({ job_id: item.jobId, file: outPath, err: error }, 'inbox job export failed');
      }
      return false;
    }
  }
}
