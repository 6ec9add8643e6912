import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { type AllowList, parseAllowList } from './address-policy.js';
import { GuardedHttpClient } from './guarded-http.js';

/** IX_URL_ALLOWLIST parsed once (a bad entry stops boot) and the one guarded HTTP client that applies it. */
@Injectable()
export class UrlPolicy {
  readonly allow: AllowList;

  constructor(
    config: AppConfig,
    readonly http: GuardedHttpClient,
  ) {
    try {
      this.allow = parseAllowList(config.pipeline.urlAllowlist);
    } catch (err) {
      throw new Error(`Invalid configuration: IX_URL_ALLOWLIST ${(err as Error).message}`, { cause: err });
    }
  }

  /** Resolves and checks a URL without connecting: private, loopback, link-local and metadata targets are refused. */
  async check(url: string): Promise<URL> {
    return this.http.checkUrl(url, { allow: this.allow });
  }
}
