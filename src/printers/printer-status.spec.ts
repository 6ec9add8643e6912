import { describe, expect, it } from '@jest/globals';
import {
  decodeDetectedErrorState,
  decodeHrPrinterStatus,
  encodeDetectedErrorState,
  isOnline,
  PRINTER_ERROR_BITS,
  supplyPercent,
  toSupplyLevel,
} from './printer-status.js';

/** A two-octet error state with exactly the given bit set, built by hand (bit 0 = MSB of octet 0). */
function withBit(bit: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes[Math.floor(bit / 8)] = 2 ** (7 - (bit % 8));
  return bytes;
}

describe('printer status', () => {
  describe(decodeHrPrinterStatus.name, () => {
    it.each([
      [1, 'other'],
      [2, 'unknown'],
      [3, 'idle'],
      [4, 'printing'],
      [5, 'warmup'],
    ] as const)('decodes %i as %s', (value, state) => {
      expect(decodeHrPrinterStatus(value)).toBe(state);
    });

    it('treats undefined values and a missing value as unknown', () => {
      expect(decodeHrPrinterStatus(0)).toBe('unknown');
      expect(decodeHrPrinterStatus(6)).toBe('unknown');
      expect(decodeHrPrinterStatus(-1)).toBe('unknown');
      expect(decodeHrPrinterStatus(null)).toBe('unknown');
      expect(decodeHrPrinterStatus(undefined)).toBe('unknown');
    });
  });

  describe(decodeDetectedErrorState.name, () => {
    it.each([
      [0, 'low_paper'],
      [1, 'no_paper'],
      [2, 'low_toner'],
      [3, 'no_toner'],
      [4, 'door_open'],
      [5, 'jammed'],
      [6, 'offline'],
      [7, 'service_requested'],
      [8, 'input_tray_missing'],
      [9, 'output_tray_missing'],
      [10, 'marker_supply_missing'],
      [11, 'output_near_full'],
      [12, 'output_full'],
      [13, 'input_tray_empty'],
      [14, 'overdue_prevent_maint'],
    ] as const)('decodes bit %i alone as %s', (bit, name) => {
      expect(decodeDetectedErrorState(withBit(bit))).toEqual([name]);
    });

    it('decodes combinations in bit order', () => {
      expect(decodeDetectedErrorState(Buffer.from([0x48, 0x00]))).toEqual(['no_paper', 'door_open']);
      expect(decodeDetectedErrorState(Buffer.from([0x84, 0x22]))).toEqual([
        'low_paper',
        'jammed',
        'marker_supply_missing',
        'overdue_prevent_maint',
      ]);
      expect(decodeDetectedErrorState(Buffer.from([0xff, 0xfe]))).toEqual([...PRINTER_ERROR_BITS]);
    });

    it('reports nothing for an empty buffer or all bits clear', () => {
      expect(decodeDetectedErrorState(Buffer.alloc(0))).toEqual([]);
      expect(decodeDetectedErrorState(Buffer.alloc(2))).toEqual([]);
    });

    it('reads a one-octet value as the first eight bits', () => {
      expect(decodeDetectedErrorState(Buffer.from([0x02]))).toEqual(['offline']);
      expect(decodeDetectedErrorState(Buffer.from([0xff]))).toEqual(PRINTER_ERROR_BITS.slice(0, 8));
    });

    it('ignores bits and octets the MIB does not define', () => {
      expect(decodeDetectedErrorState(Buffer.from([0x00, 0x01, 0xff]))).toEqual([]);
    });

    it('round-trips through encodeDetectedErrorState', () => {
      expect(decodeDetectedErrorState(encodeDetectedErrorState(['no_paper', 'door_open']))).toEqual([
        'no_paper',
        'door_open',
      ]);
      expect(encodeDetectedErrorState(['no_paper', 'door_open'])).toEqual(Buffer.from([0x48, 0x00]));
    });
  });

  describe(supplyPercent.name, () => {
    it('is the rounded share of the capacity', () => {
      expect(supplyPercent(50, 200)).toBe(25);
      expect(supplyPercent(1, 3)).toBe(33);
      expect(supplyPercent(0, 100)).toBe(0);
      expect(supplyPercent(100, 100)).toBe(100);
    });

    it('is null for the Printer-MIB special levels', () => {
      expect(supplyPercent(-1, 100)).toBeNull();
      expect(supplyPercent(-2, 100)).toBeNull();
      expect(supplyPercent(-3, 100)).toBeNull();
    });

    it('is null when the capacity is unknown or zero', () => {
      expect(supplyPercent(10, -1)).toBeNull();
      expect(supplyPercent(10, -2)).toBeNull();
      expect(supplyPercent(10, 0)).toBeNull();
    });

    it('never exceeds 100 when an agent reports more than the capacity', () => {
      expect(supplyPercent(120, 100)).toBe(100);
    });
  });

  describe(toSupplyLevel.name, () => {
    it('keeps the raw values next to the percentage', () => {
      expect(toSupplyLevel(2, 'Ribbon', -3, 100)).toEqual({
        index: 2,
        description: 'Ribbon',
        level: -3,
        max_capacity: 100,
        percent: null,
      });
    });
  });

  describe(isOnline.name, () => {
    it('is false only when the printer reports itself offline', () => {
      expect(isOnline([])).toBe(true);
      expect(isOnline(['no_paper', 'door_open'])).toBe(true);
      expect(isOnline(['offline'])).toBe(false);
    });
  });
});
