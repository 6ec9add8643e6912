import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error.js';
import type { Printer, PrinterStatusRow } from './printer.model.js';
import { isPrinterId } from './printer-registry.js';
import type { PrinterErrorName, PrinterState, SupplyLevel } from './printer-status.js';
import { PrintersRepository } from './printers.repository.js';

/** A status whose last good probe is older than this is `stale` (the probe runs every 15 s by default). */
export const STATUS_STALE_AFTER_S = 90;

export type StatusNote = 'never probed' | 'stale' | null;

export interface PrinterStatusView {
  printerId: string;
  online: boolean;
  state: PrinterState;
  errors: PrinterErrorName[];
  supplies: SupplyLevel[];
  /** the last good probe */
  capturedAt: Date | null;
  /** seconds since the last probe attempt, good or not */
  lastProbeAgeS: number | null;
  lastError: string | null;
  note: StatusNote;
}

/** What the cache says about a printer, and how much to trust it. Pure: the ages come with the row. */
export function toStatusView(printerId: string, row: PrinterStatusRow | undefined): PrinterStatusView {
  const snapshot = row?.snapshot ?? null;
  const note: StatusNote =
    !row || row.capturedAt === null
      ? 'never probed'
      : (row.captureAgeS ?? Infinity) > STATUS_STALE_AFTER_S
        ? 'stale'
        : null;
  return {
    printerId,
    online: row?.online ?? false,
    state: snapshot?.state ?? 'unknown',
    errors: snapshot?.errors ?? [],
    supplies: snapshot?.supplies ?? [],
    capturedAt: row?.capturedAt ?? null,
    lastProbeAgeS: row?.probeAgeS === null || row?.probeAgeS === undefined ? null : Math.floor(row.probeAgeS),
    lastError: row?.lastError ?? null,
    note,
  };
}

/** The printers API: rows and the status cache only. Nothing here touches a printer or the network. */
@Injectable()
export class PrintersService {
  constructor(private readonly repository: PrintersRepository) {}

  list(): Promise<Printer[]> {
    return this.repository.listPrinters();
  }

  async get(id: string): Promise<Printer> {
    const printer = isPrinterId(id) ? await this.repository.findPrinter(id) : null;
    if (!printer) {
      throw new NotFoundError(`printer ${id}`);
    }
    return printer;
  }

  async status(id: string): Promise<PrinterStatusView> {
    const printer = await this.get(id);
    const [row] = await this.repository.statuses([printer.id]);
    return toStatusView(printer.id, row);
  }
}
