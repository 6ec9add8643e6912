import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';
import { TaskNames } from '../scheduler/task-names.js';
import type { TaskRunContext } from '../scheduler/task.types.js';
import { type FileProcessor, isIgnoredName, type PendingFile, type ProcessorStatus } from './file-processor.js';
import { JobsGateway } from './jobs.gateway.js';
import { type FileState, ProcessorStateRepository } from './processor-state.repository.js';

export const INBOX_PROCESSOR = 'inbox';
export const INBOX_CLIENT_ID = 'inbox';
const STAT_PARALLELISM = 32;

/** A regular file in `<inbox>/<use_case>/`. */
export interface InboxFile {
  /** `<use_case>/<name>`: the state key, the same on every replica whatever the mount point. */
  path: string;
  absPath: string;
  useCase: string;
  name: string;
  size: number;
  mtime: Date;
}

export interface InboxScanSummary {
  files: number;
  /** New jobs. */
  submitted: number;
  /** Files whose bytes an existing job already had (idempotent submit). */
  duplicates: number;
  /** Touched files with the same bytes as when processed. */
  unchanged: number;
  /** Not newer than when processed: skipped without hashing. */
  skipped: number;
  /** New or changed since the previous scan: taken once they stay the same across two scans. */
  waiting: number;
  failed: number;
}

type Outcome = 'submitted' | 'duplicates' | 'unchanged' | 'failed';

function errorText(err: unknown): string {
  if (err instanceof DomainError) {
    return `${err.code}: ${err.message}`;
  }
  const e = err as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? err);
}

/** Unprocessed: never seen, never processed, or changed (mtime) since it was. Permanent failures are processed. */
export function isPending(file: Pick<InboxFile, 'mtime'>, state: FileState | undefined): boolean {
  return !state || state.processedAt === null || file.mtime.getTime() > state.processedAt.getTime();
}

/**
 * `inbox`: turns files dropped into `<IX_INBOX_DIR>/<use_case>/` into jobs (client `inbox`, request id = sha256 of
 * the bytes, so submits are idempotent). Only directories named after a known use case are read, only regular
 * files, never hidden or partial-download names.
 *
 * Per file, each scan:
 * - mtime not newer than its `processed_at` -> skipped without hashing;
 * - new, or size/mtime different from the previous scan -> remembered and left for the next scan (a file still
 *   being written is not taken; writers that cannot finish within one scan interval should write elsewhere and
 *   rename into the inbox);
 * - unchanged since the previous scan -> read and hashed; the same hash as when processed only refreshes
 *   `processed_at`, another hash is submitted (a modified file makes a new job).
 * Failures are per file: content the API refuses (type, size, use case) is recorded and not retried until the
 * file changes; a read error is recorded and retried at the next scan. Either way the other files go on.
 * `processed_at` is taken from this process's clock before reading, the clock that stamps the files' mtimes.
 */
@Injectable()
export class InboxProcessor implements FileProcessor {
  readonly name = INBOX_PROCESSOR;
  readonly taskName = TaskNames.InboxScan;
  readonly intervalMs = 5_000;
  readonly description = 'submit files dropped into IX_INBOX_DIR/<use_case>/ as jobs';
  private readonly logger = new Logger(InboxProcessor.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: ProcessorStateRepository,
    private readonly jobs: JobsGateway,
  ) {}

  get directory(): string {
    return this.config.scheduler.inboxDir;
  }

  async run(ctx: Pick<TaskRunContext, 'signal'>): Promise<InboxScanSummary> {
    const files = await this.listFiles();
    const states = await this.repository.load(
      this.name,
      files.map((f) => f.path),
    );
    const summary: InboxScanSummary = {
      files: files.length,
      submitted: 0,
      duplicates: 0,
      unchanged: 0,
      skipped: 0,
      waiting: 0,
      failed: 0,
    };
    for (const file of files) {
      if (ctx.signal.aborted) {
        break;
      }
      const state = states.get(file.path);
      if (!isPending(file, state)) {
        summary.skipped += 1;
        continue;
      }
      if (!state || state.sizeBytes !== file.size || state.mtime.getTime() !== file.mtime.getTime()) {
        await this.repository.observe(this.name, file.path, file.size, file.mtime);
        summary.waiting += 1;
        continue;
      }
      summary[await this.process(file, state)] += 1;
    }
    return summary;
  }

