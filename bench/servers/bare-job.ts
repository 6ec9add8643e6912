/**
 * The "equivalent no-DB work" of the bare servers the HTTP benchmark compares ix with: decode the document, hash it,
 * make an id, answer with an envelope shaped like ix's job envelope (same fields, about the same size). No
 * database, no type sniffing, no use-case lookup, no logging: what is left is the framework.
 */
import { createHash, randomBytes } from 'node:crypto';

export interface BareSubmit {
  request_id: string;
  use_case: string;
  client_id?: string;
  document: { content_base64: string; filename?: string; media_type?: string };
}

export type BareJob = Record<string, unknown> & { id: string };

/** Jobs kept for GET; capped so a 10 s run at tens of thousands of requests per second stays small. */
const MAX_KEPT = 10_000;
const jobs = new Map<string, BareJob>();

export function submitBareJob(body: BareSubmit): BareJob {
  const bytes = Buffer.from(body.document.content_base64, 'base64');
  const now = new Date().toISOString();
  const job: BareJob = {
    id: randomBytes(8).toString('hex'),
    client_id: body.client_id ?? 'default',
    request_id: body.request_id,
    use_case: body.use_case,
    use_case_version: 1,
    status: 'pending',
    priority: 0,
    attempts: 0,
    max_attempts: 3,
    created_at: now,
    started_at: null,
    finished_at: null,
    document: {
      filename: body.document.filename ?? null,
      media_type: body.document.media_type ?? 'application/octet-stream',
      size_bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      pages: null,
    },
    result: null,
    error: null,
    callback: { url: null, status: 'none', attempts: 0, last_error: null },
    label: { printer_id: null, status: 'none' },
    timings_ms: null,
  };
  if (jobs.size < MAX_KEPT) {
    jobs.set(job.id, job);
  }
  return job;
}

export function findBareJob(id: string): BareJob | undefined {
  return jobs.get(id);
}
