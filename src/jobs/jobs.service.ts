import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError, NotFoundError, ValidationFailedError } from '../common/errors/domain-error.js';
import { UrlPolicy } from '../net/url-policy.js';
import { UseCaseCatalog } from '../use-cases/use-case-catalog.js';
import { AppConfig } from '../config/app-config.js';
import { sniffMediaType } from '../documents/sniff.js';
import { type Job, type JobLabelRequest, JobStatus, type NewDocument, type NewJob } from './job.model.js';
import {
  DocumentGoneError,
  IdempotencyConflictError,
  JobStateConflictError,
  PayloadTooLargeError,
  UnknownUseCaseError,
  UnsupportedMediaTypeError,
} from './jobs.errors.js';
import { JobEnqueuer } from './job-enqueuer.js';
import { JobsRepository } from './jobs.repository.js';
import { submittedJob } from './submitted-job.js';

export type SubmittedDocument =
  { kind: 'bytes'; content: Buffer; filename: string | null } | { kind: 'url'; url: string };

export interface SubmitJobInput {
  clientId: string;
  requestId: string;
  useCase: string;
  priority: number;
  callbackUrl: string | null;
  label: JobLabelRequest | null;
  document: SubmittedDocument;
}

export interface ListJobsQuery {
  /** The caller's visibility: its own client's jobs, or null for every client (open mode, admin). */
  clientScope: string | null;
  /** A filter on top of the scope; naming a client outside the scope finds nothing. */
  clientId?: string;
  status?: JobStatus;
  useCase?: string;
  limit: number;
  cursor?: string;
}

export function newJobId(): string {
  return randomBytes(8).toString('hex');
}

export function encodeCursor(seq: string): string {
  return Buffer.from(`s:${seq}`).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^s:(\d{1,19})$/.exec(decoded);
  if (!match) {
    throw new ValidationFailedError('cursor is invalid', [{ field: 'cursor', problems: ['not a cursor from ix'] }]);
  }
  return match[1];
}

function checkHttpUrl(value: string, field: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationFailedError(`${field} must be an absolute http(s) URL`, [{ field, problems: ['invalid URL'] }]);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationFailedError(`${field} must use http or https`, [{ field, problems: ['scheme not allowed'] }]);
  }
  return url.toString();
}

@Injectable()
export class JobsService {
  private readonly logger = new Logger(JobsService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: JobsRepository,
    private readonly useCases: UseCaseCatalog,
    private readonly urls: UrlPolicy,
    private readonly enqueuer: JobEnqueuer,
  ) {}

  /** Syntax, scheme, then the SSRF policy (private, loopback, link-local, metadata refused unless allow-listed). */
  private async checkUrl(value: string, field: string): Promise<string> {
    const url = checkHttpUrl(value, field);
    try {
      await this.urls.check(url);
    } catch (err) {
      if (err instanceof DomainError && Number(err.status) < 500) {
        throw new ValidationFailedError(`${field}: ${err.message}`, [{ field, problems: [err.code] }]);
      }
      throw new ValidationFailedError(`${field}: ${(err as Error).message}`, [{ field, problems: ['unreachable'] }]);
    }
    return url;
  }

  /**
   * Idempotent on (client_id, request_id): the first call creates the job (`created: true`), a repeat with the
   * same document and use case returns the same job, a repeat with anything else is a 409.
   */
  async submit(input: SubmitJobInput): Promise<{ job: Job; created: boolean }> {
    if (!(await this.useCases.has(input.useCase))) {
      throw new UnknownUseCaseError(input.useCase, await this.useCases.knownNames());
    }
    const callbackUrl = input.callbackUrl === null ? null : await this.checkUrl(input.callbackUrl, 'callback_url');

    let sha256: string | null = null;
    let documentUrl: string | null = null;
    let filename: string | null;
    let document: NewDocument | null = null;
    if (input.document.kind === 'bytes') {
      const { content } = input.document;
      filename = input.document.filename;
      if (content.length > this.config.api.maxUploadBytes) {
        throw new PayloadTooLargeError(content.length, this.config.api.maxUploadBytes);
      }
      const mediaType = await sniffMediaType(content);
      if (!mediaType) {
        throw new UnsupportedMediaTypeError(filename);
      }
      const digest = createHash('sha256').update(content).digest('hex');
      sha256 = digest;
      document = { sha256: digest, mediaType, sizeBytes: content.length, content };
    } else {
      documentUrl = await this.checkUrl(input.document.url, 'document.url');
      filename = new URL(documentUrl).pathname.split('/').pop() || null;
    }

    const newJob: NewJob = {
      id: newJobId(),
      clientId: input.clientId,
      requestId: input.requestId,
      useCase: input.useCase,
      priority: input.priority,
      maxAttempts: this.config.queue.maxAttempts,
      documentSha256: sha256,
      documentFilename: filename,
      documentUrl,
      callbackUrl,
      label: input.label,
    };
    // Insert first: a new job is one statement, answered from what was submitted and what the insert returned. No
    // row means the pair exists and is committed (ON CONFLICT waited for it), so the read sees it; jobs rows are
    // never deleted. A re-submit's bytes travel to PostgreSQL again, as its first submit's did, and are not stored.
    const inserted = await this.enqueuer.enqueue(newJob, document);
    if (inserted) {
      this.logger.log({ job_id: newJob.id, client_id: input.clientId, use_case: input.useCase }, 'job submitted');
      return { job: submittedJob(newJob, document, inserted), created: true };
    }
    const existing = await this.repository.findByClientRequest(input.clientId, input.requestId);
    if (!existing) {
      throw new Error(`job ${input.clientId}/${input.requestId} was neither inserted nor found`);
    }
    return { job: this.sameRequest(existing, input, sha256, documentUrl), created: false };
  }

