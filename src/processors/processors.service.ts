import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { TaskRegistry } from '../scheduler/task-registry.js';
import { FILE_PROCESSORS, type FileProcessor, type ProcessorStatus } from './file-processor.js';

export type ProcessorReport = ProcessorStatus | { name: string; task: string; error: string };

/** Registers every file processor as its own cluster-scoped task, and reports on them. */
@Injectable()
export class ProcessorsService implements OnModuleInit {
  private readonly logger = new Logger(ProcessorsService.name);

  constructor(
    @Inject(FILE_PROCESSORS) private readonly processors: FileProcessor[],
    private readonly tasks: TaskRegistry,
  ) {}

  onModuleInit(): void {
    for (const processor of this.processors) {
      this.tasks.register({
        name: processor.taskName,
        scope: 'cluster',
        intervalMs: processor.intervalMs,
        description: processor.description,
        handler: (ctx) => processor.run(ctx),
      });
    }
  }

  /** Each processor's report; one that cannot report shows its error and the others still answer. */
  statuses(): Promise<ProcessorReport[]> {
    return Promise.all(
      this.processors.map((p) =>
        p.status().catch((err: unknown): ProcessorReport => {
          const error = err instanceof Error ? err.message : String(err);
          this.logger.warn({ processor: p.name, err: error }, 'processor status failed');
          return { name: p.name, task: p.taskName, error };
        }),
      ),
    );
  }
}
