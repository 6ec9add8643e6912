import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  type AllowList,
  EMPTY_ALLOW_LIST,
  isAllowedHost,
  isForbiddenAddress,
  normalizeHostLiteral,
} from './address-policy.js';
import {
  FetchFailedError,
  FetchTimeoutError,
  HttpStatusError,
  NetError,
  ResponseTooLargeError,
  TooManyRedirectsError,
  UrlRefusedError,
} from './net.errors.js';

/** Resolves a host name to every address it has (what `dns.lookup(name, {all: true})` returns). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

export interface GuardedHttpClientOptions {
  /** Injected in tests to give a name any addresses without a DNS server. */
  resolve?: Resolver;
  /** Redirects followed by `fetchBytes` unless the call says otherwise. Default 5. */
  maxRedirects?: number;
  userAgent?: string;
}

export interface FetchBytesOptions {
  /** One deadline for the whole fetch: every redirect hop, connect, headers and body. */
  timeoutMs: number;
  maxBytes: number;
  allow?: AllowList;
  maxRedirects?: number;
}

export interface FetchedBytes {
  /** The URL the bytes came from, after redirects. */
  url: string;
  status: number;
  contentType: string | undefined;
  bytes: Buffer;
}

export interface PostJsonOptions {
  timeoutMs: number;
  allow?: AllowList;
  /** How much of the answer is kept; the rest is cut off (the answer is not what a POST is for). Default 64 KiB. */
  maxResponseBytes?: number;
}

export interface PostJsonResponse {
  status: number;
  body: string;
  truncated: boolean;
}

interface Exchange {
  url: URL;
  method: 'GET' | 'POST';
  headers: http.OutgoingHttpHeaders;
  body?: Buffer;
  allow: AllowList;
  timeoutMs: number;
  /** `performance.now()` by which the exchange must be complete. */
  deadline: number;
  maxBytes: number;
  /** `fail` for documents (a cut-off PDF is worthless), `truncate` for answers we barely read. */
  overflow: 'fail' | 'truncate';
  wantBody: (status: number) => boolean;
}

interface ExchangeResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  truncated: boolean;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

const defaultResolver: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

/**
 * Outbound HTTP on a user's behalf (document URLs, callbacks), guarded against SSRF.
 *
 * Built on node:http(s) rather than axios + request-filtering-agent so that one policy — the tested pure
 * functions of `address-policy.ts` — decides everywhere: IP-literal hosts are judged before a request is
 * made, and host names go through a `lookup` that judges every resolved address before the socket
 * connects, so the address checked is the address used (no DNS-rebinding window). Every request gets a
 * fresh agent (`agent: false`): a pooled keep-alive socket would skip the lookup, possibly under a
 * different allow-list. node:http ignores proxy variables, so nothing routes around the check.
 * Responses are not decompressed (`accept-encoding: identity`), so the size cap counts real bytes.
 */
export class GuardedHttpClient {
  private readonly resolver: Resolver;
  private readonly maxRedirects: number;
  private readonly userAgent: string;

  constructor(options: GuardedHttpClientOptions = {}) {
    this.resolver = options.resolve ?? defaultResolver;
    this.maxRedirects = options.maxRedirects ?? 5;
    this.userAgent = options.userAgent ?? 'ix-fetch/1';
  }

