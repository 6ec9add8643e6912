import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CreateLabelDto, PrintJobCreatedDto } from './dto/print-job.dto.js';
import {
  PrinterListDto,
  PrinterResponseDto,
  PrinterStatusDto,
  toPrinterResponse,
  toPrinterStatusResponse,
} from './dto/printer-response.dto.js';
import { LabelService } from './label.service.js';
import { PrintersService } from './printers.service.js';

export const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
};

@ApiTags('printers')
@ApiBearerAuth()
@Controller('printers')
export class PrintersController {
  constructor(
    private readonly printers: PrintersService,
    private readonly labels: LabelService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every printer ever configured; `active` is false for those no longer in the config' })
  @ApiOkResponse({ type: PrinterListDto })
  async list(): Promise<PrinterListDto> {
    return { items: (await this.printers.list()).map(toPrinterResponse) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One printer' })
  @ApiOkResponse({ type: PrinterResponseDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  async get(@Param('id') id: string): Promise<PrinterResponseDto> {
    return toPrinterResponse(await this.printers.get(id));
  }

  @Get(':id/status')
  @ApiOperation({
    summary: 'Last known status, from the status cache only (never a network call)',
    description: '`note`: `never probed` (no good probe yet), `stale` (last good probe older than 90 s) or null.',
  })
  @ApiOkResponse({ type: PrinterStatusDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA })
  async status(@Param('id') id: string): Promise<PrinterStatusDto> {
    return toPrinterStatusResponse(await this.printers.status(id));
  }

  @Post(':id/labels')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Queue a label; it prints in the background, retried while the printer is down' })
  @ApiAcceptedResponse({ type: PrintJobCreatedDto })
  @ApiResponse({ status: 404, schema: ERROR_SCHEMA, description: 'Unknown or inactive printer' })
  @ApiResponse({ status: 422, schema: ERROR_SCHEMA, description: 'Data the template cannot print' })
  async print(@Param('id') id: string, @Body() body: CreateLabelDto): Promise<PrintJobCreatedDto> {
    const printJobId = await this.labels.print(id, { template: body.template, data: body.data, copies: body.copies });
    return { print_job_id: printJobId };
  }
}
