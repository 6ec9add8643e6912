import type { ServerResponse } from 'node:http';
import { LoopbackServer, type RecordedRequest } from '../net/loopback-server.js';

/**
 * One scripted answer: JSON or text with a status, or `hang` (never answer) / `hang-body` (send headers
 * and a few bytes, then nothing) to exercise timeouts.
 */
export type Reply = { status?: number; json?: unknown; text?: string; contentType?: string } | 'hang' | 'hang-body';

/**
 * A real HTTP server on 127.0.0.1 answering each `METHOD /path` from a queue of scripted replies, so a test
 * drives a client through the provider's actual wire format. Unscripted requests get a 599.
 */
export class ScriptedServer {
  private readonly queues = new Map<string, Reply[]>();

  private server!: LoopbackServer;

  private constructor() {}

  static async start(): Promise<ScriptedServer> {
    const instance = new ScriptedServer();
    instance.server = await LoopbackServer.start((req, res) => {
      const key = `${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`;
      instance.answer(res, instance.queues.get(key)?.shift());
    });
    return instance;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.server.port}`;
  }

  get requests(): RecordedRequest[] {
    return this.server.requests;
  }

  /** The JSON bodies received on `path`, in order. */
  bodies(path: string): Record<string, unknown>[] {
    return this.requests.filter((r) => r.url === path).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }

  reply(route: string, ...replies: Reply[]): this {
    this.queues.set(route, [...(this.queues.get(route) ?? []), ...replies]);
    return this;
  }

  reset(): void {
    this.queues.clear();
    this.server.reset();
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private answer(res: ServerResponse, reply: Reply | undefined): void {
    if (reply === 'hang') {
      return;
    }
    if (reply === 'hang-body') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"model":');
      return;
    }
    if (!reply) {
      res.writeHead(599, { 'content-type': 'text/plain' }).end('unscripted request');
      return;
    }
    const text = reply.json !== undefined ? JSON.stringify(reply.json) : (reply.text ?? '');
    const contentType =
      reply.contentType ?? (reply.json !== undefined ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8');
    res.writeHead(reply.status ?? 200, { 'content-type': contentType }).end(text);
  }
}
