import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CallbackSender } from '../../src/callbacks/callback-sender.js';
import { verifyCallbackSignature } from '../../src/callbacks/callback-signature.js';
import { parseAllowList } from '../../src/net/address-policy.js';
import { GuardedHttpClient } from '../../src/net/guarded-http.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { LoopbackServer } from '../net/loopback-server.js';

const secret = 'client-a-secret';
const nowMs = 1_795_000_000_123;
const envelope = JSON.stringify({
  id: '3f9a0c1d2e4b5a6c',
  status: 'done',
  result: { fields: { total: { value: 12.5 } } },
});

describe(CallbackSender.name, () => {
  let receiver: LoopbackServer;
  let sut: CallbackSender;
  const verdicts: ReturnType<typeof verifyCallbackSignature>[] = [];

  beforeAll(async () => {
    // A receiver as a client would write one: verify the raw body against the header, then answer.
    receiver = await LoopbackServer.start((req, res, body) => {
      const path = req.url ?? '/';
      const header = req.headers['x-ix-signature'];
      verdicts.push(
        verifyCallbackSignature(typeof header === 'string' ? header : undefined, body, secret, {
          nowS: Math.floor(nowMs / 1000) + 5,
        }),
      );
      if (path === '/hook') {
        res.writeHead(verdicts[verdicts.length - 1].valid ? 204 : 401).end();
      } else if (path === '/slow') {
        return;
      } else if (path === '/moved') {
        res.writeHead(307, { location: '/hook' }).end();
      } else {
        res.writeHead(Number(path.slice(1))).end('{"error":"nope"}');
      }
    });
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.reset();
    verdicts.length = 0;
    sut = new CallbackSender(new GuardedHttpClient(), {
      timeoutMs: 300,
      allow: parseAllowList('127.0.0.1'),
      now: () => nowMs,
    });
  });

  const deliver = (path: string, jobId = '3f9a0c1d2e4b5a6c') =>
    sut.send({ url: receiver.url(path), jobId, body: envelope, secret });

  it('delivers a callback whose signature verifies on the receiver side', async () => {
    await expect(deliver('/hook')).resolves.toEqual({ ok: true, status: 204, retryable: false });
    expect(verdicts).toEqual([{ valid: true, timestamp: Math.floor(nowMs / 1000) }]);
    const [request] = receiver.requests;
    expect(request.method).toBe('POST');
    expect(request.body).toBe(envelope);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'x-ix-job-id': '3f9a0c1d2e4b5a6c',
      'user-agent': 'ix-callback/1',
    });
  });

  it('is refused by a receiver holding another secret', async () => {
    const wrong = await sut.send({ url: receiver.url('/hook'), jobId: 'j', body: envelope, secret: 'other' });
    expect(wrong).toEqual({
      ok: false,
      status: 401,
      error: 'UPSTREAM_HTTP_STATUS: upstream answered HTTP 401',
      retryable: false,
    });
    expect(verdicts[0]).toEqual({ valid: false, reason: 'mismatch' });
  });

  it('reports a receiver that is down as retryable', async () => {
    const down = `http://127.0.0.1:${await freePort()}/hook`;
    await expect(sut.send({ url: down, jobId: 'j', body: envelope, secret })).resolves.toEqual({
      ok: false,
      error: 'FETCH_FAILED: connection failed (ECONNREFUSED)',
      retryable: true,
    });
  });

  it.each([
    [500, true],
    [503, true],
    [429, true],
    [410, false],
    [400, false],
    [404, false],
  ])('reports HTTP %i as retryable: %s', async (status, retryable) => {
    await expect(deliver(`/${status}`)).resolves.toMatchObject({ ok: false, status, retryable });
  });

  it('reports a receiver that does not answer in time as retryable', async () => {
    const started = Date.now();
    await expect(deliver('/slow')).resolves.toMatchObject({
      ok: false,
      error: expect.stringMatching(/^FETCH_TIMEOUT/),
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not follow a redirect, and says retrying will not help', async () => {
    await expect(deliver('/moved')).resolves.toMatchObject({ ok: false, status: 307, retryable: false });
    expect(receiver.requests).toHaveLength(1);
  });

  it('refuses a loopback URL that is not allow-listed, before connecting', async () => {
    const unguarded = new CallbackSender(new GuardedHttpClient(), { timeoutMs: 300, now: () => nowMs });
    await expect(unguarded.send({ url: receiver.url('/hook'), jobId: 'j', body: envelope, secret })).resolves.toEqual({
      ok: false,
      error: 'URL_FORBIDDEN: URL refused: loopback address',
      retryable: false,
    });
    expect(receiver.connections).toBe(0);
  });
});
