import { ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class RedriveDto {
  @ApiPropertyOptional({ type: [String], description: 'Job ids; omit to redrive by filter.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @Matches(/^[0-9a-f]{16}$/, { each: true, message: 'each id must be 16 lowercase hex characters' })
  ids?: string[];

  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) use_case?: string;
  @ApiPropertyOptional({ example: 'ORPHANED' }) @IsOptional() @IsString() @MaxLength(64) error_code?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) client_id?: string;
}