  /** Files waiting (unprocessed), oldest mtime first. */
  async pendingFiles(now = new Date()): Promise<PendingFile[]> {
    const files = await this.listFiles();
    const states = await this.repository.load(
      this.name,
      files.map((f) => f.path),
    );
    return files
      .filter((f) => isPending(f, states.get(f.path)))
      .map((f) => ({ path: f.path, mtime: f.mtime, ageS: Math.max(0, (now.getTime() - f.mtime.getTime()) / 1000) }));
  }

  async status(): Promise<ProcessorStatus> {
    const [counts, pending] = await Promise.all([this.repository.counts(this.name), this.pendingFiles()]);
    return {
      name: this.name,
      task: this.taskName,
      intervalMs: this.intervalMs,
      directory: this.directory,
      processed: counts.processed,
      failed: counts.failed,
      pending: pending.length,
      oldestPending: pending[0] ?? null,
    };
  }

  /** Regular files of the known use-case directories, oldest mtime first (FIFO). A missing directory is empty. */
  async listFiles(): Promise<InboxFile[]> {
    const candidates: Omit<InboxFile, 'size' | 'mtime'>[] = [];
    for (const useCase of this.config.api.useCases) {
      const dir = join(this.directory, useCase);
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          continue;
        }
        throw err;
      }
      for (const entry of entries) {
        if (entry.isFile() && !isIgnoredName(entry.name)) {
          candidates.push({
            path: `${useCase}/${entry.name}`,
            absPath: join(dir, entry.name),
            useCase,
            name: entry.name,
          });
        }
      }
    }
    const files: InboxFile[] = [];
    for (let i = 0; i < candidates.length; i += STAT_PARALLELISM) {
      const chunk = candidates.slice(i, i + STAT_PARALLELISM);
      const stats = await Promise.all(chunk.map((c) => stat(c.absPath).catch(() => null)));
      chunk.forEach((c, j) => {
        const st = stats[j];
        if (st?.isFile()) {
          files.push({ ...c, size: st.size, mtime: st.mtime });
        }
      });
    }
    return files.sort((a, b) => a.mtime.getTime() - b.mtime.getTime() || a.path.localeCompare(b.path));
  }

  private async process(file: InboxFile, state: FileState): Promise<Outcome> {
    const processedAt = new Date();
    const base = { sizeBytes: file.size, mtime: file.mtime };
    const maxBytes = this.config.api.maxUploadBytes;
    if (file.size > maxBytes) {
      const error = `PAYLOAD_TOO_LARGE: ${file.size} bytes; the limit is ${maxBytes} (IX_MAX_UPLOAD_BYTES)`;
      return this.failed(file, state, { ...base, fileHash: null, processedAt, jobId: null, error });
    }
    let content: Buffer;
    try {
      content = await readFile(file.absPath);
    } catch (err) {
      // Possibly transient (permissions being fixed, a network share): pending, retried at the next scan.
      return this.failed(file, state, {
        ...base,
        fileHash: state.fileHash,
        processedAt: null,
        jobId: null,
        error: errorText(err),
      });
    }
    const fileHash = createHash('sha256').update(content).digest('hex');
    if (fileHash === state.fileHash && state.jobId !== null && state.error === null) {
      await this.repository.record(this.name, file.path, {
        ...base,
        fileHash,
        processedAt,
        jobId: state.jobId,
        error: null,
      });
      return 'unchanged';
    }
    try {
      const { job, created } = await this.jobs.submit({
        clientId: INBOX_CLIENT_ID,
        requestId: fileHash,
        useCase: file.useCase,
        priority: 0,
        callbackUrl: null,
        label: null,
        document: { kind: 'bytes', content, filename: file.name },
      });
      await this.repository.record(this.name, file.path, {
        ...base,
        fileHash,
        processedAt,
        jobId: job.id,
        error: null,
      });
      this.logger.log(
        { job_id: job.id, file: file.path, created },
        created ? 'inbox file submitted' : 'inbox file matched an existing job',
      );
      return created ? 'submitted' : 'duplicates';
    } catch (err) {
      if (!(err instanceof DomainError)) {
        throw err;
      }
      // Refused content (type, size, idempotency conflict): not retried until the file changes.
      return this.failed(file, state, { ...base, fileHash, processedAt, jobId: null, error: errorText(err) });
    }
  }

  private async failed(
    file: InboxFile,
    state: FileState,
    outcome: Parameters<ProcessorStateRepository['record']>[2] & { error: string },
  ): Promise<'failed'> {
    await this.repository.record(this.name, file.path, outcome);
    if (outcome.error !== state.error) {
      this.logger.warn({ file: file.path, err: outcome.error }, 'inbox file not processed');
    }
    return 'failed';
  }
}
