import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createHttpAdapter, documentBodyLimit } from './app.factory.js';
import { TakesDocuments } from './common/document-route.js';

const CONFIG = {
  http: { port: 0, host: '127.0.0.1', trustProxy: false, maxBodyBytes: 16 * 1024 },
  api: { maxUploadBytes: 64 * 1024, useCases: [] },
};

/** Routes shaped like ix's: one takes documents (multipart or base64 JSON), the others take small JSON bodies. */
@Controller('documents')
class ProbeController {
  @Post()
  @TakesDocuments()
  submit(@Body() body: { content_base64: string }): { size: number } {
    return { size: body.content_base64.length };
  }

  @Post(':id/pages')
  @TakesDocuments()
  addPage(@Param('id') _id: string, @Body() body: { content_base64: string }): { size: number } {
    return { size: body.content_base64.length };
  }

  @Post('notes')
  note(@Body() body: { text: string }): { size: number } {
    return { size: body.text.length };
  }

  @Post(':id/notes')
  noteOn(@Param('id') _id: string, @Body() body: { text: string }): { size: number } {
    return { size: body.text.length };
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

describe(createHttpAdapter.name, () => {
  let sut: NestFastifyApplication;
  const post = (path: string, body: object) => request(sut.getHttpServer()).post(path).send(body);

  beforeAll(async () => {
    sut = await NestFactory.create<NestFastifyApplication>(ProbeModule, createHttpAdapter(CONFIG), { logger: false });
    // A prefix the routes know nothing about: the limits must follow the routes, not their paths.
    sut.setGlobalPrefix('api/v2');
    await sut.init();
    await sut.getHttpAdapter().getInstance().ready();
  });
  afterAll(async () => {
    await sut?.close();
  });

  it('keeps the small body limit on routes that take no documents', async () => {
    const text = 'x'.repeat(20 * 1024);
    expect((await post('/api/v2/documents/notes', { text })).status).toBe(413);
    expect((await post('/api/v2/documents/d1/notes', { text })).status).toBe(413);
    expect((await post('/api/v2/documents/notes', { text: 'short' })).status).toBe(201);
  });

  it('gives a route that takes documents the upload limit, whatever its path', async () => {
    const document = Buffer.alloc(CONFIG.api.maxUploadBytes, 7).toString('base64');
    const tooLarge = 'A'.repeat(documentBodyLimit(CONFIG));
    // With path parameters too, whose handlers Nest's adapter wraps.
    for (const path of ['/api/v2/documents', '/api/v2/documents/d1/pages']) {
      const res = await post(path, { content_base64: document });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({ size: document.length });
      expect((await post(path, { content_base64: tooLarge })).status).toBe(413);
    }
  });
});
