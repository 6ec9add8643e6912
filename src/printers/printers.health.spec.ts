import { describe, expect, it } from '@jest/globals';
import type { PrinterStatusRow } from './printer.model.js';
import { parsePrinters } from './printers.config.js';
import { judgePrinters } from './printers.health.js';
import { toStatusView } from './printers.service.js';

const [snmpPrinter, plainPrinter] = parsePrinters(
  [
    { name: 'front-desk', model: 'm', driver: 'zpl', host: 'a', snmp: { community: 'c' } },
    { name: 'shelf', model: 'm', driver: 'zpl', host: 'b' },
  ],
  'IX_PRINTERS',
);

function row(overrides: Partial<PrinterStatusRow> = {}): PrinterStatusRow {
  return {
    printerId: snmpPrinter.id,
    online: true,
    snapshot: { online: true, state: 'idle', errors: [], supplies: [] },
    capturedAt: new Date('2026-11-22T10:00:00.000Z'),
    probedAt: new Date('2026-11-22T10:00:00.000Z'),
    lastError: null,
    captureAgeS: 3.4,
    probeAgeS: 3.4,
    ...overrides,
  };
}

describe(judgePrinters.name, () => {
  it('is ok when every SNMP printer answered within 90 s, and does not judge printers without SNMP', () => {
    expect(judgePrinters([snmpPrinter, plainPrinter], [row()])).toEqual({
      verdict: 'ok',
      detail: 'front-desk last probed 3 s ago',
    });
    expect(judgePrinters([plainPrinter], [])).toEqual({
      verdict: 'ok',
      detail: 'no printer with SNMP settings to judge',
    });
  });

  it('is stale under 600 s and fails beyond, or when the printer never answered, naming the last error', () => {
    expect(judgePrinters([snmpPrinter], [row({ captureAgeS: 240, lastError: 'timed out' })])).toEqual({
      verdict: 'stale',
      detail: 'front-desk last probed 240 s ago (timed out)',
    });
    expect(judgePrinters([snmpPrinter], [row({ captureAgeS: 600 })]).verdict).toBe('fail');
    expect(judgePrinters([snmpPrinter], [])).toEqual({
      verdict: 'fail',
      detail: 'front-desk never answered a probe',
    });
  });
});

describe(toStatusView.name, () => {
  it('notes `never probed` without a good snapshot and `stale` past 90 s', () => {
    expect(toStatusView(snmpPrinter.id, undefined)).toMatchObject({
      online: false,
      state: 'unknown',
      note: 'never probed',
    });
    expect(toStatusView(snmpPrinter.id, row({ snapshot: null, capturedAt: null, captureAgeS: null }))).toMatchObject({
      note: 'never probed',
      lastProbeAgeS: 3,
    });
    expect(toStatusView(snmpPrinter.id, row({ captureAgeS: 91 })).note).toBe('stale');
    expect(toStatusView(snmpPrinter.id, row()).note).toBeNull();
  });

  it('keeps the last good snapshot when the latest probe failed', () => {
    const view = toStatusView(
      snmpPrinter.id,
      row({
        online: false,
        snapshot: { online: true, state: 'other', errors: ['no_paper'], supplies: [] },
        lastError: 'Request timed out',
        probeAgeS: 0.2,
      }),
    );
    expect(view).toMatchObject({
      online: false,
      state: 'other',
      errors: ['no_paper'],
      lastError: 'Request timed out',
      lastProbeAgeS: 0,
    });
  });
});
