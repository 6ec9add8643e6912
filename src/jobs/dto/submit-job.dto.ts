import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ToNumber } from '../../common/validation.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;

export class DocumentInputDto {
  @ApiPropertyOptional({ description: 'Fetch the document from this http(s) URL (SSRF-guarded).' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ description: 'The document bytes, base64-encoded.' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'content_base64 must be base64' })
  content_base64?: string;

  @ApiPropertyOptional({ example: 'invoice.pdf' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  filename?: string;

  @ApiPropertyOptional({ description: 'Informational only: the type is sniffed from the bytes.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  media_type?: string;
}

export class LabelRequestDto {
  @ApiPropertyOptional({ description: 'Printer id (default: the use case printer or the default printer).' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  printer_id?: string;

  @ApiPropertyOptional({ enum: ['asn', 'fields', 'text'] })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  template?: string;
}

/** Fields shared by the JSON and the multipart form of `POST /jobs`. */
export class SubmitJobFieldsDto {
  @ApiProperty({ example: 'inv-0001', description: 'Your id for this submission; re-submitting it is idempotent.' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @Matches(ID_PATTERN, { message: 'request_id may contain letters, digits and . _ : @ / -' })
  request_id!: string;

  @ApiProperty({ example: 'invoice' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  use_case!: string;

  @ApiPropertyOptional({ example: 'acme', description: 'Only in open mode; with API keys the key decides.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  @Matches(ID_PATTERN, { message: 'client_id may contain letters, digits and . _ : @ / -' })
  client_id?: string;

  @ApiPropertyOptional({ example: 'https://example.com/hooks/ix' })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  callback_url?: string;

  @ApiPropertyOptional({ default: 0, minimum: -100, maximum: 100, description: 'Higher runs first.' })
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(-100)
  @Max(100)
  priority?: number;

  @ApiPropertyOptional({ type: LabelRequestDto, description: 'Print an archive label when the job ends.' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => LabelRequestDto)
  label?: LabelRequestDto;
}

export class SubmitJobDto extends SubmitJobFieldsDto {
  @ApiProperty({ type: DocumentInputDto })
  @IsObject()
  @ValidateNested()
  @Type(() => DocumentInputDto)
  document!: DocumentInputDto;
}
