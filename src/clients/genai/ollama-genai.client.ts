import { ChatGenAiClient, type ChatAnswer, type ChatCall } from './chat-genai.client.js';
import { createDeadlineFetch, type Fetch } from './deadline-fetch.js';
import type { GenAiSelfcheck } from './genai.client.js';
import { GenAiError, GenAiErrorCode, genAiErrorForStatus, toGenAiError } from './genai.errors.js';

export interface OllamaGenAiClientOptions {
  /** Server root, without `/api`. Default `http://127.0.0.1:11434`. */
  baseUrl?: string;
  model: string;
  timeoutMs: number;
  /** Deadline of `selfcheck()`; readiness checks have 3 s in all. Default min(timeoutMs, 2000). */
  selfcheckTimeoutMs?: number;
  /** Ollama is self-hosted, so text is taken not to leave the operator's hands unless this says so. */
  remote?: boolean;
}

interface OllamaChatResponse {
  model?: unknown;
  message?: { content?: unknown };
}

interface OllamaTagsResponse {
  models?: { name?: unknown; model?: unknown }[];
}

/**
 * Ollama's native API: `POST /api/chat` with `format` set to the JSON Schema (constrained decoding),
 * `stream: false`, temperature 0. Plain HTTP rather than the `ollama` package: the API is two endpoints,
 * the package cannot abort a non-streamed call, and it writes to the console on error responses.
 */
export class OllamaGenAiClient extends ChatGenAiClient {
  readonly provider = 'ollama';
  readonly remote: boolean;
  protected readonly defaultModel: string;
  private readonly baseUrl: string;
  private readonly fetch: Fetch;
  private readonly selfcheckFetch: Fetch;

  constructor(options: OllamaGenAiClientOptions) {
    super();
    this.baseUrl = (options.baseUrl ?? 'http://127.0.0.1:11434').replace(/\/+$/, '');
    this.defaultModel = options.model;
    this.remote = options.remote ?? false;
    this.fetch = createDeadlineFetch(options.timeoutMs);
    this.selfcheckFetch = createDeadlineFetch(options.selfcheckTimeoutMs ?? Math.min(options.timeoutMs, 2000));
  }

  protected async complete(call: ChatCall): Promise<ChatAnswer> {
    const response = await this.fetch(`${this.baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        model: call.model,
        messages: call.messages,
        format: call.schema,
        stream: false,
        options: { temperature: 0 },
      }),
      signal: call.signal,
    });
    const text = await response.text();
    if (!response.ok) {
      throw genAiErrorForStatus(this.provider, response.status, errorMessage(text));
    }
    const body = parseObject<OllamaChatResponse>(text);
    const content = body?.message?.content;
    if (typeof content !== 'string') {
      throw new GenAiError(GenAiErrorCode.BadResponse, 'ollama answered without message.content', {
        provider: this.provider,
      });
    }
    return { content, model: typeof body?.model === 'string' ? body.model : call.model };
  }

  async selfcheck(): Promise<GenAiSelfcheck> {
    try {
      const response = await this.selfcheckFetch(`${this.baseUrl}/api/tags`, {
        headers: { accept: 'application/json' },
      });
      const text = await response.text();
      if (!response.ok) {
        return { ok: false, detail: `GET /api/tags answered HTTP ${response.status}` };
      }
      const models = parseObject<OllamaTagsResponse>(text)?.models;
      if (!Array.isArray(models)) {
        return { ok: false, detail: 'GET /api/tags did not list models' };
      }
      const names = models.flatMap((m) => [m.name, m.model]).filter((n): n is string => typeof n === 'string');
      if (names.some((name) => sameOllamaModel(name, this.defaultModel))) {
        return { ok: true };
      }
      return {
        ok: false,
        detail: `model ${this.defaultModel} is not pulled (have: ${[...new Set(names)].join(', ')})`,
      };
    } catch (err) {
      return { ok: false, detail: toGenAiError(this.provider, err).message };
    }
  }
}

/** `llama3.2` means `llama3.2:latest`: Ollama adds the default tag, so the check must too. */
export function sameOllamaModel(a: string, b: string): boolean {
  const withTag = (name: string) => (name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`);
  return withTag(a) === withTag(b);
}

function parseObject<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** `{"error": "…"}` (Ollama) or `{"error": {"message": "…"}}` (OpenAI-style proxies), else the text. */
function errorMessage(text: string): string {
  const body = parseObject<{ error?: unknown }>(text);
  const error = body?.error;
  if (typeof error === 'string') {
    return error;
  }
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return text || 'no body';
}
