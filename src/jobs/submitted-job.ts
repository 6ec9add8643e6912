import { type ClaimedJob, type InsertedJob, type Job, JobStatus, type NewDocument, type NewJob } from './job.model.js';

/** A job handed to the local worker at insert, as a claim would have returned it: on its first attempt. */
export function handedOffClaim(job: NewJob): ClaimedJob {
  return { ...job, attempts: 1 };
}

/**
 * The envelope of a job a submit has just inserted, as of its insert (what a read at that commit shows), built from
 * what was submitted and what the insert returned (no read-back). Nothing the pipeline writes (result, use case
 * version, callback delivery, label print) exists then, though a handed-off job may be running on by the time this
 * is sent. `document` describes the bytes the job refers to (the same bytes give the stored row's media type and
 * size); null for a URL.
 */
export function submittedJob(
  job: NewJob,
  document: Pick<NewDocument, 'mediaType' | 'sizeBytes'> | null,
  inserted: InsertedJob,
): Job {
  const running = inserted.handedOff;
  return {
    id: job.id,
    seq: inserted.seq,
    clientId: job.clientId,
    requestId: job.requestId,
    useCase: job.useCase,
    status: running ? JobStatus.Running : JobStatus.Pending,
    priority: job.priority,
    attempts: running ? 1 : 0,
    maxAttempts: job.maxAttempts,
    createdAt: inserted.createdAt,
    startedAt: running ? inserted.createdAt : null, // started in the inserting transaction
    finishedAt: null,
    document: {
      sha256: job.documentSha256,
      filename: job.documentFilename,
      url: job.documentUrl,
      mediaType: document?.mediaType ?? null,
      sizeBytes: document?.sizeBytes ?? null,
      pages: inserted.documentPages,
    },
    callbackUrl: job.callbackUrl,
    callback: job.callbackUrl ? { status: 'pending', attempts: 0, lastError: null } : null,
    useCaseVersion: null,
    label: job.label,
    labelPrint: null,
    error: null,
    result: null,
    timingsMs: null,
  };
}