  /** GETs a document, following redirects (each hop re-validated), failing past `maxBytes` as it streams. */
  async fetchBytes(url: string, options: FetchBytesOptions): Promise<FetchedBytes> {
    const allow = options.allow ?? EMPTY_ALLOW_LIST;
    const maxRedirects = options.maxRedirects ?? this.maxRedirects;
    const deadline = performance.now() + options.timeoutMs;
    let current = checkUrlShape(url, allow);
    for (let hop = 0; ; hop++) {
      const result = await this.exchange({
        url: current,
        method: 'GET',
        headers: { accept: '*/*', 'accept-encoding': 'identity', 'user-agent': this.userAgent },
        allow,
        timeoutMs: options.timeoutMs,
        deadline,
        maxBytes: options.maxBytes,
        overflow: 'fail',
        wantBody: isSuccess,
      });
      const location = result.headers.location;
      if (REDIRECT_STATUSES.has(result.status) && location) {
        if (hop >= maxRedirects) {
          throw new TooManyRedirectsError(maxRedirects);
        }
        current = checkUrlShape(resolveLocation(location, current), allow);
        continue;
      }
      if (!isSuccess(result.status)) {
        throw new HttpStatusError(result.status);
      }
      return {
        url: current.href,
        status: result.status,
        contentType: result.headers['content-type'],
        bytes: result.body,
      };
    }
  }

  /**
   * POSTs JSON text. The caller serializes (`json`) so it can sign exactly the bytes sent. Redirects are
   * not followed: a 3xx is an `HttpStatusError` like any other non-2xx.
   */
  async postJson(
    url: string,
    json: string,
    headers: Record<string, string>,
    options: PostJsonOptions,
  ): Promise<PostJsonResponse> {
    const allow = options.allow ?? EMPTY_ALLOW_LIST;
    const body = Buffer.from(json, 'utf8');
    const outgoing: http.OutgoingHttpHeaders = {
      accept: 'application/json, */*;q=0.5',
      'accept-encoding': 'identity',
      'user-agent': this.userAgent,
      'content-type': 'application/json',
    };
    for (const [name, value] of Object.entries(headers)) {
      outgoing[name.toLowerCase()] = value;
    }
    outgoing['content-length'] = body.length;
    const result = await this.exchange({
      url: checkUrlShape(url, allow),
      method: 'POST',
      headers: outgoing,
      body,
      allow,
      timeoutMs: options.timeoutMs,
      deadline: performance.now() + options.timeoutMs,
      maxBytes: options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES,
      overflow: 'truncate',
      wantBody: isSuccess,
    });
    if (!isSuccess(result.status)) {
      throw new HttpStatusError(result.status);
    }
    return { status: result.status, body: result.body.toString('utf8'), truncated: result.truncated };
  }

  /**
   * Validates a URL without connecting — scheme, literal host, and every address its name resolves to —
   * so an API can refuse it at submission (422). The check at connect time still runs: DNS may change.
   */
  async checkUrl(url: string, options: { allow?: AllowList } = {}): Promise<URL> {
    const allow = options.allow ?? EMPTY_ALLOW_LIST;
    const parsed = checkUrlShape(url, allow);
    const literal = normalizeHostLiteral(parsed.hostname);
    if (literal.kind === 'name') {
      await this.resolveChecked(literal.name, allow, isAllowedHost(literal.name, allow));
    }
    return parsed;
  }

