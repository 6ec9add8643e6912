import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, Max, Min } from 'class-validator';
import { rfc3339 } from '../../common/time.js';
import { LABEL_TEMPLATES } from '../label/label-layout.types.js';
import { type PrintJob, PrintJobStatus } from '../printer.model.js';

export class CreateLabelDto {
  @ApiProperty({ enum: LABEL_TEMPLATES })
  @IsIn(LABEL_TEMPLATES)
  template!: string;

  @ApiProperty({
    type: Object,
    description:
      'asn: {asn, title?, date?, qr?}; fields: {title?, fields: {name: value}}; text: {text}. ' +
      'Checked by the template before anything is queued (422 naming the field).',
    example: { asn: 'ASN000123', title: 'Invoice RE-2026-001', date: '2026-11-22' },
  })
  @IsObject()
  data!: Record<string, unknown>;

  @ApiProperty({ required: false, default: 1, minimum: 1, maximum: 99 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(99)
  copies?: number;
}

export class PrintJobCreatedDto {
  @ApiProperty({ example: '9c1e0f3a4b5d6e7f' }) print_job_id!: string;
}

export class PrintJobResponseDto {
  @ApiProperty({ example: '9c1e0f3a4b5d6e7f' }) id!: string;
  @ApiProperty() printer_id!: string;
  @ApiProperty({ nullable: true, type: String, description: 'the ix job this label belongs to' }) job_id!:
    string | null;
  @ApiProperty({ enum: LABEL_TEMPLATES }) template!: string;
  @ApiProperty({ type: Object }) data!: unknown;
  @ApiProperty() copies!: number;
  @ApiProperty({ enum: PrintJobStatus }) status!: PrintJobStatus;
  @ApiProperty() attempts!: number;
  @ApiProperty() max_attempts!: number;
  @ApiProperty({ description: 'a queued label is not sent before this' }) run_after!: string;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty() created_at!: string;
  @ApiProperty({ nullable: true, type: String }) printed_at!: string | null;
}

export function toPrintJobResponse(j: PrintJob): PrintJobResponseDto {
  return {
    id: j.id,
    printer_id: j.printerId,
    job_id: j.jobId,
    template: j.template,
    data: j.data,
    copies: j.copies,
    status: j.status,
    attempts: j.attempts,
    max_attempts: j.maxAttempts,
    run_after: rfc3339(j.runAfter),
    last_error: j.lastError,
    created_at: rfc3339(j.createdAt),
    printed_at: rfc3339(j.printedAt),
  };
}
