import { Global, Module } from '@nestjs/common';
import { GuardedHttpClient } from './guarded-http.js';
import { UrlPolicy } from './url-policy.js';

@Global()
@Module({
  providers: [{ provide: GuardedHttpClient, useFactory: () => new GuardedHttpClient({}) }, UrlPolicy],
  exports: [GuardedHttpClient, UrlPolicy],
})
export class NetModule {}
