import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import request from 'supertest';
import { memoryLogger } from '../../test/support/memory-logger.js';
import { LoggingModule, requestIdFor } from './logging.module.js';

const DOCUMENT = Buffer.from('%PDF-1.7 secret invoice').toString('base64');

function queryFailed(): Error {
  return Object.assign(new Error('value too long for type character varying(64)'), {
    query: 'INSERT INTO jobs (request_id, document) VALUES ($1, $2)',
    parameters: ['r-1', DOCUMENT],
  });
}

@Controller('probe')
class ProbeController {
  private readonly logger = new Logger(ProbeController.name);

  @Get()
  probe(): { ok: boolean } {
    this.logger.error({ err: queryFailed() }, 'in a request');
    return { ok: true };
  }
}

// nestjs-pino keeps one request logger per process (the first app's): this file builds exactly one app.
describe(LoggingModule.name, () => {
  const logs = memoryLogger();
  let sut: NestFastifyApplication;

  beforeAll(async () => {
    const adapterOptions: FastifyServerOptions = { genReqId: requestIdFor }; // as createApp's: one id per request
    @Module({ imports: [LoggingModule.forRoot(logs.logger)], controllers: [ProbeController] })
    class ProbeModule {}
    sut = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(adapterOptions), {
      logger: false,
      abortOnError: false,
    });
    sut.useLogger(sut.get(NestPinoLogger));
    await sut.init();
    await sut.getHttpAdapter().getInstance().ready();
    // One request, read by both tests (each can run alone).
    await request(sut.getHttpServer()).get('/probe?x=1').set('x-request-id', 'probe-0001').expect(200);
  });
  afterAll(async () => {
    await sut?.close();
  });

  it("scrubs errors logged through Nest's Logger, inside a request and outside one", () => {
    new Logger('Outside').error({ err: queryFailed() }, 'outside a request');

    const lines = logs
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; req?: { id: string }; err?: Record<string, unknown> });
    const errors = lines.filter((l) => l.msg === 'in a request' || l.msg === 'outside a request');
    // The request's own logger (bound to its id) and the one outside requests: both pino-http's, not the root.
    expect(errors.map((l) => [l.msg, l.req?.id])).toEqual([
      ['in a request', 'probe-0001'],
      ['outside a request', undefined],
    ]);
    for (const line of errors) {
      expect(line.err).toMatchObject({
        type: 'Error',
        message: 'value too long for type character varying(64)',
        query: 'INSERT INTO jobs (request_id, document) VALUES ($1, $2)',
        parameters: '[redacted]',
      });
    }
    expect(logs.text()).not.toContain(DOCUMENT);
  });

  it('logs one line per request with its id, method, URL and status, and no headers', () => {
    const completed = logs
      .text()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'request completed');
    expect(completed).toEqual([
      expect.objectContaining({
        req: { id: 'probe-0001', method: 'GET', url: '/probe?x=1' },
        res: { statusCode: 200 },
      }),
    ]);
  });
});
