import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { FileDriver } from './drivers/file.driver.js';
import type { PrinterDriver } from './drivers/printer-driver.js';
import { ZplTcpDriver } from './drivers/zpl-tcp.driver.js';
import { DEFAULT_PRINTER_NAME, type PrinterDefinition } from './printers.config.js';
import { PrintersRepository } from './printers.repository.js';

/** DI token of the validated printer list (parsed from config in `PrintersModule.forRoot`). */
export const PRINTER_DEFINITIONS = Symbol('PRINTER_DEFINITIONS');

/** Raw port 9100: how long to wait for the connection, and for progress once connected. */
export const ZPL_CONNECT_TIMEOUT_MS = 3_000;
export const ZPL_IDLE_TIMEOUT_MS = 10_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isPrinterId(value: string): boolean {
  return UUID.test(value);
}

function createDriver(printer: PrinterDefinition): PrinterDriver {
  switch (printer.driver) {
    case 'zpl':
      return new ZplTcpDriver({
        host: printer.host,
        port: printer.port,
        connectTimeoutMs: ZPL_CONNECT_TIMEOUT_MS,
        idleTimeoutMs: ZPL_IDLE_TIMEOUT_MS,
      });
    case 'file':
      return new FileDriver({ dir: printer.dir ?? '.' });
  }
}

/**
 * The printers this process is configured with: the active ones. At boot (the schema is at head once the
 * repository's DataSource exists) their rows are upserted and every other row is marked inactive, before any probe
 * or print worker starts (those start in onApplicationBootstrap).
 */
@Injectable()
export class PrinterRegistry implements OnModuleInit {
  private readonly logger = new Logger(PrinterRegistry.name);
  private readonly byId: ReadonlyMap<string, PrinterDefinition>;
  private readonly drivers = new Map<string, PrinterDriver>();

  constructor(
    @Inject(PRINTER_DEFINITIONS) private readonly printers: readonly PrinterDefinition[],
    private readonly repository: PrintersRepository,
  ) {
    this.byId = new Map(printers.map((p) => [p.id, p]));
  }

  async onModuleInit(): Promise<void> {
    const { deactivated } = await this.repository.syncPrinters(this.printers);
    this.logger.log(
      {
        printers: this.printers.map((p) => ({ id: p.id, name: p.name, driver: p.driver, snmp: p.snmp !== null })),
        deactivated,
      },
      'printers registered',
    );
  }

  all(): readonly PrinterDefinition[] {
    return this.printers;
  }

  /** An active printer by id or by name (use-case files name their printer). */
  find(idOrName: string): PrinterDefinition | undefined {
    return this.byId.get(idOrName) ?? this.printers.find((p) => p.name === idOrName);
  }

  /** The printer labels go to when none is named: the one called `default`, else the first configured. */
  defaultPrinter(): PrinterDefinition {
    return this.printers.find((p) => p.name === DEFAULT_PRINTER_NAME) ?? this.printers[0];
  }

  driverFor(printerId: string): PrinterDriver | undefined {
    const printer = this.byId.get(printerId);
    if (!printer) {
      return undefined;
    }
    let driver = this.drivers.get(printerId);
    if (!driver) {
      driver = createDriver(printer);
      this.drivers.set(printerId, driver);
    }
    return driver;
  }
}
