import fastifyHelmet from '@fastify/helmet';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import fastifyMultipart from '@fastify/multipart';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AppModule } from './app.module.js';
import { takesDocuments } from './common/document-route.js';
import { codeForStatus, toErrorResponse } from './common/errors/http-error.filter.js';
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
 * Content-Security-Policy for everything ix serves. The API answers JSON and documents, which need nothing; Swagger
 * UI at /docs loads its scripts and stylesheet from /docs itself and has an inline <style> (hence `'unsafe-inline'`
 * for styles only: no inline script runs anywhere). Nothing may frame ix, and nothing is fetched from elsewhere.
 */
export const CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    baseUri: ["'self'"],
    connectSrc: ["'self'"],
    fontSrc: ["'self'", 'data:'],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    imgSrc: ["'self'", 'data:'],
    objectSrc: ["'none'"],
    scriptSrc: ["'self'"],
    scriptSrcAttr: ["'none'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
  },
};

/** A hop count as the function Fastify's types ask for (it trusts the `hops` proxies closest to ix). */
function trustProxyOption(
  value: boolean | number | string,
): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof value === 'number' ? (_address, hop) => hop < value : value;
}

/** Answers a request that never became one (Node's parser refused it) on the raw socket, then closes it. */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify({
    error: { code: codeForStatus(status), message: STATUS_CODES[status] ?? 'Bad Request' },
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** A document route's JSON body carries the document base64-encoded (4/3 of its size) plus the other fields. */
export function documentBodyLimit(config: Pick<AppConfig, 'api'>): number {
  return Math.ceil((config.api.maxUploadBytes * 4) / 3) + 64 * 1024;
}

/**
 * The Fastify adapter with ix's HTTP policy: trusted proxies, request ids, error shapes for requests that never reach
 * Nest, and body limits (small everywhere, `documentBodyLimit` on routes that take documents).
 */
export function createHttpAdapter(config: Pick<AppConfig, 'http' | 'api'>): FastifyAdapter {
  const adapter = new FastifyAdapter({
    // Who may set X-Forwarded-For decides the client IP (logs, open-mode rate limits): not every caller.
    trustProxy: trustProxyOption(config.http.trustProxy),
    return503OnClosing: true,
    genReqId: requestIdFor,
    // Every JSON body is small but a document route's (@TakesDocuments; see the onRoute hook below).
    bodyLimit: config.http.maxBodyBytes,
    // Unroutable URLs (broken percent-encoding, over-long parameters) fail before any hook or filter runs.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      const { status, body } = toErrorResponse(error);
      void reply.status(status).header(REQUEST_ID_HEADER, request.id).send(body);
    },
    // Requests Node's HTTP parser refuses (headers or URL over 16 KiB, malformed request lines) get the error shape too.
    clientErrorHandler: answerClientError,
  });
  const fastify = adapter.getInstance();
  // Echo the request id on every answer, 404s and errors included (Nest middleware only sees matched routes).
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
  // Nest declares its routes at init, after this hook. Multipart uploads have their own limit (see createApp).
  const documentLimit = documentBodyLimit(config);
  fastify.addHook('onRoute', (route) => {
    if (takesDocuments(route.config)) {
      route.bodyLimit = documentLimit;
    }
  });
  return adapter;
}

/**
 * Builds the application exactly as production runs it (pipes, filters, guards, security headers, logger, OpenAPI);
 * tests use this too and only swap external clients through config. `config.database.url` must be resolved already.
 */
export async function createApp(config: AppConfig, rootLogger: Logger): Promise<NestFastifyApplication> {
  const adapter = createHttpAdapter(config);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, rootLogger), adapter, {
    logger: new PinoNestLogger(rootLogger),
    abortOnError: false,
  });
  app.useLogger(app.get(NestPinoLogger));
  // Security headers on every answer (CSP, nosniff, frame denial, HSTS behind TLS, no referrer leaks).
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: CONTENT_SECURITY_POLICY,
    hsts: { maxAge: 31_536_000, includeSubDomains: false },
  });
  if (config.security.corsOrigins.length > 0) {
    const any = config.security.corsOrigins.includes('*');
    app.enableCors({
      origin: any ? '*' : [...config.security.corsOrigins],
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', REQUEST_ID_HEADER],
      exposedHeaders: [
        REQUEST_ID_HEADER,
        'retry-after',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      credentials: false,
      maxAge: 600,
    });
  }
  // Multipart is streamed; the file limit stops reading at IX_MAX_UPLOAD_BYTES and answers 413.
  await app.register(fastifyMultipart, {
    limits: { fileSize: config.api.maxUploadBytes, files: 1, fields: 20, fieldSize: 64 * 1024, parts: 25 },
  });
  setupOpenApi(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
