import { createServer, type Server, type Socket } from 'node:net';

export interface ReceivedLabel {
  data: string;
  acceptedAt: number;
  closedAt?: number;
}

export type FakePrinterBehaviour =
  /** read until the client's end of data, then close: what a ZPL printer does on port 9100 */
  | 'print'
  /** accept the connection, then neither read nor close */
  | 'hang';

/** A real TCP peer on 127.0.0.1 standing in for a printer's raw port 9100. */
export class FakeZplPrinter {
  readonly received: ReceivedLabel[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  /** `printDelayMs`: how long the printer takes before it closes a connection it has read to the end. */
  static async start(behaviour: FakePrinterBehaviour, printDelayMs = 0): Promise<FakeZplPrinter> {
    const server = createServer({ allowHalfOpen: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    const printer = new FakeZplPrinter(server, typeof address === 'object' && address ? address.port : 0);
    server.on('connection', (socket) => printer.accept(socket, behaviour, printDelayMs));
    return printer;
  }

  private accept(socket: Socket, behaviour: FakePrinterBehaviour, printDelayMs: number): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => this.sockets.delete(socket));
    const label: ReceivedLabel = { data: '', acceptedAt: performance.now() };
    this.received.push(label);
    if (behaviour === 'hang') {
      socket.pause();
      return;
    }
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (label.data += chunk));
    socket.once('end', () => {
      const timer = setTimeout(() => {
        label.closedAt = performance.now();
        socket.end();
      }, printDelayMs);
      socket.once('close', () => clearTimeout(timer));
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
