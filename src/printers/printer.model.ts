import type { LabelSize, LabelTemplate } from './label/label-layout.types.js';
import type { PrinterDriverKind } from './printers.config.js';
import type { PrinterSnapshot } from './printer-status.js';

/** What the `printers.config` column holds: the settings besides the address, never the SNMP community. */
export interface StoredPrinterConfig {
  snmp: { port: number; timeout_ms: number } | null;
  dir: string | null;
  label: { dpi: number; width_mm: number; height_mm: number };
}

export interface Printer {
  id: string;
  name: string;
  model: string;
  driver: PrinterDriverKind;
  host: string;
  port: number;
  config: StoredPrinterConfig;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A printer's row of the status cache, with ages measured on the database clock. */
export interface PrinterStatusRow {
  printerId: string;
  online: boolean;
  /** the last good snapshot; null until a probe has succeeded */
  snapshot: PrinterSnapshot | null;
  capturedAt: Date | null;
  probedAt: Date | null;
  lastError: string | null;
  /** seconds since the last good probe */
  captureAgeS: number | null;
  /** seconds since the last attempt */
  probeAgeS: number | null;
}

export enum PrintJobStatus {
  Queued = 'queued',
  Printing = 'printing',
  Printed = 'printed',
  Failed = 'failed',
}

export interface NewPrintJob {
  id: string;
  printerId: string;
  jobId: string | null;
  template: LabelTemplate;
  data: unknown;
  label: LabelSize;
  copies: number;
  zpl: string;
  maxAttempts: number;
}

export interface PrintJob {
  id: string;
  printerId: string;
  jobId: string | null;
  template: LabelTemplate;
  data: unknown;
  label: LabelSize;
  copies: number;
  status: PrintJobStatus;
  attempts: number;
  maxAttempts: number;
  runAfter: Date;
  lastError: string | null;
  createdAt: Date;
  printedAt: Date | null;
}

/** A print job a worker holds: what it needs to send the label. */
export interface ClaimedPrintJob {
  id: string;
  printerId: string;
  template: LabelTemplate;
  data: unknown;
  label: LabelSize;
  zpl: string;
  attempts: number;
  maxAttempts: number;
}
