/**
 * Peers for the printer-status benchmark, all on 127.0.0.1: a real SNMP v2c agent answering the part of
 * HOST-RESOURCES-MIB and Printer-MIB the ix probe reads (like test/printers/printer-snmp-agent.ts), a UDP socket
 * that reads every request and never answers (a printer whose agent hangs, or a dropped datagram), and a UDP port
 * with nothing bound (a printer that is off: on loopback the kernel's ICMP "port unreachable" is not reported to
 * an unconnected socket, so it too is only a timeout).
 */
import { createSocket, type Socket } from 'node:dgram';
import snmp from 'net-snmp';
import { encodeDetectedErrorState } from '../../src/printers/printer-status.js';

/** A UDP port that was free on 127.0.0.1 a moment ago (net-snmp reads port 0 as 161). */
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

const DEVICE = 1;

export class PrinterAgent {
  private constructor(
    private readonly agent: snmp.Agent,
    readonly port: number,
  ) {}

  static async start(community: string): Promise<PrinterAgent> {
    const port = await freeUdpPort();
    const agent = snmp.createAgent({ port, address: '127.0.0.1' }, () => undefined);
    agent.getAuthorizer().addCommunity(community);
    const mib = agent.getMib();
    const { ObjectType, MibProviderType, MaxAccess } = snmp;
    const readOnly = MaxAccess['read-only'];
    mib.registerProvider({
      name: 'hrDeviceEntry',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.25.3.2.1',
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: [{ number: 1, name: 'hrDeviceIndex', type: ObjectType.Integer, maxAccess: readOnly }],
      tableIndex: [{ columnName: 'hrDeviceIndex' }],
    });
    mib.registerProvider({
      name: 'hrPrinterEntry',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.25.3.5.1',
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: [
        { number: 1, name: 'hrPrinterStatus', type: ObjectType.Integer, maxAccess: readOnly },
        { number: 2, name: 'hrPrinterDetectedErrorState', type: ObjectType.OctetString, maxAccess: readOnly },
      ],
      tableIndex: [{ columnName: 'hrDeviceIndex', foreign: 'hrDeviceEntry' }],
    });
    mib.registerProvider({
      name: 'prtMarkerSuppliesEntry',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.43.11.1.1',
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: [
        { number: 1, name: 'prtMarkerSuppliesIndex', type: ObjectType.Integer, maxAccess: MaxAccess['not-accessible'] },
        { number: 6, name: 'prtMarkerSuppliesDescription', type: ObjectType.OctetString, maxAccess: readOnly },
        { number: 8, name: 'prtMarkerSuppliesMaxCapacity', type: ObjectType.Integer, maxAccess: readOnly },
        { number: 9, name: 'prtMarkerSuppliesLevel', type: ObjectType.Integer, maxAccess: readOnly },
      ],
      tableIndex: [{ columnName: 'hrDeviceIndex', foreign: 'hrDeviceEntry' }, { columnName: 'prtMarkerSuppliesIndex' }],
    });
    mib.addTableRow('hrDeviceEntry', [DEVICE]);
    // idle (3), no error bits; two supplies like a thermal label printer's ribbon and labels
    mib.addTableRow('hrPrinterEntry', [DEVICE, 3, encodeDetectedErrorState([])]);
    mib.addTableRow('prtMarkerSuppliesEntry', [DEVICE, 1, 'Ribbon', 100, 64]);
    mib.addTableRow('prtMarkerSuppliesEntry', [DEVICE, 2, 'Labels', 1000, 420]);
    return new PrinterAgent(agent, port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.agent.close(() => resolve()));
  }
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
