import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { serializeError } from './root-logger.js';

const REQUEST_ID_HEADER = 'x-request-id';
const REQUEST_ID_PATTERN = /^[\w.:-]{1,128}$/;

const requestIds = new WeakMap<IncomingMessage, string>();

/**
 * The request id: the caller's `X-Request-Id` when it looks sane (so traces join up), else a new UUID.
 * Memoised per request so Fastify (`request.id`, echoed as a header) and pino-http agree on it.
 */
export function requestIdFor(req: IncomingMessage): string {
  let id = requestIds.get(req);
  if (id === undefined) {
    const incoming = req.headers[REQUEST_ID_HEADER];
    id = typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : randomUUID();
    requestIds.set(req, id);
  }
  return id;
}

export { REQUEST_ID_HEADER };

/** nestjs-pino on top of the root logger: one JSON line per request with its request id, bound to every log call. */
@Module({})
export class LoggingModule {
  static forRoot(root: Logger): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          // Explicit: nestjs-pino's default route ('{/*splat}') never matches under Nest 12's Fastify adapter, so no
          // request was logged and no log call was bound to its request id.
          forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
          pinoHttp: {
            logger: root,
            genReqId: requestIdFor,
            customAttributeKeys: { reqId: 'request_id' },
            // Probes are hit every few seconds by Kubernetes; logging each would drown the rest.
            autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readiness' },
            // By default pino-http wraps these in its own and puts pino's standard error serializer in place of
            // serializeError (which scrubs query parameters and HTTP exchanges) for everything Nest's Logger writes,
            // in a request or not; it would also copy every header of each request for `req` to keep three fields.
            wrapSerializers: false,
            serializers: {
              err: serializeError,
              req: (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
                id: req.id,
                method: req.method,
                url: req.originalUrl ?? req.url,
              }),
              res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}
