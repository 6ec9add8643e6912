import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { rfc3339 } from '../../common/time.js';
import type { ProcessorReport } from '../processors.service.js';

export class PendingFileDto {
  @ApiProperty({ example: 'invoice/scan-0001.pdf', description: "Relative to the processor's directory" })
  path!: string;
  @ApiProperty({ description: 'inbox: the file mtime; outbox-export: when its job finished' }) since!: string;
  @ApiProperty({ example: 42 }) age_s!: number;
}

export class ProcessorStatusDto {
  @ApiProperty({ example: 'inbox' }) name!: string;
  @ApiProperty({ example: 'inbox-scan' }) task!: string;
  @ApiPropertyOptional() interval_ms?: number;
  @ApiPropertyOptional() directory?: string;
  @ApiPropertyOptional({ description: 'Files processed successfully (state rows)' }) processed?: number;
  @ApiPropertyOptional({ description: 'Files whose last processing failed' }) failed?: number;
  @ApiPropertyOptional({ description: 'Files waiting to be processed' }) pending?: number;
  @ApiPropertyOptional({ nullable: true, type: PendingFileDto }) oldest_pending?: PendingFileDto | null;
  @ApiPropertyOptional({ description: 'Set when the status could not be read' }) error?: string;
}

export class ProcessorListDto {
  @ApiProperty({ type: [ProcessorStatusDto] }) processors!: ProcessorStatusDto[];
}

export function toProcessorStatusResponse(report: ProcessorReport): ProcessorStatusDto {
  if ('error' in report) {
    return { name: report.name, task: report.task, error: report.error };
  }
  const oldest = report.oldestPending;
  return {
    name: report.name,
    task: report.task,
    interval_ms: report.intervalMs,
    directory: report.directory,
    processed: report.processed,
    failed: report.failed,
    pending: report.pending,
    oldest_pending: oldest && { path: oldest.path, since: rfc3339(oldest.mtime), age_s: Math.round(oldest.ageS) },
  };
}
