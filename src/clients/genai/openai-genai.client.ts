import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { isForbiddenAddress, normalizeHostLiteral } from '../../net/address-policy.js';
import { ChatGenAiClient, type ChatAnswer, type ChatCall } from './chat-genai.client.js';
import { createDeadlineFetch } from './deadline-fetch.js';
import type { GenAiSelfcheck } from './genai.client.js';
import { GenAiError, GenAiErrorCode, genAiErrorForStatus, toGenAiError } from './genai.errors.js';

export interface OpenAiGenAiClientOptions {
  /** API root including the version, as the OpenAI SDK expects: `http://gpu:8000/v1`. Default OpenAI's. */
  baseUrl?: string;
  /** Sent as a bearer token. Local servers rarely want one, but the SDK insists: a placeholder then. */
  apiKey?: string;
  model: string;
  timeoutMs: number;
  /** Deadline of `selfcheck()`. Default min(timeoutMs, 2000). */
  selfcheckTimeoutMs?: number;
  /** Default: false when the base URL's host is loopback, private or `localhost`, else true. */
  remote?: boolean;
}

const OPENAI_BASE_URL = 'https://api.openai.com/v1';
/** The SDK refuses to start without a key; servers that need none ignore the header. */
const NO_API_KEY = 'ix-no-api-key';

/**
 * Any OpenAI-compatible server (OpenAI, vLLM, llama.cpp, LM Studio, LiteLLM, Ollama's /v1):
 * `POST /chat/completions` with `response_format: json_schema` (strict). Through the `openai` package
 * with its retries off (the job queue retries, with backoff, across replicas) and our deadline fetch,
 * whose deadline also covers the body, which the SDK's own timeout does not.
 */
export class OpenAiGenAiClient extends ChatGenAiClient {
  readonly provider = 'openai';
  readonly remote: boolean;
  protected readonly defaultModel: string;
  private readonly client: OpenAI;
  private readonly selfcheckClient: OpenAI;

  constructor(options: OpenAiGenAiClientOptions) {
    super();
    const baseURL = (options.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, '');
    this.defaultModel = options.model;
    this.remote = options.remote ?? !isLocalUrl(baseURL);
    const selfcheckTimeoutMs = options.selfcheckTimeoutMs ?? Math.min(options.timeoutMs, 2000);
    this.client = createSdk(baseURL, options.apiKey, options.timeoutMs);
    this.selfcheckClient = createSdk(baseURL, options.apiKey, selfcheckTimeoutMs);
  }

  protected async complete(call: ChatCall): Promise<ChatAnswer> {
    const completion = await this.client.chat.completions.create(
      {
        model: call.model,
        messages: call.messages,
        temperature: 0,
        response_format: {
          type: 'json_schema',
          json_schema: { name: schemaName(call.schema), schema: call.schema as Record<string, unknown>, strict: true },
        },
      },
      { signal: call.signal },
    );
    const message = Array.isArray(completion?.choices) ? completion.choices[0]?.message : undefined;
    if (!message) {
      throw new GenAiError(GenAiErrorCode.BadResponse, 'openai answered without choices[0].message', {
        provider: this.provider,
      });
    }
    // A refusal or a cut-off answer has no usable content: the repair retry gets its chance, then BAD_OUTPUT.
    return {
      content: message.content ?? '',
      model: typeof completion.model === 'string' ? completion.model : call.model,
    };
  }

  protected override toError(err: unknown): GenAiError {
    if (err instanceof APIConnectionTimeoutError) {
      return new GenAiError(GenAiErrorCode.Timeout, 'openai did not answer in time', { provider: this.provider });
    }
    if (err instanceof APIConnectionError) {
      return toGenAiError(this.provider, err.cause ?? err);
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      return genAiErrorForStatus(this.provider, err.status, err.message);
    }
    if (err instanceof SyntaxError) {
      return new GenAiError(GenAiErrorCode.BadResponse, `openai answered with invalid JSON: ${err.message}`, {
        provider: this.provider,
      });
    }
    return super.toError(err);
  }

  async selfcheck(): Promise<GenAiSelfcheck> {
    try {
      const page = await this.selfcheckClient.models.list();
      const ids = page.data.map((m) => m.id);
      if (ids.includes(this.defaultModel)) {
        return { ok: true };
      }
      return { ok: false, detail: `model ${this.defaultModel} is not listed (have: ${ids.join(', ')})` };
    } catch (err) {
      return { ok: false, detail: this.toError(err).message };
    }
  }
}

function createSdk(baseURL: string, apiKey: string | undefined, timeoutMs: number): OpenAI {
  return new OpenAI({
    baseURL,
    apiKey: apiKey || NO_API_KEY,
    // Explicit nulls: otherwise the SDK reads OPENAI_* variables, and config is read in one place only.
    organization: null,
    project: null,
    webhookSecret: null,
    adminAPIKey: null,
    maxRetries: 0,
    timeout: timeoutMs,
    fetch: createDeadlineFetch(timeoutMs),
    logLevel: 'off',
  });
}

/** `json_schema.name` must match ^[a-zA-Z0-9_-]{1,64}$; the schema's title makes a readable one. */
export function schemaName(schema: object): string {
  const title = (schema as { title?: unknown }).title;
  const name = typeof title === 'string' ? title.replace(/[^a-zA-Z0-9_-]+/g, '_').slice(0, 64) : '';
  return name || 'extraction';
}

function isLocalUrl(url: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return false;
  }
  const literal = normalizeHostLiteral(hostname);
  if (literal.kind === 'name') {
    return literal.name === 'localhost' || literal.name.endsWith('.localhost');
  }
  return literal.kind === 'ip' && isForbiddenAddress(literal.address).forbidden;
}
