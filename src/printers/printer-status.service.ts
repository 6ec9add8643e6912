import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { PrinterRegistry } from './printer-registry.js';
import type { PrinterDefinition } from './printers.config.js';
import { PrintersRepository } from './printers.repository.js';
import type { PrinterSnapshot } from './printer-status.js';
import { SnmpPrinterProbe } from './snmp-printer-probe.js';

/** A probe is several SNMP requests (a get and three column walks): the whole of it gets this many timeouts. */
const PROBE_DEADLINE_FACTOR = 3;

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/**
 * Probes every active printer that has SNMP settings and writes the outcome to the status cache: the API and
 * readiness read only the cache, never the network. A round probes the printers in parallel, each within its own
 * deadline; one dead printer delays nobody else. Rounds never overlap.
 */
@Injectable()
export class PrinterStatusService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PrinterStatusService.name);
  private round: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly registry: PrinterRegistry,
    private readonly repository: PrintersRepository,
    private readonly probe: SnmpPrinterProbe,
  ) {}

  /** Waits for a round in flight, so nothing writes after the pool closes (the cadence is the scheduler's). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.round;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** One round over every active SNMP printer. A call while a round runs joins that round. Never rejects. */
  probeAll(): Promise<void> {
    if (this.stopped && !this.round) {
      return Promise.resolve();
    }
    if (!this.round) {
      this.round = this.runRound().finally(() => {
        this.round = undefined;
      });
    }
    return this.round;
  }

  private probed(): PrinterDefinition[] {
    return this.registry.all().filter((p) => p.snmp !== null);
  }

  private async runRound(): Promise<void> {
    await Promise.all(this.probed().map((printer) => this.probeOne(printer)));
  }

  private async probeOne(printer: PrinterDefinition): Promise<void> {
    const snmp = printer.snmp!;
    const started = performance.now();
    let snapshot: PrinterSnapshot;
    try {
      snapshot = await withDeadline(
        this.probe.probe({ host: printer.host, port: snmp.port, community: snmp.community, timeoutMs: snmp.timeoutMs }),
        snmp.timeoutMs * PROBE_DEADLINE_FACTOR,
        `SNMP probe of ${printer.host}`,
      );
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ printer_id: printer.id, printer: printer.name, err: message }, 'printer probe failed');
      await this.record(printer, () => this.repository.recordProbeFailure(printer.id, message));
      return;
    }
    await this.record(printer, () => this.repository.recordProbeSuccess(printer.id, snapshot));
    this.logger.debug(
      { printer_id: printer.id, state: snapshot.state, ms: Math.round(performance.now() - started) },
      'printer probed',
    );
  }

  private async record(printer: PrinterDefinition, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      this.logger.error({ printer_id: printer.id, err: (err as Error).message }, 'could not record printer status');
    }
  }
}
