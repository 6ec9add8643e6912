/**
 * The framework ceiling for the HTTP benchmark: NestJS on the same Fastify adapter as ix, one controller, the same
 * kind of global ValidationPipe (whitelist, forbidNonWhitelisted, transform) with a class-validator DTO shaped like
 * ix's submit DTO, and the no-DB work of ./bare-job.ts. No logger, no guards, no filters, no OpenAPI.
 *
 * `PORT` (required), `HOST` (127.0.0.1). Started by bench/http.bench.ts as a child process.
 */
import 'reflect-metadata';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  NotFoundException,
  Param,
  Post,
  ValidationPipe,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { findBareJob, submitBareJob, type BareJob } from './bare-job.js';

class BareDocumentDto {
  @IsString()
  @Matches(/^[A-Za-z0-9+/]*={0,2}$/)
  content_base64!: string;

  @IsOptional()
  @IsString()
  @MaxLength(255)
  filename?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  media_type?: string;
}

class BareSubmitDto {
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  request_id!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  use_case!: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  client_id?: string;

  @ValidateNested()
  @Type(() => BareDocumentDto)
  document!: BareDocumentDto;
}

@Controller()
class BareJobsController {
  @Get('healthz')
  health(): { status: string } {
    return { status: 'ok' };
  }

  @Post('jobs')
  @HttpCode(201)
  submit(@Body() body: BareSubmitDto): BareJob {
    return submitBareJob(body);
  }

  @Get('jobs/:id')
  get(@Param('id') id: string): BareJob {
    const job = findBareJob(id);
    if (!job) {
      throw new NotFoundException();
    }
    return job;
  }
}

@Module({ controllers: [BareJobsController] })
class BareModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    BareModule,
    new FastifyAdapter({ bodyLimit: 64 * 1024 * 1024 }),
    { logger: false },
  );
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.enableShutdownHooks();
  await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
}

void main();
