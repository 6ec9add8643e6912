import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { PrintersConfig } from '../config/app-config.js';
import { ConfigError } from '../config/load-config.js';
import { MAX_LABEL_MM, MIN_LABEL_MM } from './label/label-geometry.js';
import type { LabelSize } from './label/label-layout.types.js';
import { printerId } from './printer-identity.js';

export const PRINTER_DRIVERS = ['zpl', 'file'] as const;
export type PrinterDriverKind = (typeof PRINTER_DRIVERS)[number];

export interface SnmpSettings {
  community: string;
  port: number;
  timeoutMs: number;
}

/** One configured printer, validated, with its stable id. */
export interface PrinterDefinition {
  id: string;
  name: string;
  model: string;
  driver: PrinterDriverKind;
  host: string;
  port: number;
  snmp: SnmpSettings | null;
  /** where a `file` printer writes its labels (null for `zpl`) */
  dir: string | null;
  label: LabelSize;
}

/** The label most desktop label printers are loaded with: 62 x 29 mm at 203 dpi. */
export const DEFAULT_LABEL: LabelSize = { dpi: 203, widthMm: 62, heightMm: 29 };
export const DEFAULT_PRINTER_NAME = 'default';

const ZPL_RAW_PORT = 9100;
const SNMP_PORT = 161;

const text = (max: number) =>
  z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

const int = (min: number, max: number) =>
  z
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int(`must be an integer between ${min} and ${max}`)
    .min(min, `must be an integer between ${min} and ${max}`)
    .max(max, `must be an integer between ${min} and ${max}`);

const snmpSchema = z.strictObject(
  {
    community: text(255).default('public'),
    port: int(1, 65535).default(SNMP_PORT),
    timeout_ms: int(50, 60_000).default(2_000),
  },
  { error: 'must be an object {community, port, timeout_ms}' },
);

const millimetres = z
  .number({ error: `must be a number of millimetres between ${MIN_LABEL_MM} and ${MAX_LABEL_MM}` })
  .min(MIN_LABEL_MM, `must be a number of millimetres between ${MIN_LABEL_MM} and ${MAX_LABEL_MM}`)
  .max(MAX_LABEL_MM, `must be a number of millimetres between ${MIN_LABEL_MM} and ${MAX_LABEL_MM}`);

const labelSchema = z.strictObject(
  {
    dpi: z.union([z.literal(203), z.literal(300), z.literal(600)], { error: 'must be 203, 300 or 600' }),
    width_mm: millimetres,
    height_mm: millimetres,
  },
  { error: 'must be an object {dpi, width_mm, height_mm}' },
);

const printerSchema = z.strictObject(
  {
    name: text(100),
    model: text(100),
    driver: z.enum(PRINTER_DRIVERS, { error: `must be one of ${PRINTER_DRIVERS.join('|')}` }),
    host: text(255).optional(),
    port: int(0, 65535).optional(),
    snmp: snmpSchema.optional(),
    dir: text(4096).optional(),
    label: labelSchema.optional(),
  },
  { error: 'must be an object {name, model, driver, host, port, snmp?, dir?, label?}' },
);

const printersSchema = z.array(printerSchema, { error: 'must be an array of printers' });

type PrinterInput = z.infer<typeof printerSchema>;

/** `[0].snmp.port` */
function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function got(value: unknown, path: readonly PropertyKey[]): string {
  if (path.at(-1) === 'community' || value === undefined || (typeof value === 'object' && value !== null)) {
    return ''; // the community is a password; objects say nothing useful in one line
  }
  return ` (got ${JSON.stringify(value)})`;
}

class Problems {
  constructor(private readonly source: string) {}

  fail(path: readonly PropertyKey[], message: string, raw?: unknown): never {
    throw new ConfigError(`Invalid configuration: ${this.source}${pathOf(path)} ${message}${got(raw, path)}`);
  }
}

