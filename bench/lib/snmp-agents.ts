/**
 * Peers for the printer-status benchmark, all on 127.0.0.1: a real SNMP v2c agent answering the part of
 * HOST-RESOURCES-MIB and Printer-MIB the ix probe reads (the printer tests' agent, scripts/lib/printer-snmp-agent.ts),
 * a UDP socket that reads every request and never answers (a printer whose agent hangs, or a dropped datagram), and a UDP port
 * with nothing bound (a printer that is off: on loopback the kernel's ICMP "port unreachable" is not reported to
 * an unconnected socket, so it too is only a timeout).
 */
import { createSocket, type Socket } from 'node:dgram';
import { PrinterSnmpAgent } from '../../scripts/lib/printer-snmp-agent.js';

/** A thermal label printer's agent: idle, no error bits, a ribbon and a roll of labels. */
export function startPrinterAgent(community: string): Promise<PrinterSnmpAgent> {
  return PrinterSnmpAgent.start(community, [
    { index: 1, description: 'Ribbon', maxCapacity: 100, level: 64 },
    { index: 2, description: 'Labels', maxCapacity: 1000, level: 420 },
  ]);
}

/** Reads every datagram and never answers. */
export class SilentUdpPeer {
  private received = 0;

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {
    socket.on('message', () => {
      this.received += 1;
    });
  }

  static start(): Promise<SilentUdpPeer> {
    return new Promise((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve(new SilentUdpPeer(socket, socket.address().port)));
    });
  }

  /** Requests swallowed so far (proves the probes reached it). */
  get requests(): number {
    return this.received;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
