import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { rfc3339 } from '../../common/time.js';
import { type Job, JobStatus } from '../job.model.js';

export class JobDocumentDto {
  @ApiPropertyOptional({ nullable: true, example: 'a.pdf' }) filename!: string | null;
  @ApiPropertyOptional({ nullable: true, example: 'application/pdf' }) media_type!: string | null;
  @ApiPropertyOptional({ nullable: true, example: 48211 }) size_bytes!: number | null;
  @ApiPropertyOptional({ nullable: true }) sha256!: string | null;
  @ApiPropertyOptional({ nullable: true, description: 'Known once the job has been set up.' }) pages!: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Set when the document was submitted by URL.' })
  url?: string | null;
}

export class JobErrorDto {
  @ApiProperty({ example: 'DOCUMENT_UNREADABLE' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty() retryable!: boolean;
}

export class JobCallbackDto {
  @ApiProperty({ nullable: true }) url!: string | null;
  @ApiProperty({ enum: ['none', 'pending', 'delivered', 'failed'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ nullable: true }) last_error!: string | null;
}

export class JobLabelDto {
  @ApiProperty({ nullable: true }) printer_id!: string | null;
  @ApiProperty({
    enum: ['none', 'queued', 'printed', 'failed'],
    description: '`none` until the pipeline has queued the label (at the end of the job)',
  })
  status!: string;
}

export class JobResponseDto {
  @ApiProperty({ example: '3f9a0c1d2e4b5a6c', description: '16 lowercase hex characters' }) id!: string;
  @ApiProperty({ example: 'acme' }) client_id!: string;
  @ApiProperty({ example: 'inv-0001' }) request_id!: string;
  @ApiProperty({ example: 'invoice' }) use_case!: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The use-case version the job ran with' })
  use_case_version!: number | null;
  @ApiProperty({ enum: JobStatus }) status!: JobStatus;
  @ApiProperty() priority!: number;
  @ApiProperty() attempts!: number;
  @ApiProperty() max_attempts!: number;
  @ApiProperty({ example: '2026-11-22T23:35:36.123Z' }) created_at!: string;
  @ApiProperty({ nullable: true, type: String }) started_at!: string | null;
  @ApiProperty({ nullable: true, type: String }) finished_at!: string | null;
  @ApiProperty({ type: JobDocumentDto }) document!: JobDocumentDto;
  @ApiProperty({
    nullable: true,
    description: 'fields (value, confidence, grounded, source {page, bbox, text}), valid, warnings, asn',
    type: Object,
  })
  result!: unknown;
  @ApiProperty({ nullable: true, type: JobErrorDto }) error!: JobErrorDto | null;
  @ApiProperty({ type: JobCallbackDto }) callback!: JobCallbackDto;
  @ApiProperty({ type: JobLabelDto }) label!: JobLabelDto;
  @ApiProperty({ nullable: true, type: Object, example: { setup: 3, ocr: 812, total: 2031 } })
  timings_ms!: Record<string, number> | null;
}

export class JobListDto {
  @ApiProperty({ type: [JobResponseDto] }) items!: JobResponseDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next (older) page.' })
  next_cursor!: string | null;
}

/** The one mapping from the domain job to the wire envelope (snake_case, RFC 3339 timestamps). */
export function toJobResponse(job: Job): JobResponseDto {
  return {
    id: job.id,
    client_id: job.clientId,
    request_id: job.requestId,
    use_case: job.useCase,
    use_case_version: job.useCaseVersion,
    status: job.status,
    priority: job.priority,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    created_at: rfc3339(job.createdAt),
    started_at: rfc3339(job.startedAt),
    finished_at: rfc3339(job.finishedAt),
    document: {
      filename: job.document.filename,
      media_type: job.document.mediaType,
      size_bytes: job.document.sizeBytes,
      sha256: job.document.sha256,
      pages: job.document.pages,
      ...(job.document.url ? { url: job.document.url } : {}),
    },
    result: job.result,
    error: job.error,
    callback: {
      url: job.callbackUrl,
      status: job.callback?.status ?? 'none',
      attempts: job.callback?.attempts ?? 0,
      last_error: job.callback?.lastError ?? null,
    },
    label: {
      printer_id: job.labelPrint?.printerId ?? job.label?.printer_id ?? null,
      status: job.labelPrint?.status ?? 'none',
    },
    timings_ms: job.timingsMs,
  };
}
