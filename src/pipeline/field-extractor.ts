import type { OcrPage } from '../documents/document.types.js';
import { extractHeuristically } from '../extraction/heuristic-extractor.js';
import type { GenAiClient } from '../clients/genai/genai.client.js';
import { useCaseJsonSchema } from '../use-cases/use-case.schema.js';
import type { UseCaseDefinition } from '../use-cases/use-case.types.js';
import { buildPrompt } from './prompt.js';

export interface ExtractionInput {
  useCase: UseCaseDefinition;
  /** The pages as read, with word boxes. */
  pages: readonly OcrPage[];
  /** The page texts as they may leave the machine (redacted for remote providers). */
  texts: readonly string[];
  /** Aborts the LLM call (job deadline, shutdown). */
  signal?: AbortSignal;
}

export interface ExtractionOutput {
  fields: Record<string, unknown>;
  confidences?: Record<string, number>;
  model: string;
}

/**
 * Turns read pages into raw field values: an LLM, or the built-in heuristic. The DI token of the GenAI step;
 * a factory picks the implementation from IX_GENAI_PROVIDER.
 */
export abstract class FieldExtractor {
  abstract readonly provider: string;
  /** Whether text leaves the machine: the Redact step is on by default when it does. */
  abstract readonly remote: boolean;
  abstract extract(input: ExtractionInput): Promise<ExtractionOutput>;
  abstract selfcheck(): Promise<{ ok: boolean; detail?: string }>;
}

/** An LLM (Ollama, OpenAI-compatible, fake) asked for JSON constrained by the use case's schema. */
export class LlmFieldExtractor extends FieldExtractor {
  constructor(private readonly client: GenAiClient) {
    super();
  }

  get provider(): string {
    return this.client.provider;
  }

  get remote(): boolean {
    return this.client.remote;
  }

  async extract(input: ExtractionInput): Promise<ExtractionOutput> {
    const { system, prompt } = buildPrompt(input.useCase, input.texts);
    const answer = await this.client.extract({
      system,
      prompt,
      schema: useCaseJsonSchema(input.useCase),
      signal: input.signal,
    });
    return { fields: answer.data, model: answer.model };
  }

  selfcheck(): Promise<{ ok: boolean; detail?: string }> {
    return this.client.selfcheck();
  }
}

/** The offline default: aliases, formats and layout proximity on the words; nothing leaves the process. */
export class HeuristicFieldExtractor extends FieldExtractor {
  readonly provider = 'heuristic';
  readonly remote = false;

  extract(input: ExtractionInput): Promise<ExtractionOutput> {
    const found = extractHeuristically(input.useCase, input.pages);
    const fields: Record<string, unknown> = {};
    const confidences: Record<string, number> = {};
    for (const [name, f] of Object.entries(found)) {
      fields[name] = f.value;
      confidences[name] = f.confidence;
    }
    return Promise.resolve({ fields, confidences, model: 'heuristic' });
  }

  selfcheck(): Promise<{ ok: boolean; detail?: string }> {
    return Promise.resolve({ ok: true, detail: 'built in' });
  }
}
