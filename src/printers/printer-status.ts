/** hrPrinterStatus (HOST-RESOURCES-MIB) as ix reports it. */
export type PrinterState = 'idle' | 'printing' | 'warmup' | 'other' | 'unknown';

/**
 * hrPrinterDetectedErrorState bit names (RFC 3805 / HOST-RESOURCES-MIB), snake_case for the API. The array index is
 * the bit number, bit 0 being the most significant bit of the first octet.
 */
export const PRINTER_ERROR_BITS = [
  'low_paper',
  'no_paper',
  'low_toner',
  'no_toner',
  'door_open',
  'jammed',
  'offline',
  'service_requested',
  'input_tray_missing',
  'output_tray_missing',
  'marker_supply_missing',
  'output_near_full',
  'output_full',
  'input_tray_empty',
  'overdue_prevent_maint',
] as const;

export type PrinterErrorName = (typeof PRINTER_ERROR_BITS)[number];

/** One row of prtMarkerSuppliesTable (Printer-MIB). */
export interface SupplyLevel {
  /** prtMarkerSuppliesIndex */
  index: number;
  description: string;
  /** prtMarkerSuppliesLevel, raw: may be one of the Printer-MIB special values -1, -2, -3 */
  level: number;
  /** prtMarkerSuppliesMaxCapacity, raw: may be -1 (other) or -2 (unknown) */
  max_capacity: number;
  /** 0-100, or null when level or capacity is not a real quantity */
  percent: number | null;
}

export interface PrinterSnapshot {
  online: boolean;
  state: PrinterState;
  errors: PrinterErrorName[];
  supplies: SupplyLevel[];
}

const HR_PRINTER_STATUS: Readonly<Record<number, PrinterState>> = {
  1: 'other',
  2: 'unknown',
  3: 'idle',
  4: 'printing',
  5: 'warmup',
};

/** hrPrinterStatus INTEGER → state; anything the MIB does not define (or a missing value) is `unknown`. */
export function decodeHrPrinterStatus(value: number | null | undefined): PrinterState {
  return (value !== null && value !== undefined && HR_PRINTER_STATUS[value]) || 'unknown';
}

/**
 * hrPrinterDetectedErrorState is an OCTET STRING carrying BITS. Agents send one or two octets (or none when all is
 * well), so a short buffer simply has the missing bits clear; bits beyond the defined ones are ignored.
 */
export function decodeDetectedErrorState(bytes: Uint8Array): PrinterErrorName[] {
  const names: PrinterErrorName[] = [];
  PRINTER_ERROR_BITS.forEach((name, bit) => {
    const octet = bytes[bit >> 3];
    if (octet !== undefined && (octet & (0x80 >> (bit & 7))) !== 0) {
      names.push(name);
    }
  });
  return names;
}

/** The inverse of decodeDetectedErrorState: what an agent would send for these errors (two octets). */
export function encodeDetectedErrorState(names: readonly PrinterErrorName[]): Buffer {
  const bytes = Buffer.alloc(2);
  for (const name of names) {
    const bit = PRINTER_ERROR_BITS.indexOf(name);
    bytes[bit >> 3] |= 0x80 >> (bit & 7);
  }
  return bytes;
}

/**
 * Percentage left of a supply. Printer-MIB level -1 (other), -2 (unknown) and -3 ("some remaining") and a capacity
 * that is not positive (-1 other, -2 unknown) carry no quantity, so the percentage is null rather than a guess.
 */
export function supplyPercent(level: number, maxCapacity: number): number | null {
  if (!Number.isFinite(level) || !Number.isFinite(maxCapacity) || level < 0 || maxCapacity <= 0) {
    return null;
  }
  return Math.min(100, Math.round((level / maxCapacity) * 100));
}

export function toSupplyLevel(index: number, description: string, level: number, maxCapacity: number): SupplyLevel {
  return { index, description, level, max_capacity: maxCapacity, percent: supplyPercent(level, maxCapacity) };
}

/**
 * A printer that answers is online unless it reports itself offline (the `offline` error bit, e.g. paused at the
 * panel): it would accept a job but not print it.
 */
export function isOnline(errors: readonly PrinterErrorName[]): boolean {
  return !errors.includes('offline');
}
