import snmp from 'net-snmp';
import { encodeDetectedErrorState, type PrinterErrorName } from '../../src/printers/printer-status.js';
import { freeUdpPort } from './free-port.js';

export interface FakeSupply {
  index: number;
  description: string;
  maxCapacity: number;
  level: number;
}

const DEVICE_INDEX = 1;

/**
 * A real SNMP v2c agent on 127.0.0.1 (for the printer tests and the printer-status benchmark) serving the part of HOST-RESOURCES-MIB and Printer-MIB a printer answers the
 * ix probe with: hrPrinterTable (status, detected error state) and prtMarkerSuppliesTable, both indexed by
 * hrDeviceIndex as on real printers.
 */
export class PrinterSnmpAgent {
  private closed = false;

  private constructor(
    private readonly agent: snmp.Agent,
    readonly port: number,
  ) {}

  static async start(community: string, supplies: FakeSupply[]): Promise<PrinterSnmpAgent> {
    const port = await freeUdpPort();
    const agent = snmp.createAgent({ port, address: '127.0.0.1' }, () => undefined);
    agent.getAuthorizer().addCommunity(community);
    const mib = agent.getMib();
    const { ObjectType, MibProviderType, MaxAccess } = snmp;
    mib.registerProvider({
      name: 'hrDeviceEntry',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.25.3.2.1',
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: [{ number: 1, name: 'hrDeviceIndex', type: ObjectType.Integer, maxAccess: MaxAccess['read-only'] }],
      tableIndex: [{ columnName: 'hrDeviceIndex' }],
    });
    mib.registerProvider({
      name: 'hrPrinterEntry',
      type: MibProviderType.Table,
      oid: '1.3.6.1.2.1.25.3.5.1',
      maxAccess: MaxAccess['not-accessible'],
      tableColumns: [
        { number: 1, name: 'hrPrinterStatus', type: ObjectType.Integer, maxAccess: MaxAccess['read-only'] },
        {
          number: 2,
          name: 'hrPrinterDetectedErrorState',
          type: ObjectType.OctetString,
          maxAccess: MaxAccess['read-only'],
        },
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
        {
          number: 6,
          name: 'prtMarkerSuppliesDescription',
          type: ObjectType.OctetString,
          maxAccess: MaxAccess['read-only'],
        },
        {
          number: 8,
          name: 'prtMarkerSuppliesMaxCapacity',
          type: ObjectType.Integer,
          maxAccess: MaxAccess['read-only'],
        },
        { number: 9, name: 'prtMarkerSuppliesLevel', type: ObjectType.Integer, maxAccess: MaxAccess['read-only'] },
      ],
      tableIndex: [{ columnName: 'hrDeviceIndex', foreign: 'hrDeviceEntry' }, { columnName: 'prtMarkerSuppliesIndex' }],
    });
    mib.addTableRow('hrDeviceEntry', [DEVICE_INDEX]);
    mib.addTableRow('hrPrinterEntry', [DEVICE_INDEX, 3, encodeDetectedErrorState([])]);
    for (const supply of supplies) {
      mib.addTableRow('prtMarkerSuppliesEntry', [
        DEVICE_INDEX,
        supply.index,
        supply.description,
        supply.maxCapacity,
        supply.level,
      ]);
    }
    return new PrinterSnmpAgent(agent, port);
  }

  /** hrPrinterStatus: 1 other, 2 unknown, 3 idle, 4 printing, 5 warmup. */
  setStatus(value: number): void {
    this.agent.getMib().setTableSingleCell('hrPrinterEntry', 1, [DEVICE_INDEX], value);
  }

  setErrors(errors: PrinterErrorName[]): void {
    this.agent.getMib().setTableSingleCell('hrPrinterEntry', 2, [DEVICE_INDEX], encodeDetectedErrorState(errors));
  }

  close(): Promise<void> {
    if (this.closed) {
      return Promise.resolve();
    }
    this.closed = true;
    return new Promise((resolve) => this.agent.close(() => resolve()));
  }
}
