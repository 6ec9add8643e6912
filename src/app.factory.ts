import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { REQUEST_ID_HEADER, requestIdFor } from './logging/logging.module.js';
import { PinoNestLogger } from './logging/pino-nest-logger.js';

export function setupOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ix')
      .setDescription('Document intake and extraction: submit PDFs and images, get validated, grounded fields back.')
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}

/**
 * Builds the application exactly as production runs it (pipes, filters, logger, OpenAPI); tests use this too
 * and only swap external clients through config. `config.database.url` must be resolved already.
 */
export async function createApp(config: AppConfig, rootLogger: Logger): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: true,
    return503OnClosing: true,
    genReqId: requestIdFor,
    // JSON submits carry the document base64-encoded (4/3 of its size) plus the other fields.
    bodyLimit: Math.ceil((config.api.maxUploadBytes * 4) / 3) + 64 * 1024,
  });
  // Echo the request id on every answer, 404s and errors included (Nest middleware only sees matched routes).
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, rootLogger), adapter, {
    logger: new PinoNestLogger(rootLogger),
    abortOnError: false,
  });
  app.useLogger(app.get(NestPinoLogger));
  // Multipart is streamed; the file limit stops reading at IX_MAX_UPLOAD_BYTES and answers 413.
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.api.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
  });
  setupOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
