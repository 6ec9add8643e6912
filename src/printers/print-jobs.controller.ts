import { Controller, Get, HttpStatus, Param, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { PrintJobResponseDto, toPrintJobResponse } from './dto/print-job.dto.js';
import { LabelService } from './label.service.js';
import { ERROR_SCHEMA } from './printers.controller.js';

@ApiTags('printers')
@ApiBearerAuth()
@Controller('print-jobs')
export class PrintJobsController {
  constructor(private readonly labels: LabelService) {}

  @Get(':id')
  @ApiOperation({ summary: 'A queued, printing, printed or failed label' })
  @ApiOkResponse({ type: PrintJobResponseDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  async get(@Param('id') id: string): Promise<PrintJobResponseDto> {
    return toPrintJobResponse(await this.labels.getPrintJob(id));
  }

  @Get(':id/preview.png')
  @ApiOperation({ summary: 'The label as PNG, one pixel per printer dot' })
  @ApiProduces('image/png')
  @ApiResponse({ status: 200, description: 'The preview' })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  async preview(@Param('id') id: string, @Res() reply: FastifyReply): Promise<void> {
    const png = await this.labels.preview(id);
    await reply
      .status(HttpStatus.OK)
      .header('content-type', 'image/png')
      .header('content-disposition', `inline; filename="${id}.png"`)
      .send(png);
  }
}
