import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OpenAiGenAiClient, schemaName } from '../../src/clients/genai/openai-genai.client.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { itStopsWhenTheCallerAborts } from './caller-abort.js';
import { type Reply, ScriptedServer } from './scripted-server.js';

const schema = {
  title: 'invoice',
  type: 'object',
  properties: { invoice_number: { type: 'string' }, total: { type: 'number' } },
  required: ['invoice_number', 'total'],
  additionalProperties: false,
};
const request = { system: 'Extract the fields.', prompt: 'Invoice RE-7, total 99.90 EUR', schema };

/** `POST /v1/chat/completions` as OpenAI answers it. */
function completionReply(content: string | null, extra: Record<string, unknown> = {}): Reply {
  return {
    json: {
      id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      object: 'chat.completion',
      created: 1741570283,
      model: 'gpt-4o-mini-2024-07-18',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content, refusal: null, annotations: [], ...extra },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: 117,
        completion_tokens: 16,
        total_tokens: 133,
        prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
        completion_tokens_details: {
          reasoning_tokens: 0,
          audio_tokens: 0,
          accepted_prediction_tokens: 0,
          rejected_prediction_tokens: 0,
        },
      },
      service_tier: 'default',
      system_fingerprint: 'fp_fc9f1d7035',
    },
  };
}

function errorReply(status: number, message: string, type: string): Reply {
  return { status, json: { error: { message, type, param: null, code: null } } };
}

/** `GET /v1/models`. */
function modelsReply(...ids: string[]): Reply {
  return {
    json: { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1721172741, owned_by: 'system' })) },
  };
}

