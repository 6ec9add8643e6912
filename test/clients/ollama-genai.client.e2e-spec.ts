import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { OllamaGenAiClient, sameOllamaModel } from '../../src/clients/genai/ollama-genai.client.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { itStopsWhenTheCallerAborts } from './caller-abort.js';
import { type Reply, ScriptedServer } from './scripted-server.js';

const schema = {
  type: 'object',
  properties: { invoice_number: { type: 'string' }, total: { type: 'number' } },
  required: ['invoice_number', 'total'],
};
const request = { system: 'Extract the fields.', prompt: 'Invoice RE-7, total 99.90 EUR', schema };

/** `POST /api/chat` as Ollama answers it with `stream: false`. */
function chatReply(content: string): Reply {
  return {
    json: {
      model: 'llama3.2',
      created_at: '2026-11-22T23:35:36.123456Z',
      message: { role: 'assistant', content },
      done_reason: 'stop',
      done: true,
      total_duration: 5191566416,
      load_duration: 2154458,
      prompt_eval_count: 26,
      prompt_eval_duration: 383809000,
      eval_count: 298,
      eval_duration: 4799921000,
    },
  };
}

/** `GET /api/tags`. */
function tagsReply(...names: string[]): Reply {
  return {
    json: {
      models: names.map((name) => ({
        name,
        model: name,
        modified_at: '2026-05-04T17:37:44.706015396-07:00',
        size: 2019393189,
        digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
        details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
      })),
    },
  };
}

