import { ChatGenAiClient, type ChatAnswer, type ChatCall } from './chat-genai.client.js';
import type { GenAiRequest, GenAiResponse, GenAiSelfcheck } from './genai.client.js';

/**
 * One scripted model answer: an object (sent as its JSON), raw text (to script malformed output), an
 * error to throw (e.g. a retryable `GenAiError`), or a function of the call.
 */
export type FakeAnswer =
  string | Record<string, unknown> | Error | ((call: ChatCall) => string | Record<string, unknown>);

export interface FakeGenAiClientOptions {
  /** Consumed one per model call, repair retries included. */
  answers?: FakeAnswer[];
  /** Used once `answers` run out. Default `{}`. */
  fallback?: FakeAnswer;
  model?: string;
  remote?: boolean;
  selfcheck?: GenAiSelfcheck;
}

/**
 * The `fake` provider for tests and `IX_TEST_MODE`: scripted answers, every request recorded. It runs the
 * same parse-and-repair path as the real providers, so tests can script a malformed first answer.
 */
export class FakeGenAiClient extends ChatGenAiClient {
  readonly provider = 'fake';
  readonly remote: boolean;
  protected readonly defaultModel: string;
  /** Every `extract` request, in order. */
  readonly requests: GenAiRequest[] = [];
  /** Every model call, repair retries included, in order. */
  readonly calls: ChatCall[] = [];
  private readonly answers: FakeAnswer[];
  private readonly fallback: FakeAnswer;
  private readonly health: GenAiSelfcheck;

  constructor(options: FakeGenAiClientOptions = {}) {
    super();
    this.answers = [...(options.answers ?? [])];
    this.fallback = options.fallback ?? {};
    this.defaultModel = options.model ?? 'fake-model';
    this.remote = options.remote ?? false;
    this.health = options.selfcheck ?? { ok: true };
  }

  /** Appends scripted answers. */
  answerWith(...answers: FakeAnswer[]): this {
    this.answers.push(...answers);
    return this;
  }

  override extract(req: GenAiRequest): Promise<GenAiResponse> {
    this.requests.push(req);
    return super.extract(req);
  }

  selfcheck(): Promise<GenAiSelfcheck> {
    return Promise.resolve(this.health);
  }

  protected complete(call: ChatCall): Promise<ChatAnswer> {
    this.calls.push(call);
    const scripted = this.answers.length > 0 ? this.answers.shift() : this.fallback;
    const answer = typeof scripted === 'function' ? scripted(call) : scripted;
    if (answer instanceof Error) {
      return Promise.reject(answer);
    }
    const content = typeof answer === 'string' ? answer : JSON.stringify(answer ?? {});
    return Promise.resolve({ content, model: call.model });
  }
}
