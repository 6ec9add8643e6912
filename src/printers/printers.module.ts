import {
  BeforeApplicationShutdown,
  DynamicModule,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnModuleInit,
  type Provider,
} from '@nestjs/common';
import { AppConfig, runsApi, runsWorker } from '../config/app-config.js';
import { TaskNames } from '../scheduler/task-names.js';
import { TaskRegistry } from '../scheduler/task-registry.js';
import { LabelService } from './label.service.js';
import { PrintJobsController } from './print-jobs.controller.js';
import { PrintQueueSignal } from './print-queue.signal.js';
import { PrintWorker } from './print-worker.js';
import { PRINTER_DEFINITIONS, PrinterRegistry } from './printer-registry.js';
import { PrinterStatusService } from './printer-status.service.js';
import { loadPrinterDefinitions } from './printers.config.js';
import { PrintersController } from './printers.controller.js';
import { PrintersHealth } from './printers.health.js';
import { PrintersRepository } from './printers.repository.js';
import { PrintersService } from './printers.service.js';
import { SnmpPrinterProbe } from './snmp-printer-probe.js';

/**
 * Worker roles: starts the status probe and the print worker once the app is up (the registry has upserted the
 * printer rows in onModuleInit by then); on shutdown stops both before the database pool closes.
 */
@Injectable()
class PrintersLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly status: PrinterStatusService,
    private readonly worker: PrintWorker,
    private readonly tasks: TaskRegistry,
  ) {}

  /** The probe is the scheduler's cluster task `printer-status`: one replica probes, every replica reads the cache. */
  onModuleInit(): void {
    this.tasks.register({
      name: TaskNames.PrinterStatus,
      scope: 'cluster',
      intervalMs: this.config.printers.probeIntervalS * 1000,
      description: 'probe every SNMP printer into the status cache',
      handler: () => this.status.probeAll(),
    });
  }

  onApplicationBootstrap(): void {
    // One round right away, so status is known at boot rather than one interval later.
    void this.status.probeAll();
    this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.status.stop(), this.worker.stop(this.config.shutdownGraceS * 1000)]);
  }
}

/**
 * Printers: the registry (from IX_PRINTERS or printers.yaml, upserted at boot), the status probe and cache, labels
 * and the persisted print queue. The API in api roles; the probe and the print worker in worker roles. Exports
 * `LabelService` (`printForJob`, `nextAsn`) for the pipeline and `PrinterStatusService` (`probeAll`) for the
 * scheduler.
 */
@Module({})
export class PrintersModule {
  static forRoot(config: AppConfig): DynamicModule {
    // Parsed here, synchronously, so a bad IX_PRINTERS stops boot before anything starts.
    const printers = loadPrinterDefinitions(config.printers);
    const worker = runsWorker(config);
    const providers: Provider[] = [
      { provide: PRINTER_DEFINITIONS, useValue: printers },
      { provide: SnmpPrinterProbe, useFactory: () => new SnmpPrinterProbe() },
      PrintersRepository,
      PrinterRegistry,
      PrintersService,
      PrinterStatusService,
      PrintQueueSignal,
      LabelService,
      PrintersHealth,
      ...(worker ? [PrintWorker, PrintersLifecycle] : []),
    ];
    return {
      module: PrintersModule,
      // Global: the pipeline prints a job's label at its end without importing this config-built module.
      global: true,
      controllers: runsApi(config) ? [PrintersController, PrintJobsController] : [],
      providers,
      exports: [LabelService, PrinterStatusService],
    };
  }
}
