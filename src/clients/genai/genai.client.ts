export interface GenAiRequest {
  system: string;
  prompt: string;
  /** JSON Schema of the expected answer; providers that can constrain decoding to it do. */
  schema: object;
  /** Overrides the client's configured model for this call. */
  model?: string;
  /** Aborts the call (the job's deadline, shutdown); the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface GenAiResponse {
  data: Record<string, unknown>;
  /** The model that answered, as the server names it. */
  model: string;
  /** True when the first answer was not valid JSON and the repair retry produced this one. */
  repaired: boolean;
  /** The answer text `data` was parsed from. */
  raw: string;
}

export interface GenAiSelfcheck {
  ok: boolean;
  detail?: string;
}

/**
 * An LLM that extracts structured data, and the DI token for whichever one config selects
 * (Ollama, OpenAI-compatible, heuristic, fake). Failures are `GenAiError`s carrying `retryable`.
 */
export abstract class GenAiClient {
  /** `ollama`, `openai`, `heuristic`, `fake`: for logs, metrics and the readiness check. */
  abstract readonly provider: string;
  /** Whether the text leaves this machine (or network): the Redact step is on by default when it does. */
  abstract readonly remote: boolean;

  abstract extract(req: GenAiRequest): Promise<GenAiResponse>;

  /** Cheap reachability check for readiness; never throws. */
  abstract selfcheck(): Promise<GenAiSelfcheck>;
}
