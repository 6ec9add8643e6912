import { Body, Controller, Get, HttpCode, HttpStatus, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ValidationFailedError } from '../common/errors/domain-error.js';
import { JobListDto, toJobResponse } from './dto/job-response.dto.js';
import { ListJobsQueryDto } from './dto/list-jobs.query.js';
import { RedriveDto } from './dto/redrive.dto.js';
import { JobsService } from './jobs.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminKeyGuard)
@Controller('admin/jobs')
export class AdminJobsController {
  constructor(private readonly jobs: JobsService) {}

  @Get('failed')
  @ApiOperation({ summary: 'Dead letters: jobs that ended in error, newest first' })
  @ApiOkResponse({ type: JobListDto })
  async failed(@Query() query: ListJobsQueryDto): Promise<JobListDto> {
    const page = await this.jobs.listFailed(query.limit ?? 50, query.cursor);
    return { items: page.items.map(toJobResponse), next_cursor: page.nextCursor };
  }

  @Post('redrive')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Return failed jobs to the queue (attempts reset), by ids or by filter' })
  @ApiOkResponse({ schema: { example: { requeued: 2, ids: ['3f9a0c1d2e4b5a6c', '0123456789abcdef'] } } })
  async redrive(@Body() body: RedriveDto): Promise<{ requeued: number; ids: string[] }> {
    if (!body.ids && !body.use_case && !body.error_code && !body.client_id) {
      throw new ValidationFailedError('name ids or at least one filter (use_case, error_code, client_id)', [
        { field: 'ids', problems: ['ids or a filter is required'] },
      ]);
    }
    const ids = await this.jobs.redrive({
      ids: body.ids,
      useCase: body.use_case,
      errorCode: body.error_code,
      clientId: body.client_id,
    });
    return { requeued: ids.length, ids };
  }
}
