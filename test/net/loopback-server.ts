import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';

export interface RecordedRequest {
  host: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/**
 * An HTTP server on one port of one or more loopback addresses (127.0.0.1, 127.0.0.2, …), recording every
 * connection and request, so a test can assert that a refused URL never reached it. Tests send traffic to
 * loopback only.
 */
export class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private readonly servers: Server[] = [];
  private boundPort = 0;

  private constructor() {}

  get port(): number {
    return this.boundPort;
  }

  static async start(handler: Handler, hosts: string[] = ['127.0.0.1']): Promise<LoopbackServer> {
    const instance = new LoopbackServer();
    for (const host of hosts) {
      const server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          instance.requests.push({ host, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
          handler(req, res, body);
        });
      });
      server.on('connection', (socket: Socket) => {
        instance.connections++;
        instance.sockets.add(socket);
        socket.on('close', () => instance.sockets.delete(socket));
      });
      // Every address on the same port, so one URL template reaches any of them.
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(instance.boundPort, host, () => resolve());
      });
      const address = server.address();
      instance.boundPort = typeof address === 'object' && address ? address.port : instance.boundPort;
      instance.servers.push(server);
    }
    return instance;
  }

  url(path = '/', host = '127.0.0.1'): string {
    return `http://${host}:${this.port}${path}`;
  }

  reset(): void {
    this.requests.length = 0;
    this.connections = 0;
  }

  async close(): Promise<void> {
    // Slow-server tests leave responses hanging: cut them so close() does not wait for them.
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  }
}
