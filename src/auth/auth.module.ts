import { Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig, runsApi } from '../config/app-config.js';
import { AdminKeyGuard } from './admin-key.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyRegistry } from './api-key.registry.js';
import { RateLimitGuard } from './rate-limit.guard.js';

/** Warned once per process, however many apps a process builds (tests build many). */
const warned = { open: false, admin: false };

/**
 * API keys -> client identity, the admin key, the guards (rate limit per client, API key). Global: `AdminKeyGuard` is used by controllers all over
 * the app and resolves `ApiKeyRegistry` from their modules.
 */
@Global()
@Module({
  providers: [
    {
      provide: ApiKeyRegistry,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new ApiKeyRegistry(config.auth.apiKeys, config.auth.adminKey),
    },
    // Global guards run in this order: the rate limit first, so requests with a wrong key are counted too.
    { provide: APP_GUARD, useClass: RateLimitGuard },
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    AdminKeyGuard,
  ],
  exports: [ApiKeyRegistry, AdminKeyGuard],
})
export class AuthModule implements OnApplicationBootstrap {
  private readonly logger = new Logger('Auth');

  constructor(
    private readonly config: AppConfig,
    private readonly keys: ApiKeyRegistry,
  ) {}

  onApplicationBootstrap(): void {
    if (!runsApi(this.config)) {
      return;
    }
    if (!this.keys.clientKeysConfigured && !warned.open) {
      warned.open = true;
      this.logger.warn(
        '!!! ix IS RUNNING OPEN: no API keys (IX_API_KEYS / IX_API_KEYS_FILE). Anyone who reaches this port can ' +
          "submit, read, cancel and download every client's jobs. Configure API keys before exposing it. !!!",
      );
    }
    if (!this.keys.adminKeyConfigured && !warned.admin) {
      warned.admin = true;
      this.logger.warn(
        this.keys.clientKeysConfigured
          ? 'IX_ADMIN_KEY is not set: /admin endpoints are closed (API keys are configured)'
          : 'IX_ADMIN_KEY is not set: /admin and /metrics endpoints are open',
      );
    }
    this.logger.log(
      {
        api_keys_set: this.keys.clientKeysConfigured,
        admin_key_set: this.keys.adminKeyConfigured,
        rate_limit_per_min: this.config.security.rateLimitPerMin,
      },
      'auth configured',
    );
  }
}
