import { createSocket } from 'node:dgram';

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