describe(OpenAiGenAiClient.name, () => {
  let server: ScriptedServer;
  let sut: OpenAiGenAiClient;

  beforeAll(async () => {
    server = await ScriptedServer.start();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.reset();
    sut = new OpenAiGenAiClient({
      baseUrl: `${server.baseUrl}/v1`,
      apiKey: 'sk-test',
      model: 'gpt-4o-mini',
      timeoutMs: 300,
    });
  });

  describe('extract', () => {
    it('sends the schema as a strict json_schema response format and parses the answer', async () => {
      server.reply('POST /v1/chat/completions', completionReply('{"invoice_number": "RE-7", "total": 99.9}'));
      await expect(sut.extract(request)).resolves.toEqual({
        data: { invoice_number: 'RE-7', total: 99.9 },
        model: 'gpt-4o-mini-2024-07-18',
        repaired: false,
        raw: '{"invoice_number": "RE-7", "total": 99.9}',
      });
      expect(server.bodies('/v1/chat/completions')).toEqual([
        {
          model: 'gpt-4o-mini',
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.prompt },
          ],
          temperature: 0,
          response_format: { type: 'json_schema', json_schema: { name: 'invoice', schema, strict: true } },
        },
      ]);
      expect(server.requests[0].headers.authorization).toBe('Bearer sk-test');
    });

    it('sends a placeholder key when none is configured', async () => {
      const keyless = new OpenAiGenAiClient({ baseUrl: `${server.baseUrl}/v1`, model: 'local', timeoutMs: 300 });
      server.reply('POST /v1/chat/completions', completionReply('{}'));
      await expect(keyless.extract(request)).resolves.toMatchObject({ data: {} });
      expect(server.requests[0].headers.authorization).toBe('Bearer ix-no-api-key');
    });

    it('counts as remote unless the server is local', () => {
      expect(sut.remote).toBe(false);
      expect(new OpenAiGenAiClient({ model: 'm', timeoutMs: 1 }).remote).toBe(true);
      expect(new OpenAiGenAiClient({ baseUrl: 'http://localhost:8080/v1', model: 'm', timeoutMs: 1 }).remote).toBe(
        false,
      );
      expect(new OpenAiGenAiClient({ baseUrl: 'http://10.1.2.3:8000/v1', model: 'm', timeoutMs: 1 }).remote).toBe(
        false,
      );
      expect(new OpenAiGenAiClient({ baseUrl: 'https://llm.example/v1', model: 'm', timeoutMs: 1 }).remote).toBe(true);
    });

    it('repairs a malformed answer once, sending the bad answer back', async () => {
      server.reply(
        'POST /v1/chat/completions',
        completionReply('Sure! invoice_number is RE-7'),
        completionReply('```json\n{"invoice_number": "RE-7", "total": 99.9}\n```'),
      );
      await expect(sut.extract(request)).resolves.toMatchObject({ data: { invoice_number: 'RE-7' }, repaired: true });
      const [, repair] = server.bodies('/v1/chat/completions');
      const messages = repair.messages as { role: string; content: string }[];
      expect(messages[2]).toEqual({ role: 'assistant', content: 'Sure! invoice_number is RE-7' });
      expect(messages[3].content).toContain(JSON.stringify(schema));
      expect(repair.response_format).toMatchObject({ json_schema: { schema } });
    });

    it('fails with GENAI_BAD_OUTPUT after two malformed answers (a refusal included)', async () => {
      server.reply(
        'POST /v1/chat/completions',
        completionReply(null, { refusal: 'I cannot help with that.' }),
        completionReply('[]'),
      );
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_BAD_OUTPUT', retryable: false });
      expect(server.requests).toHaveLength(2);
    });

    itStopsWhenTheCallerAborts(
      () => server,
      'POST /v1/chat/completions',
      (timeoutMs) =>
        new OpenAiGenAiClient({ baseUrl: `${server.baseUrl}/v1`, apiKey: 'sk-test', model: 'gpt-4o-mini', timeoutMs }),
      request,
    );

    it.each(['hang', 'hang-body'] as const)('times out (%s) with a retryable GENAI_TIMEOUT', async (reply) => {
      server.reply('POST /v1/chat/completions', reply);
      const started = Date.now();
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(server.requests).toHaveLength(1);
    });

    it.each([
      [503, 'The engine is currently overloaded', 'server_error'],
      [500, 'The server had an error', 'server_error'],
      [429, 'Rate limit reached', 'requests'],
    ])('turns %i into a retryable GENAI_UNAVAILABLE without retrying itself', async (status, message, type) => {
      server.reply('POST /v1/chat/completions', errorReply(status, message, type));
      const attempt = sut.extract(request);
      await expect(attempt).rejects.toMatchObject({ code: 'GENAI_UNAVAILABLE', retryable: true });
      await expect(attempt).rejects.toThrow(message);
      expect(server.requests).toHaveLength(1);
    });

    it.each([
      [400, "Invalid schema for response_format 'invoice'", 'invalid_request_error'],
      [401, 'Incorrect API key provided', 'invalid_request_error'],
      [404, 'The model `gpt-9` does not exist', 'invalid_request_error'],
    ])('turns %i into a GENAI_REJECTED that is not retryable', async (status, message, type) => {
      server.reply('POST /v1/chat/completions', errorReply(status, message, type));
      const attempt = sut.extract(request);
      await expect(attempt).rejects.toMatchObject({ code: 'GENAI_REJECTED', retryable: false, details: { status } });
      await expect(attempt).rejects.toThrow(message);
    });

    it('turns a refused connection into a retryable GENAI_UNAVAILABLE', async () => {
      const down = new OpenAiGenAiClient({
        baseUrl: `http://127.0.0.1:${await freePort()}/v1`,
        model: 'm',
        timeoutMs: 300,
      });
      await expect(down.extract(request)).rejects.toMatchObject({ code: 'GENAI_UNAVAILABLE', retryable: true });
    });

    it('calls a 200 without choices a GENAI_BAD_RESPONSE', async () => {
      server.reply('POST /v1/chat/completions', { json: { hello: 'world' } });
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_BAD_RESPONSE', retryable: false });
    });
  });

  describe('selfcheck', () => {
    it('is ok when the model is listed', async () => {
      server.reply('GET /v1/models', modelsReply('gpt-4o', 'gpt-4o-mini'));
      await expect(sut.selfcheck()).resolves.toEqual({ ok: true });
      expect(server.requests[0].headers.authorization).toBe('Bearer sk-test');
    });

    it('is not ok when the model is not listed, naming what is', async () => {
      server.reply('GET /v1/models', modelsReply('gpt-4o'));
      await expect(sut.selfcheck()).resolves.toEqual({
        ok: false,
        detail: 'model gpt-4o-mini is not listed (have: gpt-4o)',
      });
    });

    it('is not ok when the server rejects the key, fails, hangs or is down', async () => {
      server.reply('GET /v1/models', errorReply(401, 'Incorrect API key provided', 'invalid_request_error'));
      await expect(sut.selfcheck()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('HTTP 401') });
      server.reply('GET /v1/models', 'hang');
      await expect(sut.selfcheck()).resolves.toEqual({ ok: false, detail: 'openai did not answer in time' });
      const down = new OpenAiGenAiClient({
        baseUrl: `http://127.0.0.1:${await freePort()}/v1`,
        model: 'm',
        timeoutMs: 300,
      });
      await expect(down.selfcheck()).resolves.toMatchObject({
        ok: false,
        detail: expect.stringContaining('ECONNREFUSED'),
      });
    });
  });

  describe(schemaName.name, () => {
    it.each([
      [{ title: 'Invoice fields (v2)' }, 'Invoice_fields_v2_'],
      [{ title: 'x'.repeat(80) }, 'x'.repeat(64)],
      [{}, 'extraction'],
      [{ title: '!!!' }, '_'],
    ])('%j → %s', (value, name) => {
      expect(schemaName(value)).toBe(name);
    });
  });
});