describe(OllamaGenAiClient.name, () => {
  let server: ScriptedServer;
  let sut: OllamaGenAiClient;

  beforeAll(async () => {
    server = await ScriptedServer.start();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.reset();
    sut = new OllamaGenAiClient({ baseUrl: `${server.baseUrl}/`, model: 'llama3.2', timeoutMs: 300 });
  });

  describe('extract', () => {
    it('sends the schema as format, without streaming, at temperature 0, and parses the answer', async () => {
      server.reply('POST /api/chat', chatReply('{"invoice_number": "RE-7", "total": 99.9}'));
      await expect(sut.extract(request)).resolves.toEqual({
        data: { invoice_number: 'RE-7', total: 99.9 },
        model: 'llama3.2',
        repaired: false,
        raw: '{"invoice_number": "RE-7", "total": 99.9}',
      });
      expect(server.bodies('/api/chat')).toEqual([
        {
          model: 'llama3.2',
          messages: [
            { role: 'system', content: request.system },
            { role: 'user', content: request.prompt },
          ],
          format: schema,
          stream: false,
          options: { temperature: 0 },
        },
      ]);
      expect(server.requests[0].headers['content-type']).toBe('application/json');
    });

    it('counts as local (no redaction by default) unless configured remote', () => {
      expect(sut.remote).toBe(false);
      expect(new OllamaGenAiClient({ model: 'm', timeoutMs: 1, remote: true }).remote).toBe(true);
    });

    it('repairs a malformed answer once, sending the bad answer back', async () => {
      server.reply(
        'POST /api/chat',
        chatReply('{"invoice_number": "RE-7", "total": 99.9'),
        chatReply('{"invoice_number": "RE-7", "total": 99.9}'),
      );
      await expect(sut.extract(request)).resolves.toMatchObject({ data: { total: 99.9 }, repaired: true });
      const [, repair] = server.bodies('/api/chat');
      const messages = repair.messages as { role: string; content: string }[];
      expect(messages[2]).toEqual({ role: 'assistant', content: '{"invoice_number": "RE-7", "total": 99.9' });
      expect(messages[3].content).toContain('not valid JSON');
      expect(repair.format).toEqual(schema);
    });

    it('fails with GENAI_BAD_OUTPUT after two malformed answers', async () => {
      server.reply('POST /api/chat', chatReply('total: 99.9'), chatReply('still not JSON'));
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_BAD_OUTPUT', retryable: false });
      expect(server.requests).toHaveLength(2);
    });

    itStopsWhenTheCallerAborts(
      () => server,
      'POST /api/chat',
      (timeoutMs) => new OllamaGenAiClient({ baseUrl: `${server.baseUrl}/`, model: 'llama3.2', timeoutMs }),
      request,
    );

    it.each(['hang', 'hang-body'] as const)('times out (%s) with a retryable GENAI_TIMEOUT', async (reply) => {
      server.reply('POST /api/chat', reply);
      const started = Date.now();
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('turns 503 into a retryable GENAI_UNAVAILABLE', async () => {
      server.reply('POST /api/chat', { status: 503, json: { error: 'server busy, please try again' } });
      const attempt = sut.extract(request);
      await expect(attempt).rejects.toMatchObject({ code: 'GENAI_UNAVAILABLE', retryable: true });
      await expect(attempt).rejects.toThrow('ollama answered HTTP 503: server busy, please try again');
    });

    it.each([
      [400, 'invalid format: expected "json" or a JSON schema'],
      [404, 'model "llama3.2" not found, try pulling it first'],
    ])('turns %i into a GENAI_REJECTED that is not retryable', async (status, error) => {
      server.reply('POST /api/chat', { status, json: { error } });
      const attempt = sut.extract(request);
      await expect(attempt).rejects.toMatchObject({ code: 'GENAI_REJECTED', retryable: false, details: { status } });
      await expect(attempt).rejects.toThrow(error);
    });

    it('turns a refused connection into a retryable GENAI_UNAVAILABLE', async () => {
      const down = new OllamaGenAiClient({
        baseUrl: `http://127.0.0.1:${await freePort()}`,
        model: 'm',
        timeoutMs: 300,
      });
      await expect(down.extract(request)).rejects.toMatchObject({ code: 'GENAI_UNAVAILABLE', retryable: true });
    });

    it('calls a 200 that is not Ollama JSON a GENAI_BAD_RESPONSE', async () => {
      server.reply('POST /api/chat', { text: '<html>welcome to nginx</html>', contentType: 'text/html' });
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_BAD_RESPONSE', retryable: false });
    });
  });

  describe('selfcheck', () => {
    it('is ok when the model is pulled (the :latest tag implied)', async () => {
      server.reply('GET /api/tags', tagsReply('qwen2.5:7b', 'llama3.2:latest'));
      await expect(sut.selfcheck()).resolves.toEqual({ ok: true });
    });

    it('is not ok when the model is missing, naming what is there', async () => {
      server.reply('GET /api/tags', tagsReply('qwen2.5:7b'));
      await expect(sut.selfcheck()).resolves.toEqual({
        ok: false,
        detail: 'model llama3.2 is not pulled (have: qwen2.5:7b)',
      });
    });

    it('is not ok when the server fails or is down', async () => {
      server.reply('GET /api/tags', { status: 500, json: { error: 'boom' } });
      await expect(sut.selfcheck()).resolves.toEqual({ ok: false, detail: 'GET /api/tags answered HTTP 500' });
      const down = new OllamaGenAiClient({
        baseUrl: `http://127.0.0.1:${await freePort()}`,
        model: 'm',
        timeoutMs: 300,
      });
      await expect(down.selfcheck()).resolves.toMatchObject({
        ok: false,
        detail: expect.stringContaining('ECONNREFUSED'),
      });
    });

    it('is not ok when the server does not answer in time', async () => {
      server.reply('GET /api/tags', 'hang');
      await expect(sut.selfcheck()).resolves.toEqual({ ok: false, detail: 'ollama did not answer in time' });
    });
  });

  describe(sameOllamaModel.name, () => {
    it.each([
      ['llama3.2', 'llama3.2:latest', true],
      ['llama3.2:latest', 'llama3.2', true],
      ['llama3.2:3b', 'llama3.2', false],
      ['registry:5000/team/model', 'registry:5000/team/model:latest', true],
    ])('%s vs %s → %s', (a, b, expected) => {
      expect(sameOllamaModel(a, b)).toBe(expected);
    });
  });
});
