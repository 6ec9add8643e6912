import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/access.decorators.js';
import { ReadinessService } from './readiness.service.js';
import type { ReadinessReport } from './readiness.types.js';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /** Liveness: proves the event loop turns. Touches neither the database nor the network, by contract. */
  @Get('healthz')
  @ApiOperation({ summary: 'Liveness probe (never touches the database or the network)' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readiness')
  @ApiOperation({
    summary: 'Readiness probe: deep checks',
    description:
      '200 `ready` when all checks pass, 200 `degraded` when only non-critical checks fail, 503 `not-ready` when a critical check fails.',
  })
  @ApiOkResponse({ description: 'ready or degraded' })
  @ApiServiceUnavailableResponse({ description: 'not-ready: a critical check failed' })
  async readinessProbe(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadinessReport> {
    const report = await this.readiness.evaluate();
    void reply.status(report.status === 'not-ready' ? 503 : 200);
    return report;
  }
}
