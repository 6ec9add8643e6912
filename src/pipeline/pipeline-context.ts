import type { SupportedMediaType, OcrPage } from '../documents/document.types.js';
import type { ExtractionAssessment } from '../extraction/reliability.js';
import type { Redactor } from '../extraction/redaction.js';
import type { JobOutcome } from '../jobs/job-handler.js';
import type { ClaimedJob } from '../jobs/job.model.js';
import type { UseCaseDefinition } from '../use-cases/use-case.types.js';

/**
 * What the steps of one job share. Lives only in memory for the job's run: the redaction mapping in
 * particular is never persisted or logged.
 */
export interface PipelineContext {
  readonly job: ClaimedJob;
  readonly signal: AbortSignal;
  readonly timings: Record<string, number>;
  useCase?: { definition: UseCaseDefinition; version: number };
  document?: {
    bytes: Buffer;
    mediaType: SupportedMediaType;
    pages: number;
    sha256: string;
    /** These bytes' compressed streams passed the decompression check in the setup step. */
    streamsChecked: boolean;
  };
  pages?: OcrPage[];
  /** The page texts as they may leave the machine (redacted when a remote provider is used). */
  promptTexts?: string[];
  redactor?: Redactor;
  extraction?: {
    fields: Record<string, unknown>;
    confidences?: Record<string, number>;
    provider: string;
    model: string;
  };
  assessment?: ExtractionAssessment;
  asn?: string;
  outcome?: JobOutcome;
}

/** A step ran before the one that fills `what`: a wiring bug, not a document problem. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`pipeline context has no ${what}: check the order of PIPELINE_STEPS`);
  }
  return value;
}
