import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ToNumber } from '../../common/validation.js';

export class TaskRunsQueryDto {
  @ApiPropertyOptional({ default: 50, minimum: 1, maximum: 1000 })
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
