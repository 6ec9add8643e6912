import snmp from 'net-snmp';
import {
  decodeDetectedErrorState,
  decodeHrPrinterStatus,
  isOnline,
  type PrinterSnapshot,
  type SupplyLevel,
  toSupplyLevel,
} from './printer-status.js';

/** HOST-RESOURCES-MIB hrPrinterTable, row 1 (the printer's hrDeviceIndex is 1 on every printer seen in practice). */
export const HR_PRINTER_STATUS_OID = '1.3.6.1.2.1.25.3.5.1.1.1';
export const HR_PRINTER_DETECTED_ERROR_STATE_OID = '1.3.6.1.2.1.25.3.5.1.2.1';
/** Printer-MIB prtMarkerSuppliesTable columns. */
export const PRT_MARKER_SUPPLIES_DESCRIPTION_OID = '1.3.6.1.2.1.43.11.1.1.6';
export const PRT_MARKER_SUPPLIES_MAX_CAPACITY_OID = '1.3.6.1.2.1.43.11.1.1.8';
export const PRT_MARKER_SUPPLIES_LEVEL_OID = '1.3.6.1.2.1.43.11.1.1.9';

export interface SnmpProbeTarget {
  host: string;
  /** UDP port of the agent, usually 161 */
  port: number;
  community: string;
  /** per request: a dead printer is only noticed by this timeout (UDP has no refusal) */
  timeoutMs: number;
}

export class SnmpProbeError extends Error {
  constructor(
    readonly host: string,
    cause: unknown,
  ) {
    super(`SNMP probe of ${host} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = new.target.name;
  }
}

/** Column values keyed by the row's index suffix (for prtMarkerSuppliesTable: `hrDeviceIndex.supplyIndex`). */
type Column = Map<string, unknown>;

/** Reads a printer's status over SNMP v2c: one short-lived UDP session per probe. */
export class SnmpPrinterProbe {
  async probe(target: SnmpProbeTarget): Promise<PrinterSnapshot> {
    const session = snmp.createSession(target.host, target.community, {
      port: target.port,
      version: snmp.Version2c,
      // Retries belong to the scheduler's next round, not to a probe that must answer within its timeout.
      retries: 0,
      timeout: target.timeoutMs,
    });
    // net-snmp emits 'error' on an unparsable datagram; unheard, that would crash the process. The request in
    // flight then times out, which is the error the caller sees.
    session.on('error', () => undefined);
    try {
      const [status, descriptions, capacities, levels] = await Promise.all([
        get(session, [HR_PRINTER_STATUS_OID, HR_PRINTER_DETECTED_ERROR_STATE_OID]),
        walkColumn(session, PRT_MARKER_SUPPLIES_DESCRIPTION_OID),
        walkColumn(session, PRT_MARKER_SUPPLIES_MAX_CAPACITY_OID),
        walkColumn(session, PRT_MARKER_SUPPLIES_LEVEL_OID),
      ]);
      const [statusValue, errorStateValue] = status;
      const errors = decodeDetectedErrorState(Buffer.isBuffer(errorStateValue) ? errorStateValue : Buffer.alloc(0));
      return {
        online: isOnline(errors),
        state: decodeHrPrinterStatus(typeof statusValue === 'number' ? statusValue : null),
        errors,
        supplies: toSupplies(descriptions, capacities, levels),
      };
    } catch (err) {
      throw new SnmpProbeError(target.host, err);
    } finally {
      closeQuietly(session);
    }
  }
}

/** Values of the given OIDs in order; a varbind error (noSuchObject, noSuchInstance) gives undefined. */
function get(session: snmp.Session, oids: string[]): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    session.get(oids, (error, varbinds) => {
      if (error) {
        reject(error);
      } else {
        resolve(
          oids.map((_, i) => (varbinds?.[i] && !snmp.isVarbindError(varbinds[i]) ? varbinds[i].value : undefined)),
        );
      }
    });
  });
}

function walkColumn(session: snmp.Session, columnOid: string): Promise<Column> {
  const prefix = `${columnOid}.`;
  const column: Column = new Map();
  return new Promise((resolve, reject) => {
    session.subtree(
      columnOid,
      20,
      (varbinds) => {
        for (const varbind of varbinds) {
          if (!snmp.isVarbindError(varbind) && varbind.oid.startsWith(prefix)) {
            column.set(varbind.oid.slice(prefix.length), varbind.value);
          }
        }
        return undefined;
      },
      (error) => (error ? reject(error) : resolve(column)),
    );
  });
}

function toSupplies(descriptions: Column, capacities: Column, levels: Column): SupplyLevel[] {
  const rows = new Set([...descriptions.keys(), ...capacities.keys(), ...levels.keys()]);
  return [...rows]
    .map((row) =>
      toSupplyLevel(
        Number(row.split('.').at(-1)),
        toText(descriptions.get(row)),
        toInteger(levels.get(row)),
        toInteger(capacities.get(row)),
      ),
    )
    .sort((a, b) => a.index - b.index);
}

function toText(value: unknown): string {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : '';
  // Some agents pad descriptions with NULs.
  return text.replaceAll('\0', '').trim();
}

/** A missing cell reads as -2, Printer-MIB's "unknown". */
function toInteger(value: unknown): number {
  return typeof value === 'number' && Number.isInteger(value) ? value : -2;
}

function closeQuietly(session: snmp.Session): void {
  try {
    session.close();
  } catch {
    // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to release.
  }
}
