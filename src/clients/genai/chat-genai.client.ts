import { GenAiClient, type GenAiRequest, type GenAiResponse } from './genai.client.js';
import { GenAiError, GenAiErrorCode, toGenAiError } from './genai.errors.js';
import { parseJsonAnswer } from './json-answer.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One round trip to a chat model, in provider-neutral terms. */
export interface ChatCall {
  model: string;
  messages: ChatMessage[];
  schema: object;
  signal?: AbortSignal;
}

export interface ChatAnswer {
  content: string;
  model: string;
}

/**
 * What every chat-model provider shares, written once: ask for JSON constrained by the schema, parse the
 * answer, and when it is not a JSON object ask once more with the bad answer quoted back, then give up
 * with `GENAI_BAD_OUTPUT`. Subclasses only speak their wire format (`complete`) and map their errors.
 */
export abstract class ChatGenAiClient extends GenAiClient {
  protected abstract readonly defaultModel: string;

  /** One call to the model. May throw anything; `toError` turns it into a `GenAiError`. */
  protected abstract complete(call: ChatCall): Promise<ChatAnswer>;

  async extract(req: GenAiRequest): Promise<GenAiResponse> {
    const model = req.model ?? this.defaultModel;
    const messages: ChatMessage[] = [
      { role: 'system', content: req.system },
      { role: 'user', content: req.prompt },
    ];
    const first = await this.call({ model, messages, schema: req.schema, signal: req.signal });
    const parsed = parseJsonAnswer(first.content);
    if (parsed.ok) {
      return { data: parsed.data, model: first.model, repaired: false, raw: first.content };
    }
    const repairMessages: ChatMessage[] = [
      ...messages,
      { role: 'assistant', content: first.content },
      { role: 'user', content: repairPrompt(parsed.error, req.schema) },
    ];
    const second = await this.call({ model, messages: repairMessages, schema: req.schema, signal: req.signal });
    const reparsed = parseJsonAnswer(second.content);
    if (reparsed.ok) {
      return { data: reparsed.data, model: second.model, repaired: true, raw: second.content };
    }
    // The answers themselves stay out of the error: they may quote the document.
    throw new GenAiError(
      GenAiErrorCode.BadOutput,
      `${this.provider} returned no JSON object after one repair retry: ${reparsed.error}`,
      { provider: this.provider },
    );
  }

  /** Provider-specific error shapes (HTTP status in a library error, …) are mapped here; override to add. */
  protected toError(err: unknown): GenAiError {
    return toGenAiError(this.provider, err);
  }

  private async call(call: ChatCall): Promise<ChatAnswer> {
    call.signal?.throwIfAborted();
    try {
      return await this.complete(call);
    } catch (err) {
      // Stopped by the caller, not failed by the server: the caller's reason, not a retryable GENAI_UNAVAILABLE.
      call.signal?.throwIfAborted();
      throw this.toError(err);
    }
  }
}

export function repairPrompt(error: string, schema: object): string {
  return [
    `Your previous answer could not be used: ${error}.`,
    'Answer again with only one JSON object that matches this JSON Schema — no prose, no code fences:',
    JSON.stringify(schema),
  ].join('\n');
}
