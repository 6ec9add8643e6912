import { Controller, Get, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Client, ClientIdentity } from '../auth/client-identity.js';
import { AppConfig } from '../config/app-config.js';
import { JobListDto, JobResponseDto, toJobResponse } from './dto/job-response.dto.js';
import { ListJobsQueryDto } from './dto/list-jobs.query.js';
import { SubmitJobDto } from './dto/submit-job.dto.js';
import { JobsService } from './jobs.service.js';
import { parseSubmitRequest } from './submit-request.parser.js';
import { TakesDocuments } from '../common/document-route.js';

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
};

/**
 * Every route acts for `@Client()`: with API keys, the key's client, which sees only its own jobs (another
 * client's job is a 404); in open mode or with the admin key, the request's `client_id` and every job.
 */
@ApiTags('jobs')
@ApiBearerAuth()
@ApiResponse({
  status: 401,
  schema: ERROR_SCHEMA,
  description: 'Missing or unknown API key (when keys are configured)',
})
@ApiExtraModels(SubmitJobDto)
@Controller('jobs')
export class JobsController {
  private readonly maxUploadBytes: number;

  constructor(
    private readonly jobs: JobsService,
    config: AppConfig,
  ) {
    this.maxUploadBytes = config.api.maxUploadBytes;
  }

  @Post()
  @ApiOperation({
    summary: 'Submit a document',
    description:
      'JSON (`document.content_base64` or `document.url`) or multipart/form-data (`file` plus the same fields). ' +
      "Idempotent on (client_id, request_id). With API keys the client is the key's; a `client_id` naming another " +
      'client is a 403 `CLIENT_MISMATCH`.',
  })
  @TakesDocuments()
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(SubmitJobDto) },
        {
          type: 'object',
          required: ['file', 'request_id', 'use_case'],
          properties: {
            file: { type: 'string', format: 'binary' },
            request_id: { type: 'string' },
            use_case: { type: 'string' },
            client_id: { type: 'string' },
            callback_url: { type: 'string' },
            priority: { type: 'integer' },
            label: { type: 'string', description: '`true` or a JSON object {printer_id, template}' },
          },
        },
      ],
    },
  })
  @ApiResponse({ status: 201, type: JobResponseDto, description: 'Created' })
  @ApiResponse({ status: 200, type: JobResponseDto, description: 'Idempotent re-submit: the existing job' })
  @ApiResponse({ status: 403, schema: ERROR_SCHEMA, description: "CLIENT_MISMATCH: client_id is not the key's client" })
  @ApiResponse({ status: 409, schema: ERROR_SCHEMA, description: 'request_id reused with another document/use case' })
  @ApiResponse({ status: 413, schema: ERROR_SCHEMA, description: 'Over IX_MAX_UPLOAD_BYTES' })
  @ApiResponse({ status: 415, schema: ERROR_SCHEMA, description: 'Not a PDF, PNG, JPEG or TIFF (sniffed from bytes)' })
  @ApiResponse({ status: 422, schema: ERROR_SCHEMA, description: 'Unknown use case or invalid field' })
  async submit(
    @Client() identity: ClientIdentity,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobResponseDto> {
    const { fields, document } = await parseSubmitRequest(req, this.maxUploadBytes);
    const { job, created } = await this.jobs.submit({
      clientId: identity.clientFor(fields.client_id),
      requestId: fields.request_id,
      useCase: fields.use_case,
      priority: fields.priority ?? 0,
      callbackUrl: fields.callback_url ?? null,
      label: fields.label ?? null,
      document,
    });
    void reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return toJobResponse(job);
  }

  @Get()
  @ApiOperation({
    summary: 'Correlation lookup (client_id + request_id) or listing (newest first, cursor pagination)',
    description:
      "Only the caller's jobs: with an API key, `client_id` defaults to the key's client and naming another client " +
      'finds nothing (correlation 404, empty listing).',
  })
  @ApiOkResponse({ description: 'A job (correlation) or a page of jobs (listing)', type: JobListDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  async list(
    @Client() identity: ClientIdentity,
    @Query() query: ListJobsQueryDto,
  ): Promise<JobResponseDto | JobListDto> {
    if (query.request_id !== undefined) {
      const clientId = query.client_id ?? identity.clientId;
      return toJobResponse(await this.jobs.findByRequest(clientId, query.request_id, identity.scope));
    }
    const page = await this.jobs.list({
      clientScope: identity.scope,
      clientId: query.client_id,
      status: query.status,
      useCase: query.use_case,
      limit: query.limit ?? 50,
      cursor: query.cursor,
    });
    return { items: page.items.map(toJobResponse), next_cursor: page.nextCursor };
  }

  @Get(':id')
  @ApiOperation({ summary: 'The job envelope' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  async get(@Client() identity: ClientIdentity, @Param('id') id: string): Promise<JobResponseDto> {
    return toJobResponse(await this.jobs.get(id, identity.scope));
  }

  @Post(':id/cancel')
  @ApiOperation({ summary: 'pending -> cancelled' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  @ApiResponse({ status: 409, schema: ERROR_SCHEMA, description: 'The job is not pending' })
  async cancel(
    @Client() identity: ClientIdentity,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobResponseDto> {
    void reply.status(HttpStatus.OK);
    return toJobResponse(await this.jobs.cancel(id, identity.scope));
  }

  @Post(':id/retry')
  @ApiOperation({ summary: 'error|cancelled -> pending, attempts reset' })
  @ApiOkResponse({ type: JobResponseDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  @ApiResponse({ status: 409, schema: ERROR_SCHEMA, description: 'The job is neither in error nor cancelled' })
  async retry(
    @Client() identity: ClientIdentity,
    @Param('id') id: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<JobResponseDto> {
    void reply.status(HttpStatus.OK);
    return toJobResponse(await this.jobs.retry(id, identity.scope));
  }

  @Get(':id/document')
  @ApiOperation({ summary: 'The original bytes with their media type' })
  @ApiProduces('application/pdf', 'image/png', 'image/jpeg', 'image/tiff')
  @ApiResponse({ status: 200, description: 'The document' })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  @ApiResponse({ status: 410, schema: ERROR_SCHEMA, description: 'Removed by the retention policy' })
  async document(
    @Client() identity: ClientIdentity,
    @Param('id') id: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const doc = await this.jobs.document(id, identity.scope);
    const name = (doc.filename ?? `${id}`).replace(/[^\w.-]/g, '_');
    await reply
      .status(HttpStatus.OK)
      .header('content-type', doc.mediaType)
      .header('content-disposition', `inline; filename="${name}"`)
      .send(doc.content);
  }
}
