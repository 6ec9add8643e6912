import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiConsumes } from '@nestjs/swagger';

/** The Fastify route-config flag that TakesDocuments sets and the HTTP adapter reads. */
const TAKES_DOCUMENTS = 'ixTakesDocuments';

/**
 * A route that takes a document: as multipart/form-data, or base64-encoded in a JSON body. The HTTP adapter gives its
 * JSON body the upload limit instead of the small default (app.factory.ts), and OpenAPI lists both content types.
 * The flag travels in the route's own Fastify config, so a global prefix, a renamed path or path parameters cannot
 * separate the limit from the route.
 */
export function TakesDocuments(): MethodDecorator {
  return applyDecorators(
    RouteConfig({ [TAKES_DOCUMENTS]: true }),
    ApiConsumes('application/json', 'multipart/form-data'),
  );
}

/** Whether a Fastify route's config carries the TakesDocuments flag. */
export function takesDocuments(routeConfig: unknown): boolean {
  return (
    typeof routeConfig === 'object' &&
    routeConfig !== null &&
    (routeConfig as Record<string, unknown>)[TAKES_DOCUMENTS] === true
  );
}