  private exchange(x: Exchange): Promise<ExchangeResult> {
    const literal = normalizeHostLiteral(x.url.hostname);
    const trustedName = literal.kind === 'name' && isAllowedHost(literal.name, x.allow);
    const transport = x.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      let response: http.IncomingMessage | undefined;
      const finish = (error: Error | undefined, result?: ExchangeResult) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        if (error || !result) {
          // Destroying stops the transfer at once: no more bytes are read past a cap or a deadline.
          response?.destroy();
          request.destroy();
          reject(error ?? new FetchFailedError('UNKNOWN'));
        } else {
          resolve(result);
        }
      };
      const timer = setTimeout(
        () => finish(new FetchTimeoutError(x.timeoutMs)),
        Math.max(0, x.deadline - performance.now()),
      );
      const request = transport.request(
        x.url,
        {
          method: x.method,
          headers: x.headers,
          agent: false,
          lookup: this.validatingLookup(x.allow, trustedName),
        },
        (res) => {
          response = res;
          res.on('error', (err) => finish(toNetError(err)));
          const status = res.statusCode ?? 0;
          if (!x.wantBody(status)) {
            finish(undefined, { status, headers: res.headers, body: Buffer.alloc(0), truncated: false });
            res.destroy();
            return;
          }
          const declared = Number(res.headers['content-length']);
          if (x.overflow === 'fail' && Number.isFinite(declared) && declared > x.maxBytes) {
            finish(new ResponseTooLargeError(x.maxBytes));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (settled) {
              return;
            }
            if (size + chunk.length <= x.maxBytes) {
              chunks.push(chunk);
              size += chunk.length;
              return;
            }
            if (x.overflow === 'fail') {
              finish(new ResponseTooLargeError(x.maxBytes));
              return;
            }
            chunks.push(chunk.subarray(0, x.maxBytes - size));
            finish(undefined, { status, headers: res.headers, body: Buffer.concat(chunks), truncated: true });
            res.destroy();
          });
          res.on('end', () => {
            finish(undefined, { status, headers: res.headers, body: Buffer.concat(chunks, size), truncated: false });
          });
          res.on('close', () => {
            if (!res.complete) {
              finish(new FetchFailedError('ECONNRESET'));
            }
          });
        },
      );
      request.on('error', (err) => finish(toNetError(err)));
      request.end(x.body);
    });
  }

  /** A `lookup` for node's socket that refuses the connection when any resolved address is forbidden. */
  private validatingLookup(allow: AllowList, trustedName: boolean): LookupFunction {
    return (hostname, options, callback) => {
      this.resolveChecked(hostname, allow, trustedName).then(
        (addresses) => {
          const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
          const wanted = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
          if (wanted.length === 0) {
            callback(new FetchFailedError('ENOTFOUND'), '', 0);
          } else if (options.all) {
            callback(null, wanted);
          } else {
            callback(null, wanted[0].address, wanted[0].family);
          }
        },
        (err: Error) => callback(err, '', 0),
      );
    };
  }

  private async resolveChecked(hostname: string, allow: AllowList, trustedName: boolean): Promise<LookupAddress[]> {
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolver(hostname);
    } catch (err) {
      throw new FetchFailedError(errorCode(err) ?? 'ENOTFOUND');
    }
    if (addresses.length === 0) {
      throw new FetchFailedError('ENOTFOUND');
    }
    if (!trustedName) {
      // Every address, not just the first: the socket may try them all (happy eyeballs).
      for (const { address } of addresses) {
        const verdict = isForbiddenAddress(address, allow);
        if (verdict.forbidden) {
          throw new UrlRefusedError(`host resolves to a ${verdict.reason ?? 'forbidden'} address`);
        }
      }
    }
    return addresses;
  }
}

/**
 * Scheme and literal-host checks, no I/O. Relies on the WHATWG parser having already decoded legacy IPv4
 * spellings (`http://0x7f.1/` has hostname `127.0.0.1`), and decodes again in case it did not.
 */
export function checkUrlShape(url: string | URL, allow: AllowList = EMPTY_ALLOW_LIST): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : url;
  } catch {
    throw new UrlRefusedError('not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UrlRefusedError(`scheme ${parsed.protocol.replace(/:$/, '')} is not allowed`);
  }
  const literal = normalizeHostLiteral(parsed.hostname);
  if (literal.kind === 'invalid') {
    throw new UrlRefusedError(literal.reason);
  }
  if (literal.kind === 'ip') {
    const verdict = isForbiddenAddress(literal.address, allow);
    if (verdict.forbidden) {
      throw new UrlRefusedError(`${verdict.reason ?? 'forbidden'} address`);
    }
  }
  return parsed;
}

function resolveLocation(location: string, base: URL): URL {
  try {
    return new URL(location, base);
  } catch {
    throw new UrlRefusedError('invalid redirect location');
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function errorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') {
    return err.code;
  }
  return undefined;
}

function toNetError(err: Error): NetError {
  return err instanceof NetError ? err : new FetchFailedError(errorCode(err) ?? err.name);
}
