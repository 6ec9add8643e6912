import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/*
 * Free loopback ports for the peers that tests and benchmarks start (PostgreSQL, HTTP servers, SNMP agents).
 * "Free a moment ago": another process may take the port before the caller binds it.
 */

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A UDP port that was free on 127.0.0.1 a moment ago (net-snmp reads port 0 as 161, so it cannot pick one). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}