function toDefinition(input: PrinterInput, index: number, problems: Problems): PrinterDefinition {
  const at = (...rest: PropertyKey[]) => [index, ...rest];
  let host: string;
  let port: number;
  let dir: string | null = null;
  if (input.driver === 'zpl') {
    if (input.host === undefined) {
      problems.fail(at('host'), 'is required for a zpl printer');
    }
    if (input.dir !== undefined) {
      problems.fail(at('dir'), 'is only for file printers');
    }
    host = input.host;
    port = input.port ?? ZPL_RAW_PORT;
    if (port === 0) {
      problems.fail(at('port'), 'must be an integer between 1 and 65535', port);
    }
  } else {
    if (input.dir === undefined) {
      problems.fail(at('dir'), 'is required for a file printer (the directory its labels are written to)');
    }
    // A file printer has no address; host and port only tell two of them apart (they make the id).
    host = input.host ?? 'localhost';
    port = input.port ?? 0;
    dir = resolve(input.dir);
  }
  const label: LabelSize = input.label
    ? { dpi: input.label.dpi, widthMm: input.label.width_mm, heightMm: input.label.height_mm }
    : DEFAULT_LABEL;
  return {
    id: printerId(input.model, host, port),
    name: input.name,
    model: input.model,
    driver: input.driver,
    host,
    port,
    snmp: input.snmp
      ? { community: input.snmp.community, port: input.snmp.port, timeoutMs: input.snmp.timeout_ms }
      : null,
    dir,
    label,
  };
}

/** Validates a list of printers from `source` (`IX_PRINTERS` or the file); throws a one-line ConfigError. */
export function parsePrinters(raw: unknown, source: string): PrinterDefinition[] {
  const problems: Problems = new Problems(source);
  const parsed = printersSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      const path = [...issue.path, issue.keys[0]];
      problems.fail(path, 'is not a printer setting (allowed: name, model, driver, host, port, snmp, dir, label)');
    }
    problems.fail(issue.path, issue.message, valueAt(raw, issue.path));
  }
  const printers = parsed.data.map((p, i) => toDefinition(p, i, problems));
  printers.forEach((printer, i) => {
    const first = printers.findIndex((p) => p.name === printer.name);
    if (first !== i) {
      problems.fail([i, 'name'], `is already the name of ${source}[${first}]`, printer.name);
    }
    const same = printers.findIndex((p) => p.id === printer.id);
    if (same !== i) {
      problems.fail([i], `has the model, host and port of ${source}[${same}] (one printer, one entry)`);
    }
  });
  return printers;
}

/** The printer `npm start` prints to when none is configured: label files under IX_DATA_DIR/labels. */
export function defaultPrinter(labelsDir: string): PrinterDefinition {
  const host = 'localhost';
  return {
    id: printerId('file', host, 0),
    name: DEFAULT_PRINTER_NAME,
    model: 'file',
    driver: 'file',
    host,
    port: 0,
    snmp: null,
    dir: labelsDir,
    label: DEFAULT_LABEL,
  };
}

/**
 * The configured printers: `IX_PRINTERS` (a JSON array) when set, else the YAML file (a list, or `printers:` with a
 * list) when it exists, else one `file` printer named `default`. Anything invalid stops boot with one line that names
 * the variable (or the file) and the field.
 */
export function loadPrinterDefinitions(config: PrintersConfig): PrinterDefinition[] {
  if (config.json !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(config.json);
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration: IX_PRINTERS must be a JSON array of printers (${(err as Error).message})`,
      );
    }
    return nonEmpty(parsePrinters(raw, 'IX_PRINTERS'), config.labelsDir);
  }
  if (existsSync(config.file)) {
    const source = `printers file ${config.file}: printers`;
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(config.file, 'utf8'));
    } catch (err) {
      throw new ConfigError(
        `Invalid configuration: printers file ${config.file} is not valid YAML (${(err as Error).message.split('\n')[0]})`,
      );
    }
    const list =
      typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'printers' in raw ? raw.printers : raw;
    return nonEmpty(parsePrinters(list ?? [], source), config.labelsDir);
  }
  return [defaultPrinter(config.labelsDir)];
}

function nonEmpty(printers: PrinterDefinition[], labelsDir: string): PrinterDefinition[] {
  // An empty list means "no printers of my own": the default file printer still lets labels be made.
  return printers.length > 0 ? printers : [defaultPrinter(labelsDir)];
}
