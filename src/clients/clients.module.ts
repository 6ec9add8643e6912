import { Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { AppConfig, type GenAiProvider } from '../config/app-config.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { FieldExtractor, HeuristicFieldExtractor, LlmFieldExtractor } from '../pipeline/field-extractor.js';
import { FakeGenAiClient } from './genai/fake-genai.client.js';
import type { GenAiClient } from './genai/genai.client.js';
import { LimitedGenAiClient } from './genai/limited-genai.client.js';
import { OllamaGenAiClient } from './genai/ollama-genai.client.js';
import { OpenAiGenAiClient } from './genai/openai-genai.client.js';
import { Semaphore } from './genai/semaphore.js';
import { createOcrClient } from './ocr/ocr-client.factory.js';
import { OcrClient } from './ocr/ocr.client.js';

/** The one place that maps IX_GENAI_PROVIDER to an implementation. */
export function createFieldExtractor(config: AppConfig): FieldExtractor {
  const p = config.pipeline;
  const llm = (client: GenAiClient) =>
    new LlmFieldExtractor(new LimitedGenAiClient(client, new Semaphore(p.genaiMaxConcurrency)));
  const provider: GenAiProvider = p.genaiProvider;
  switch (provider) {
    case 'heuristic':
      return new HeuristicFieldExtractor();
    case 'fake':
      return llm(new FakeGenAiClient());
    case 'ollama':
      return llm(new OllamaGenAiClient({ baseUrl: p.genaiBaseUrl, model: p.genaiModel, timeoutMs: p.genaiTimeoutMs }));
    case 'openai':
      return llm(
        new OpenAiGenAiClient({
          baseUrl: p.genaiBaseUrl,
          apiKey: p.genaiApiKey,
          model: p.genaiModel,
          timeoutMs: p.genaiTimeoutMs,
        }),
      );
  }
}

/** Selfchecks are cached: readiness is probed every few seconds and must not hammer the LLM server. */
const SELFCHECK_TTL_MS = 30_000;

@Injectable()
class ClientsHealth implements OnModuleInit {
  private readonly cache = new Map<string, { at: number; result: { ok: boolean; detail?: string } }>();

  constructor(
    private readonly ocr: OcrClient,
    private readonly extractor: FieldExtractor,
    private readonly health: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'ocr',
      critical: false,
      check: () => this.check('ocr', () => this.ocr.selfcheck()),
    });
    this.registry.register({
      name: 'genai',
      critical: false,
      check: () => this.check('genai', () => this.extractor.selfcheck(), { provider: this.extractor.provider }),
    });
  }

  private async check(name: string, selfcheck: () => Promise<{ ok: boolean; detail?: string }>, extra = {}) {
    const indicator = this.health.check(name);
    let cached = this.cache.get(name);
    if (!cached || Date.now() - cached.at > SELFCHECK_TTL_MS) {
      cached = {
        at: Date.now(),
        result: await selfcheck().catch((err: Error) => ({ ok: false, detail: err.message })),
      };
      this.cache.set(name, cached);
    }
    const details = { ...extra, detail: cached.result.detail ?? null, checked_at: new Date(cached.at).toISOString() };
    return cached.result.ok ? indicator.up(details) : indicator.down(details);
  }
}

@Injectable()
class OcrLifecycle implements OnApplicationShutdown {
  constructor(@Inject(OcrClient) private readonly ocr: OcrClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ocr.close();
  }
}

/** External engines behind abstract tokens: OCR (tesseract.js or fake) and field extraction (LLM or heuristic). */
@Module({
  imports: [TerminusModule],
  providers: [
    {
      provide: OcrClient,
      inject: [AppConfig],
      useFactory: (config: AppConfig) =>
        createOcrClient({
          provider: config.testMode ? 'fake' : 'tesseract',
          languages: [...config.pipeline.ocrLanguages],
          workers: config.pipeline.ocrWorkers,
          pageTimeoutMs: config.pipeline.ocrPageTimeoutMs,
        }),
    },
    { provide: FieldExtractor, inject: [AppConfig], useFactory: createFieldExtractor },
    ClientsHealth,
    OcrLifecycle,
  ],
  exports: [OcrClient, FieldExtractor],
})
export class ClientsModule {}