  /** The pair's existing job, when the request is the same one again; a 409 when it differs. */
  private sameRequest(found: Job, input: SubmitJobInput, sha256: string | null, url: string | null): Job {
    if (found.useCase !== input.useCase) {
      throw new IdempotencyConflictError(input.requestId, 'use case');
    }
    if (found.document.sha256 !== sha256 || found.document.url !== url) {
      throw new IdempotencyConflictError(input.requestId, 'document');
    }
    return found;
  }

  async get(id: string, clientScope: string | null): Promise<Job> {
    const job = /^[0-9a-f]{16}$/.test(id) ? await this.repository.findById(id, clientScope) : null;
    if (!job) {
      throw new NotFoundError(`job ${id}`);
    }
    return job;
  }

  /** Correlation lookup, within the caller's scope: another client's job is not found (404), not forbidden. */
  async findByRequest(clientId: string, requestId: string, clientScope: string | null): Promise<Job> {
    const visible = clientScope === null || clientScope === clientId;
    const job = visible ? await this.repository.findByClientRequest(clientId, requestId) : null;
    if (!job) {
      throw new NotFoundError(`job with client_id "${clientId}" and request_id "${requestId}"`);
    }
    return job;
  }

  async list(query: ListJobsQuery): Promise<{ items: Job[]; nextCursor: string | null }> {
    const beforeSeq = query.cursor ? decodeCursor(query.cursor) : undefined;
    const { clientScope, clientId } = query;
    if (clientScope !== null && clientId !== undefined && clientId !== clientScope) {
      return { items: [], nextCursor: null };
    }
    const items = await this.repository.list({
      clientId: clientScope ?? clientId ?? null,
      status: query.status,
      useCase: query.useCase,
      beforeSeq,
      limit: query.limit + 1,
    });
    const more = items.length > query.limit;
    const page = more ? items.slice(0, query.limit) : items;
    return { items: page, nextCursor: more ? encodeCursor(page[page.length - 1].seq) : null };
  }

  async cancel(id: string, clientScope: string | null): Promise<Job> {
    const job = await this.get(id, clientScope);
    if (!(await this.repository.cancel(id, clientScope))) {
      throw new JobStateConflictError(
        'JOB_NOT_CANCELLABLE',
        `job ${id} is ${job.status}; only pending jobs can be cancelled`,
      );
    }
    return this.get(id, clientScope);
  }

  async retry(id: string, clientScope: string | null): Promise<Job> {
    const job = await this.get(id, clientScope);
    const requeued = await this.repository.requeue({
      ids: [id],
      clientId: clientScope,
      statuses: [JobStatus.Error, JobStatus.Cancelled],
    });
    if (requeued.length === 0) {
      throw new JobStateConflictError(
        'JOB_NOT_RETRYABLE',
        `job ${id} is ${job.status}; only jobs in error or cancelled can be retried`,
      );
    }
    return this.get(id, clientScope);
  }

  async document(
    id: string,
    clientScope: string | null,
  ): Promise<{ mediaType: string; content: Buffer; filename: string | null }> {
    const job = await this.get(id, clientScope);
    if (!job.document.sha256) {
      throw new NotFoundError(`document of job ${id} (submitted by URL and not fetched yet)`);
    }
    const doc = await this.repository.documentContent(job.document.sha256);
    if (!doc) {
      throw new NotFoundError(`document of job ${id}`);
    }
    if (!doc.content) {
      throw new DocumentGoneError();
    }
    return { mediaType: doc.mediaType, content: doc.content, filename: job.document.filename };
  }

  /** Dead letters, newest first, across clients (admin). */
  listFailed(limit: number, cursor?: string): Promise<{ items: Job[]; nextCursor: string | null }> {
    return this.list({ clientScope: null, status: JobStatus.Error, limit, cursor });
  }

  async redrive(filter: {
    ids?: string[];
    useCase?: string;
    errorCode?: string;
    clientId?: string;
  }): Promise<string[]> {
    const ids = await this.repository.requeue({
      ids: filter.ids,
      clientId: filter.clientId ?? null,
      useCase: filter.useCase,
      errorCode: filter.errorCode,
      statuses: [JobStatus.Error],
    });
    this.logger.log({ requeued: ids.length }, 'redrive');
    return ids;
  }
}
