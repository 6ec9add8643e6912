import { describe, expect, it } from '@jest/globals';
import { FakeGenAiClient } from './fake-genai.client.js';
import { GenAiError, GenAiErrorCode, genAiErrorForStatus, toGenAiError } from './genai.errors.js';

const request = {
  system: 'You extract invoice fields.',
  prompt: 'Invoice RE-1, total 12.50',
  schema: { type: 'object', properties: { total: { type: 'number' } } },
};

// The parse-and-repair path every chat provider shares, driven through the fake.
describe(FakeGenAiClient.name, () => {
  describe('extract', () => {
    it('returns the parsed answer and records the request', async () => {
      const sut = new FakeGenAiClient({ answers: [{ total: 12.5 }] });
      await expect(sut.extract(request)).resolves.toEqual({
        data: { total: 12.5 },
        model: 'fake-model',
        repaired: false,
        raw: '{"total":12.5}',
      });
      expect(sut.requests).toEqual([request]);
      expect(sut.calls[0]).toEqual({
        model: 'fake-model',
        schema: request.schema,
        messages: [
          { role: 'system', content: request.system },
          { role: 'user', content: request.prompt },
        ],
      });
    });

    it('uses the model the request names', async () => {
      const sut = new FakeGenAiClient();
      await expect(sut.extract({ ...request, model: 'other' })).resolves.toMatchObject({ model: 'other' });
    });

    it('repairs a malformed answer once, quoting it back with the schema', async () => {
      const sut = new FakeGenAiClient({ answers: ['{"total": 12.5', '```json\n{"total": 12.5}\n```'] });
      await expect(sut.extract(request)).resolves.toEqual({
        data: { total: 12.5 },
        model: 'fake-model',
        repaired: true,
        raw: '```json\n{"total": 12.5}\n```',
      });
      expect(sut.calls).toHaveLength(2);
      const repair = sut.calls[1].messages;
      expect(repair.slice(0, 3)).toEqual([...sut.calls[0].messages, { role: 'assistant', content: '{"total": 12.5' }]);
      expect(repair[3].role).toBe('user');
      expect(repair[3].content).toContain('not valid JSON');
      expect(repair[3].content).toContain(JSON.stringify(request.schema));
    });

    it('fails with GENAI_BAD_OUTPUT, not retryable, when the repair is malformed too', async () => {
      const sut = new FakeGenAiClient({ answers: ['nope', '[1]', { never: 'asked' }] });
      const attempt = sut.extract(request);
      await expect(attempt).rejects.toBeInstanceOf(GenAiError);
      await expect(attempt).rejects.toMatchObject({ code: 'GENAI_BAD_OUTPUT', retryable: false });
      await expect(attempt).rejects.toThrow('not an object (array)');
      expect(sut.calls).toHaveLength(2);
    });

    it('passes scripted GenAiErrors through and maps other errors', async () => {
      const timeout = new GenAiError(GenAiErrorCode.Timeout, 'slow');
      const sut = new FakeGenAiClient({
        answers: [timeout, Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
      });
      await expect(sut.extract(request)).rejects.toBe(timeout);
      await expect(sut.extract(request)).rejects.toMatchObject({ code: 'GENAI_UNAVAILABLE', retryable: true });
    });
  });

  describe('selfcheck', () => {
    it('answers what it was configured with', async () => {
      await expect(new FakeGenAiClient().selfcheck()).resolves.toEqual({ ok: true });
      const down = new FakeGenAiClient({ selfcheck: { ok: false, detail: 'scripted' } });
      await expect(down.selfcheck()).resolves.toEqual({ ok: false, detail: 'scripted' });
    });
  });
});

describe(GenAiError.name, () => {
  it.each([
    [400, 'GENAI_REJECTED', false],
    [401, 'GENAI_REJECTED', false],
    [404, 'GENAI_REJECTED', false],
    [408, 'GENAI_TIMEOUT', true],
    [429, 'GENAI_UNAVAILABLE', true],
    [500, 'GENAI_UNAVAILABLE', true],
    [503, 'GENAI_UNAVAILABLE', true],
  ])('maps HTTP %i to %s (retryable: %s)', (status, code, retryable) => {
    expect(genAiErrorForStatus('x', status, 'msg')).toMatchObject({ code, retryable, details: { status } });
  });

  it.each([
    ['a platform timeout', Object.assign(new Error('t'), { name: 'TimeoutError' }), 'GENAI_TIMEOUT'],
    ['a socket timeout', Object.assign(new Error('t'), { code: 'ETIMEDOUT' }), 'GENAI_TIMEOUT'],
    [
      'a wrapped refusal',
      new TypeError('fetch failed', { cause: Object.assign(new Error('r'), { code: 'ECONNREFUSED' }) }),
      'GENAI_UNAVAILABLE',
    ],
    ['anything else', new Error('odd'), 'GENAI_UNAVAILABLE'],
  ])('maps %s to %s', (_label, err, code) => {
    expect(toGenAiError('x', err)).toMatchObject({ code, retryable: true });
  });
});
