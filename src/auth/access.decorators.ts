import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';

export const ACCESS_METADATA = 'ix:access';

/**
 * Who may call a route (read by `ApiKeyGuard`):
 * - `client` (the default): any API key when keys are configured; anyone in open mode.
 * - `public`: anyone, always (probes).
 * - `operator`: the admin key when `IX_ADMIN_KEY` is set, otherwise like `client` (metrics).
 * Routes guarded by `AdminKeyGuard` (`/admin/*`, `PUT /use-cases/:name`) are left to that guard.
 */
export type Access = 'client' | 'public' | 'operator';

/** Never behind auth: the Kubernetes probes. (Swagger's `/docs` and `/openapi.*` are Fastify routes, not Nest's.) */
export const Public = () => SetMetadata(ACCESS_METADATA, 'public' satisfies Access);

/** The admin key when IX_ADMIN_KEY is set (a client key is refused with 403), otherwise any API key. */
export const Operator = () =>
  applyDecorators(SetMetadata(ACCESS_METADATA, 'operator' satisfies Access), ApiBearerAuth());
