import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { JobStatus } from '../job.model.js';
import { ToNumber } from '../../common/validation.js';

export class ListJobsQueryDto {
  @ApiPropertyOptional({
    description:
      "With request_id: correlation lookup (one job or 404); otherwise a listing filter. Defaults to the API key's " +
      'client; another client finds nothing.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  client_id?: string;

  @ApiPropertyOptional({ description: 'With client_id: correlation lookup (one job or 404).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  request_id?: string;

  @ApiPropertyOptional({ enum: JobStatus })
  @IsOptional()
  @IsEnum(JobStatus)
  status?: JobStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  use_case?: string;

  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 500 })
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page (`next_cursor`).' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  cursor?: string;
}
