import { GenAiClient, type GenAiRequest, type GenAiResponse, type GenAiSelfcheck } from './genai.client.js';
import { Semaphore } from './semaphore.js';

/**
 * Wraps a client so that at most `semaphore.limit` extractions run at once in this process
 * (`IX_GENAI_MAX_CONCURRENCY`). A repair retry runs inside its extraction's permit. `selfcheck` is not
 * queued: readiness must not wait behind a minute of inference.
 */
export class LimitedGenAiClient extends GenAiClient {
  constructor(
    private readonly inner: GenAiClient,
    readonly semaphore: Semaphore,
  ) {
    super();
  }

  get provider(): string {
    return this.inner.provider;
  }

  get remote(): boolean {
    return this.inner.remote;
  }

  extract(req: GenAiRequest): Promise<GenAiResponse> {
    return this.semaphore.run(() => this.inner.extract(req));
  }

  selfcheck(): Promise<GenAiSelfcheck> {
    return this.inner.selfcheck();
  }
}
