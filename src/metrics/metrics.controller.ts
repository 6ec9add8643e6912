import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { prometheusContentType } from 'prom-client';
import { Operator } from '../auth/access.decorators.js';
import { MetricsService, type MetricsSnapshot } from './metrics.service.js';

@ApiTags('metrics')
@Operator()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({
    summary: 'Queue and job metrics as JSON',
    description:
      'pending/running counts, done/error counts and mean duration per use case over the last 24 h, queue lag, ' +
      'callback and print backlogs (null until those queues exist), last status of each scheduler task',
  })
  @ApiOkResponse({
    schema: {
      example: {
        generated_at: '2026-11-22T23:35:36.123Z',
        jobs: { pending: 3, running: 1, done_24h: 120, error_24h: 2, cancelled_24h: 0 },
        avg_seconds_by_use_case: { invoice: 2.031 },
        queue_lag_seconds: 0.8,
        callback_backlog: null,
        print_backlog: 0,
        tasks: {
          'orphan-sweep': {
            last_status: 'ok',
            last_run_at: '2026-11-22T23:35:30.000Z',
            last_duration_ms: 3,
            consecutive_failures: 0,
            in_flight: false,
          },
        },
      },
    },
  })
  snapshot(): Promise<MetricsSnapshot> {
    return this.metrics.snapshot();
  }

  @Get('prometheus')
  @Header('Content-Type', prometheusContentType)
  @ApiOperation({
    summary: 'The same metrics in the Prometheus text exposition format (0.0.4), with a step-duration histogram',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({ schema: { type: 'string' } })
  prometheus(): Promise<string> {
    return this.metrics.prometheus();
  }
}
