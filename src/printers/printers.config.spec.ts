import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/load-config.js';
import { printerId } from './printer-identity.js';
import { DEFAULT_LABEL, loadPrinterDefinitions, parsePrinters } from './printers.config.js';

const LABELS_DIR = '/var/lib/ix/labels';
const NO_FILE = '/nonexistent/printers.yaml';

function fromEnv(json: unknown) {
  return loadPrinterDefinitions({
    json: typeof json === 'string' ? json : JSON.stringify(json),
    file: NO_FILE,
    probeIntervalS: 15,
    labelsDir: LABELS_DIR,
  });
}

function messageOf(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe(loadPrinterDefinitions.name, () => {
  it('gives a default file printer writing to the labels dir when nothing is configured', () => {
    const sut = loadPrinterDefinitions({ json: undefined, file: NO_FILE, probeIntervalS: 15, labelsDir: LABELS_DIR });
    expect(sut).toEqual([
      {
        id: printerId('file', 'localhost', 0),
        name: 'default',
        model: 'file',
        driver: 'file',
        host: 'localhost',
        port: 0,
        snmp: null,
        dir: LABELS_DIR,
        label: DEFAULT_LABEL,
      },
    ]);
  });

  it('parses IX_PRINTERS with snake_case settings and defaults', () => {
    const [sut] = fromEnv([
      {
        name: 'front-desk',
        model: 'ZD421',
        driver: 'zpl',
        host: '10.0.0.20',
        snmp: { community: 'private', timeout_ms: 500 },
        label: { dpi: 300, width_mm: 100, height_mm: 50 },
      },
    ]);
    expect(sut).toEqual({
      id: printerId('ZD421', '10.0.0.20', 9100),
      name: 'front-desk',
      model: 'ZD421',
      driver: 'zpl',
      host: '10.0.0.20',
      port: 9100,
      snmp: { community: 'private', port: 161, timeoutMs: 500 },
      dir: null,
      label: { dpi: 300, widthMm: 100, heightMm: 50 },
    });
  });

  it('reads printers.yaml when IX_PRINTERS is unset and the file exists', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ix-printers-'));
    try {
      const file = join(dir, 'printers.yaml');
      writeFileSync(
        file,
        'printers:\n  - name: shelf\n    model: GK420d\n    driver: zpl\n    host: shelf.local\n    port: 9101\n',
      );
      const sut = loadPrinterDefinitions({ json: undefined, file, probeIntervalS: 15, labelsDir: LABELS_DIR });
      expect(sut.map((p) => [p.name, p.host, p.port])).toEqual([['shelf', 'shelf.local', 9101]]);

      writeFileSync(file, '- name: shelf\n  model: GK420d\n  driver: laser\n  host: shelf.local\n');
      expect(
        messageOf(() => loadPrinterDefinitions({ json: undefined, file, probeIntervalS: 15, labelsDir: LABELS_DIR })),
      ).toBe(`Invalid configuration: printers file ${file}: printers[0].driver must be one of zpl|file (got "laser")`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names IX_PRINTERS and the field in one line for every kind of mistake', () => {
    expect(messageOf(() => fromEnv('[{"name": '))).toMatch(/^Invalid configuration: IX_PRINTERS must be a JSON array/);
    expect(messageOf(() => fromEnv({ name: 'x' }))).toBe(
      'Invalid configuration: IX_PRINTERS must be an array of printers',
    );
    expect(messageOf(() => fromEnv([{ name: 'a', model: 'm', driver: 'zpl', host: 'h', port: 'x' }]))).toBe(
      'Invalid configuration: IX_PRINTERS[0].port must be an integer between 0 and 65535 (got "x")',
    );
    expect(messageOf(() => fromEnv([{ name: 'a', model: 'm', driver: 'zpl' }]))).toBe(
      'Invalid configuration: IX_PRINTERS[0].host is required for a zpl printer',
    );
    expect(messageOf(() => fromEnv([{ name: 'a', model: 'm', driver: 'file' }]))).toMatch(
      /^Invalid configuration: IX_PRINTERS\[0\]\.dir is required for a file printer/,
    );
    expect(
      messageOf(() => fromEnv([{ name: 'a', model: 'm', driver: 'zpl', host: 'h', snmp: { timeout: 5 } }])),
    ).toMatch(/^Invalid configuration: IX_PRINTERS\[0\]\.snmp\.timeout is not a printer setting/);
    expect(
      messageOf(() =>
        fromEnv([{ name: 'a', model: 'm', driver: 'zpl', host: 'h', label: { dpi: 203, width_mm: 5, height_mm: 30 } }]),
      ),
    ).toBe(
      'Invalid configuration: IX_PRINTERS[0].label.width_mm must be a number of millimetres between 15 and 300 (got 5)',
    );
  });

  it('never echoes the SNMP community', () => {
    const message = messageOf(() =>
      fromEnv([{ name: 'a', model: 'm', driver: 'zpl', host: 'h', snmp: { community: '' } }]),
    );
    expect(message).toBe('Invalid configuration: IX_PRINTERS[0].snmp.community must not be empty');
  });

  it('refuses two entries with one name or one identity', () => {
    const a = { name: 'a', model: 'm', driver: 'zpl', host: 'h' };
    expect(messageOf(() => fromEnv([a, { ...a, host: 'other' }]))).toBe(
      'Invalid configuration: IX_PRINTERS[1].name is already the name of IX_PRINTERS[0] (got "a")',
    );
    expect(messageOf(() => fromEnv([a, { ...a, name: 'b' }]))).toBe(
      'Invalid configuration: IX_PRINTERS[1] has the model, host and port of IX_PRINTERS[0] (one printer, one entry)',
    );
  });
});

describe(parsePrinters.name, () => {
  it('gives the same id to the same model, host and port, and another to another port', () => {
    const one = { name: 'a', model: 'ZD421', driver: 'zpl', host: '10.0.0.20' };
    const [a] = parsePrinters([one], 'IX_PRINTERS');
    const [b] = parsePrinters([{ ...one, name: 'renamed' }], 'IX_PRINTERS');
    const [c] = parsePrinters([{ ...one, port: 9101 }], 'IX_PRINTERS');
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
  });
});
