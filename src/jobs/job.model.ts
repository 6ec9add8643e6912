import type { SupportedMediaType } from '../documents/document.types.js';

export enum JobStatus {
  Pending = 'pending',
  Running = 'running',
  Done = 'done',
  Error = 'error',
  Cancelled = 'cancelled',
}

export interface JobError {
  code: string;
  message: string;
  retryable: boolean;
}

export interface JobLabelRequest {
  printer_id?: string;
  template?: string;
}

/** A job as the API shows it: the job row joined with its document and result. */
export interface Job {
  id: string;
  seq: string;
  clientId: string;
  requestId: string;
  useCase: string;
  status: JobStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  document: {
    sha256: string | null;
    filename: string | null;
    url: string | null;
    mediaType: string | null;
    sizeBytes: number | null;
    pages: number | null;
  };
  callbackUrl: string | null;
  callback: { status: 'pending' | 'delivered' | 'failed'; attempts: number; lastError: string | null } | null;
  useCaseVersion: number | null;
  label: JobLabelRequest | null;
  /** The job's label print, once queued (at the end of the pipeline). */
  labelPrint: { printerId: string | null; status: 'queued' | 'printed' | 'failed' } | null;
  error: JobError | null;
  result: unknown;
  timingsMs: Record<string, number> | null;
}

/** What a worker gets from a claim: what was submitted, and the attempt it is on (the hot row stays slim). */
export interface ClaimedJob extends NewJob {
  attempts: number;
}

export interface NewDocument {
  sha256: string;
  mediaType: SupportedMediaType;
  sizeBytes: number;
  content: Buffer;
}

export interface NewJob {
  id: string;
  clientId: string;
  requestId: string;
  useCase: string;
  priority: number;
  maxAttempts: number;
  documentSha256: string | null;
  documentFilename: string | null;
  documentUrl: string | null;
  callbackUrl: string | null;
  label: JobLabelRequest | null;
}

/** What only the database decided about a job a submit inserted; the rest of the job is what was submitted. */
export interface InsertedJob {
  seq: string;
  createdAt: Date;
  /** Known when the document was stored before and an earlier job's setup counted its pages. */
  documentPages: number | null;
  /** Inserted held by the local worker (hand-off): running from its insert on, on its first attempt. */
  handedOff: boolean;
}

/** How a job left a worker. `result` is stored for done jobs and for jobs that ended in a validation error. */
export interface JobFinish {
  id: string;
  status: JobStatus.Done | JobStatus.Error;
  result: unknown;
  timingsMs: Record<string, number> | null;
  error: JobError | null;
}
