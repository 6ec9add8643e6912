import * as http from 'node:http';
import * as https from 'node:https';
import { Readable } from 'node:stream';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Raised when a call outlives its deadline. Named like the platform's own so error mapping spots it. */
export class DeadlineExceededError extends Error {
  readonly code = 'ETIMEDOUT';

  constructor(readonly timeoutMs: number) {
    super(`no complete response within ${timeoutMs} ms`);
    this.name = 'TimeoutError';
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` for LLM servers over node:http(s), with one deadline covering connect, headers and the whole
 * body. Node's global fetch is unfit here: undici gives up after 300 s without headers whatever the
 * caller's timeout (slow CPU inference takes longer), raising it needs an undici `Agent` and the `undici`
 * package is not a dependency; and client libraries' own timeouts stop at the headers (openai) or are
 * missing for non-streamed calls (ollama). One connection per call (`agent: false`): next to inference
 * time a handshake is free, and nothing is left open to keep a process or a test alive.
 */
export function createDeadlineFetch(timeoutMs: number): Fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TypeError(`unsupported protocol ${url.protocol}`);
    }
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    if (body) {
      headers['content-length'] = String(body.length);
    }
    const transport = url.protocol === 'https:' ? https : http;

    return new Promise<Response>((resolve, reject) => {
      let response: http.IncomingMessage | undefined;
      const timer = setTimeout(() => {
        const error = new DeadlineExceededError(timeoutMs);
        // Before the headers this rejects the promise; after, it errors the body stream being read.
        if (response) {
          response.destroy(error);
        } else {
          req.destroy(error);
        }
      }, timeoutMs);
      const req = transport.request(
        url,
        { method: request.method, headers, agent: false, signal: request.signal },
        (res) => {
          response = res;
          res.once('close', () => clearTimeout(timer));
          // The web stream below reports body errors to its reader; this only keeps them from being unheard.
          res.on('error', () => undefined);
          const status = res.statusCode ?? 0;
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
              responseHeaders.append(name, v);
            }
          }
          const hasBody = !NULL_BODY_STATUSES.has(status) && request.method !== 'HEAD';
          if (!hasBody) {
            res.resume();
          }
          resolve(
            new Response(hasBody ? Readable.toWeb(res) : null, {
              status,
              statusText: res.statusMessage,
              headers: responseHeaders,
            }),
          );
        },
      );
      // `on`, not `once`: the socket can fail again after the response arrived, and an unheard 'error' crashes.
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(body);
    });
  };
}
