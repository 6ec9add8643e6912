import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { NotFoundError } from '../common/errors/domain-error.js';
import { LabelDataError } from './label/label-data.error.js';
import { isLabelTemplate } from './label/label-layout.js';
import type { LabelTemplate } from './label/label-layout.types.js';
import { renderLabelPreview } from './label/label-preview.js';
import { renderZplLabel } from './label/zpl-label.js';
import type { PrintJob } from './printer.model.js';
import { PrinterRegistry } from './printer-registry.js';
import type { PrinterDefinition } from './printers.config.js';
import { PrintersRepository, UnknownJobError } from './printers.repository.js';
import { PrintQueueSignal } from './print-queue.signal.js';

/** How often a label is tried before it ends `failed` (backoff from IX_RETRY_BASE_MS, doubling). */
export const PRINT_MAX_ATTEMPTS = 5;

export interface LabelRequest {
  template: string;
  data: unknown;
  copies?: number;
}

export interface JobLabelOptions {
  /** a printer id or name; the default printer when absent */
  printerId?: string;
  /** `asn` when absent */
  template?: string;
  data: unknown;
}

const PRINT_JOB_ID = /^[0-9a-f]{16}$/;

export function newPrintJobId(): string {
  return randomBytes(8).toString('hex');
}

/** `ASN000123`: six digits at least, more once the sequence passes 999999. */
export function formatAsn(n: string): string {
  return `ASN${n.padStart(6, '0')}`;
}

/**
 * Labels: renders (and so validates) a label before anything is queued, persists it in the print queue, and serves
 * print jobs and their previews. The pipeline calls `printForJob` when a job ends and `nextAsn` to number it.
 */
@Injectable()
export class LabelService {
  private readonly logger = new Logger(LabelService.name);

  constructor(
    private readonly registry: PrinterRegistry,
    private readonly repository: PrintersRepository,
    private readonly signal: PrintQueueSignal,
  ) {}

  /**
   * Queues a label for an active printer (id or name) and returns the print job id; 404 for an unknown or inactive
   * printer, 422 for data the template refuses.
   */
  async print(printerIdOrName: string, request: LabelRequest): Promise<string> {
    const printer = this.registry.find(printerIdOrName);
    if (!printer) {
      throw new NotFoundError(`printer ${printerIdOrName}`);
    }
    return this.enqueue(printer, request, null);
  }

  /**
   * The label of a finished job, on the printer it names (id or name) or the default printer, with the `asn`
   * template unless told otherwise. Returns the print job; the label prints in the background with retries.
   */
  async printForJob(jobId: string, options: JobLabelOptions): Promise<{ printJobId: string; printerId: string }> {
    const printer =
      options.printerId === undefined ? this.registry.defaultPrinter() : this.registry.find(options.printerId);
    if (!printer) {
      throw new NotFoundError(`printer ${options.printerId}`);
    }
    try {
      const printJobId = await this.enqueue(
        printer,
        { template: options.template ?? 'asn', data: options.data },
        jobId,
      );
      return { printJobId, printerId: printer.id };
    } catch (err) {
      if (err instanceof UnknownJobError) {
        throw new NotFoundError(`job ${jobId}`);
      }
      throw err;
    }
  }

  /** The next archive serial number from the `asn_seq` sequence: `ASN000123`. Never repeats, may skip. */
  async nextAsn(): Promise<string> {
    return formatAsn(await this.repository.nextAsnNumber());
  }

  async getPrintJob(id: string): Promise<PrintJob> {
    const job = PRINT_JOB_ID.test(id) ? await this.repository.findPrintJob(id) : null;
    if (!job) {
      throw new NotFoundError(`print job ${id}`);
    }
    return job;
  }

  /** The label as the printer prints it, one pixel per dot. */
  async preview(id: string): Promise<Buffer> {
    const job = await this.getPrintJob(id);
    return renderLabelPreview(job.template, job.data, job.label);
  }

  /** Returns the print job id. */
  private async enqueue(printer: PrinterDefinition, request: LabelRequest, jobId: string | null): Promise<string> {
    const template = request.template;
    if (!isLabelTemplate(template)) {
      throw new LabelDataError(`unknown label template "${template}" (expected asn|fields|text)`, 'template');
    }
    const copies = request.copies ?? 1;
    if (!Number.isInteger(copies) || copies < 1 || copies > 99) {
      throw new LabelDataError(`copies must be an integer between 1 and 99 (got ${copies})`, 'copies');
    }
    // Rendering validates the data: a label the template refuses is a 422 and never reaches the queue.
    const zpl = renderZplLabel(template, request.data, printer.label, { copies });
    const id = newPrintJobId();
    await this.repository.insertPrintJob({
      id,
      printerId: printer.id,
      jobId,
      template: template satisfies LabelTemplate,
      data: request.data,
      label: printer.label,
      copies,
      zpl,
      maxAttempts: PRINT_MAX_ATTEMPTS,
    });
    this.logger.log({ print_job_id: id, printer_id: printer.id, job_id: jobId, template }, 'label queued');
    this.signal.notify();
    return id;
  }
}
