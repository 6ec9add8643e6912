import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import { ProcessorListDto, toProcessorStatusResponse } from './dto/processor-status.dto.js';
import { ProcessorsService } from './processors.service.js';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminKeyGuard)
@Controller('admin/processors')
export class AdminProcessorsController {
  constructor(private readonly processors: ProcessorsService) {}

  @Get()
  @ApiOperation({ summary: 'Each file processor: processed, failed and pending counts, oldest unprocessed file' })
  @ApiOkResponse({ type: ProcessorListDto })
  async list(): Promise<ProcessorListDto> {
    const reports = await this.processors.statuses();
    return { processors: reports.map(toProcessorStatusResponse) };
  }
}
