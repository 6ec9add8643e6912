/**
 * One level below the bare NestJS app: the same routes and no-DB work (./bare-job.ts) on plain Fastify, with the
 * body checked by Fastify's own JSON-schema validation. No logger.
 *
 * `PORT` (required), `HOST` (127.0.0.1). Started by bench/http.bench.ts as a child process.
 */
import Fastify from 'fastify';
import { findBareJob, submitBareJob, type BareSubmit } from './bare-job.js';

const submitSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['request_id', 'use_case', 'document'],
  properties: {
    request_id: { type: 'string', minLength: 1, maxLength: 200 },
    use_case: { type: 'string', minLength: 1, maxLength: 64 },
    client_id: { type: 'string', maxLength: 100 },
    document: {
      type: 'object',
      additionalProperties: false,
      required: ['content_base64'],
      properties: {
        content_base64: { type: 'string', pattern: '^[A-Za-z0-9+/]*={0,2}$' },
        filename: { type: 'string', maxLength: 255 },
        media_type: { type: 'string', maxLength: 100 },
      },
    },
  },
} as const;

async function main(): Promise<void> {
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  app.get('/healthz', () => ({ status: 'ok' }));
  app.post<{ Body: BareSubmit }>('/jobs', { schema: { body: submitSchema } }, async (request, reply) => {
    await reply.status(201).send(submitBareJob(request.body));
  });
  app.get<{ Params: { id: string } }>('/jobs/:id', async (request, reply) => {
    const job = findBareJob(request.params.id);
    if (!job) {
      await reply.status(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } });
      return;
    }
    await reply.send(job);
  });
  const close = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
  await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
}

void main();
