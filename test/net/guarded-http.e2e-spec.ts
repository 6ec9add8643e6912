import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { lookup } from 'node:dns/promises';
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMPTY_ALLOW_LIST, parseAllowList } from '../../src/net/address-policy.js';
import { GuardedHttpClient, type Resolver } from '../../src/net/guarded-http.js';
import {
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  ResponseTooLargeError,
  TooManyRedirectsError,
  UrlRefusedError,
} from '../../src/net/net.errors.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { LoopbackServer } from './loopback-server.js';

// Every request in this file goes to 127.0.0.0/8. Names other than `localhost` resolve through an injected
// table (no DNS traffic); those that point elsewhere are refused before any socket is opened.
const CHUNK = Buffer.alloc(16 * 1024, 'x');
const STREAM_TOTAL = 10 * 1024 * 1024;

describe(GuardedHttpClient.name, () => {
  let server: LoopbackServer;
  const stream = { written: 0, closedEarly: false };
  const fakeDns: Record<string, string[]> = {
    'printer.test': ['127.0.0.1'],
    'rebind.test': ['93.184.216.34', '127.0.0.1'],
    'metadata.test': ['169.254.169.254'],
    'mapped.test': ['::ffff:7f00:1'],
    'public.test': ['93.184.216.34', '2606:2800::1'],
  };
  const resolve: Resolver = (hostname) => {
    if (hostname === 'localhost') {
      // The system's own answer (from /etc/hosts): the point is that the real `localhost` is refused.
      return lookup(hostname, { all: true });
    }
    const addresses = fakeDns[hostname];
    if (!addresses) {
      return Promise.reject(Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' }));
    }
    return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  };
  let sut: GuardedHttpClient;
  const allowLoopback1 = parseAllowList('127.0.0.1');

  function streamForever(res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const write = () => {
      if (res.destroyed || stream.written >= STREAM_TOTAL) {
        res.end();
        return;
      }
      res.write(CHUNK);
      stream.written += CHUNK.length;
      setTimeout(write, 2);
    };
    res.on('close', () => {
      stream.closedEarly = stream.written < STREAM_TOTAL;
    });
    write();
  }

  beforeAll(async () => {
    server = await LoopbackServer.start(
      (req, res, body) => {
        const url = new URL(req.url ?? '/', 'http://x');
        switch (url.pathname) {
          case '/doc':
            res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.7 tiny');
            return;
          case '/exactly-1000':
            res.writeHead(200).end(Buffer.alloc(1000, 'a'));
            return;
          case '/to-loopback-1':
            res.writeHead(302, { location: `http://127.0.0.1:${server.port}/doc` }).end();
            return;
          case '/to-file':
            res.writeHead(302, { location: 'file:///etc/passwd' }).end();
            return;
          case '/relative':
            res.writeHead(301, { location: '/doc' }).end();
            return;
          case '/loop':
            res.writeHead(307, { location: '/loop' }).end();
            return;
          case '/stream':
            streamForever(res);
            return;
          case '/declared-huge':
            res.writeHead(200, { 'content-length': String(STREAM_TOTAL) });
            res.write(CHUNK);
            return;
          case '/slow-headers':
            return; // never answers
          case '/slow-body':
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.write('first bytes, then nothing');
            return;
          case '/status':
            res.writeHead(Number(url.searchParams.get('code'))).end('status page');
            return;
          case '/echo':
            res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ got: body }));
            return;
          case '/big-answer':
            res.writeHead(200).end(Buffer.alloc(200_000, 'b'));
            return;
          default:
            res.writeHead(404).end();
        }
      },
      ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
    );
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server.reset();
    sut = new GuardedHttpClient({ resolve, maxRedirects: 3 });
  });

  describe('fetchBytes', () => {
    it('fetches from an allow-listed loopback address', async () => {
      const result = await sut.fetchBytes(server.url('/doc'), {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      expect(result).toEqual({
        url: server.url('/doc'),
        status: 200,
        contentType: 'application/pdf',
        bytes: Buffer.from('%PDF-1.7 tiny'),
      });
      expect(server.requests[0]).toMatchObject({
        method: 'GET',
        url: '/doc',
        headers: { 'accept-encoding': 'identity' },
      });
    });

    it.each([
      ['decimal', (port: number) => `http://2130706433:${port}/doc`],
      ['ipv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/doc`],
      ['another loopback address', (port: number) => `http://127.0.0.3:${port}/doc`],
      ['hex and short', (port: number) => `http://0x7f.1:${port}/doc`],
      ['octal', (port: number) => `http://0177.0.0.1:${port}/doc`],
      ['localhost', (port: number) => `http://localhost:${port}/doc`],
      ['localhost over https', (port: number) => `https://localhost:${port}/doc`],
      ['a name that resolves to loopback', (port: number) => `http://printer.test:${port}/doc`],
      ['a name with one loopback address among public ones', (port: number) => `http://rebind.test:${port}/doc`],
      ['a name that resolves to a mapped loopback', (port: number) => `http://mapped.test:${port}/doc`],
    ])('refuses %s without an allow-list, before any connection', async (_label, url) => {
      const attempt = sut.fetchBytes(url(server.port), { timeoutMs: 2000, maxBytes: 1000, allow: EMPTY_ALLOW_LIST });
      await expect(attempt).rejects.toBeInstanceOf(UrlRefusedError);
      await expect(attempt).rejects.toMatchObject({ code: 'URL_FORBIDDEN', retryable: false });
      expect(server.connections).toBe(0);
      expect(server.requests).toHaveLength(0);
    });

    it('refuses a name resolving to the metadata address, naming the reason but not the address', async () => {
      const attempt = sut.fetchBytes('http://metadata.test/latest/meta-data/', { timeoutMs: 2000, maxBytes: 1000 });
      await expect(attempt).rejects.toThrow('URL refused: host resolves to a metadata address');
    });

    it('trusts a host allow-listed by name whatever it resolves to', async () => {
      const result = await sut.fetchBytes(`http://printer.test:${server.port}/doc`, {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: parseAllowList('printer.test'),
      });
      expect(result.bytes.toString()).toBe('%PDF-1.7 tiny');
      expect(server.requests[0].headers.host).toBe(`printer.test:${server.port}`);
    });

    it('allows a name whose every address is allow-listed', async () => {
      const result = await sut.fetchBytes(`http://printer.test:${server.port}/doc`, {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      expect(result.status).toBe(200);
    });

    it.each(['ftp://127.0.0.1/doc', 'file:///etc/passwd', 'gopher://127.0.0.1:70/', 'not a url', 'http://1.2.3.999/'])(
      'refuses %s',
      async (url) => {
        await expect(
          sut.fetchBytes(url, { timeoutMs: 2000, maxBytes: 1000, allow: parseAllowList('0.0.0.0/0') }),
        ).rejects.toBeInstanceOf(UrlRefusedError);
      },
    );

    it('refuses a redirect from an allow-listed host to one that is not, without following it', async () => {
      const attempt = sut.fetchBytes(server.url('/to-loopback-1', '127.0.0.2'), {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: parseAllowList('127.0.0.2'),
      });
      await expect(attempt).rejects.toMatchObject({ code: 'URL_FORBIDDEN', message: 'URL refused: loopback address' });
      expect(server.requests.map((r) => `${r.host}${r.url}`)).toEqual(['127.0.0.2/to-loopback-1']);
    });

    it('refuses a redirect to another scheme', async () => {
      await expect(
        sut.fetchBytes(server.url('/to-file'), { timeoutMs: 2000, maxBytes: 1000, allow: allowLoopback1 }),
      ).rejects.toThrow('URL refused: scheme file is not allowed');
    });

    it('follows a relative redirect and reports the final URL', async () => {
      const result = await sut.fetchBytes(server.url('/relative'), {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      expect(result.url).toBe(server.url('/doc'));
      expect(server.requests.map((r) => r.url)).toEqual(['/relative', '/doc']);
    });

    it('gives up after the maximum number of redirects', async () => {
      await expect(
        sut.fetchBytes(server.url('/loop'), { timeoutMs: 2000, maxBytes: 1000, allow: allowLoopback1 }),
      ).rejects.toBeInstanceOf(TooManyRedirectsError);
      expect(server.requests).toHaveLength(4);
    });

    it('aborts a body past maxBytes while it streams', async () => {
      stream.written = 0;
      stream.closedEarly = false;
      const started = Date.now();
      const attempt = sut.fetchBytes(server.url('/stream'), {
        timeoutMs: 10_000,
        maxBytes: 64 * 1024,
        allow: allowLoopback1,
      });
      await expect(attempt).rejects.toBeInstanceOf(ResponseTooLargeError);
      await expect(attempt).rejects.toMatchObject({ code: 'DOCUMENT_TOO_LARGE', retryable: false });
      expect(Date.now() - started).toBeLessThan(5000);
      for (let i = 0; i < 100 && !stream.closedEarly; i++) {
        await sleep(20);
      }
      expect(stream.closedEarly).toBe(true);
      expect(stream.written).toBeLessThan(STREAM_TOTAL / 4);
    });

    it('refuses at once a response that declares a length over maxBytes', async () => {
      await expect(
        sut.fetchBytes(server.url('/declared-huge'), { timeoutMs: 10_000, maxBytes: 1000, allow: allowLoopback1 }),
      ).rejects.toBeInstanceOf(ResponseTooLargeError);
    });

    it('accepts a body of exactly maxBytes', async () => {
      const result = await sut.fetchBytes(server.url('/exactly-1000'), {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      expect(result.bytes).toHaveLength(1000);
    });

    it.each(['/slow-headers', '/slow-body'])('times out on %s with a retryable error', async (path) => {
      const started = Date.now();
      const attempt = sut.fetchBytes(server.url(path), { timeoutMs: 300, maxBytes: 1000, allow: allowLoopback1 });
      await expect(attempt).rejects.toBeInstanceOf(FetchTimeoutError);
      await expect(attempt).rejects.toMatchObject({ code: 'FETCH_TIMEOUT', retryable: true });
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it.each([
      [503, true],
      [500, true],
      [429, true],
      [404, false],
      [403, false],
      [410, false],
    ])('turns HTTP %i into an HttpStatusError, retryable: %s', async (code, retryable) => {
      const attempt = sut.fetchBytes(server.url(`/status?code=${code}`), {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      await expect(attempt).rejects.toBeInstanceOf(HttpStatusError);
      await expect(attempt).rejects.toMatchObject({ upstreamStatus: code, retryable });
    });

    it('reports a refused connection as a retryable failure', async () => {
      const port = await freePort();
      const attempt = sut.fetchBytes(`http://127.0.0.1:${port}/`, {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      await expect(attempt).rejects.toBeInstanceOf(FetchFailedError);
      await expect(attempt).rejects.toMatchObject({ code: 'FETCH_FAILED', retryable: true, causeCode: 'ECONNREFUSED' });
    });

    it('reports a TLS failure as not retryable', async () => {
      const attempt = sut.fetchBytes(server.url('/doc').replace('http:', 'https:'), {
        timeoutMs: 2000,
        maxBytes: 1000,
        allow: allowLoopback1,
      });
      await expect(attempt).rejects.toMatchObject({ code: 'FETCH_FAILED', causeCode: 'EPROTO', retryable: false });
    });
  });

  describe('postJson', () => {
    it('posts the JSON text with the given headers', async () => {
      const json = JSON.stringify({ a: 1, ü: 'x' });
      const result = await sut.postJson(
        server.url('/echo'),
        json,
        { 'X-Test': 'yes', 'User-Agent': 'ix-test/1' },
        {
          timeoutMs: 2000,
          allow: allowLoopback1,
        },
      );
      expect(result).toEqual({ status: 201, body: JSON.stringify({ got: json }), truncated: false });
      expect(server.requests[0]).toMatchObject({ method: 'POST', body: json });
      expect(server.requests[0].headers).toMatchObject({
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(json)),
        'x-test': 'yes',
        'user-agent': 'ix-test/1',
      });
    });

    it('does not follow redirects', async () => {
      const attempt = sut.postJson(server.url('/relative'), '{}', {}, { timeoutMs: 2000, allow: allowLoopback1 });
      await expect(attempt).rejects.toMatchObject({ upstreamStatus: 301, retryable: false });
      expect(server.requests).toHaveLength(1);
    });

    it('cuts a long answer off instead of failing', async () => {
      const result = await sut.postJson(
        server.url('/big-answer'),
        '{}',
        {},
        {
          timeoutMs: 2000,
          allow: allowLoopback1,
          maxResponseBytes: 100,
        },
      );
      expect(result).toMatchObject({ status: 200, truncated: true });
      expect(result.body).toHaveLength(100);
    });

    it('refuses a loopback URL without an allow-list, before any connection', async () => {
      await expect(sut.postJson(server.url('/echo'), '{}', {}, { timeoutMs: 2000 })).rejects.toBeInstanceOf(
        UrlRefusedError,
      );
      expect(server.connections).toBe(0);
    });
  });

  describe('checkUrl', () => {
    it('accepts a name whose addresses are all public, without connecting', async () => {
      await expect(sut.checkUrl('https://public.test/invoice.pdf')).resolves.toBeInstanceOf(URL);
    });

    it.each(['http://localhost/', 'http://rebind.test/', 'http://[::1]/', 'http://2130706433/'])(
      'refuses %s',
      async (url) => {
        await expect(sut.checkUrl(url)).rejects.toBeInstanceOf(UrlRefusedError);
      },
    );

    it('reports an unknown name as a failure, not a refusal', async () => {
      await expect(sut.checkUrl('http://nowhere.test/')).rejects.toMatchObject({ code: 'FETCH_FAILED' });
    });
  });
});
