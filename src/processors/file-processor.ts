import type { TaskRunContext } from '../scheduler/task.types.js';

/** A file waiting for a processor, oldest first. `path` is relative to the processor's directory. */
export interface PendingFile {
  path: string;
  mtime: Date;
  ageS: number;
}

export interface ProcessorStatus {
  name: string;
  task: string;
  intervalMs: number;
  directory: string;
  processed: number;
  failed: number;
  pending: number;
  oldestPending: PendingFile | null;
}

/**
 * A pluggable file processor: a provider with a name and a cadence, run as its own cluster-scoped scheduler task
 * (so one processor failing never stops another). Add one by providing it and listing it under FILE_PROCESSORS
 * in ProcessorsModule.
 */
export interface FileProcessor {
  readonly name: string;
  readonly taskName: string;
  readonly intervalMs: number;
  readonly description: string;
  run(ctx: TaskRunContext): Promise<unknown>;
  status(): Promise<ProcessorStatus>;
}

export const FILE_PROCESSORS = Symbol('FILE_PROCESSORS');

/** Names the processors never pick up: hidden files and the usual partial-download suffixes. */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || name.endsWith('~') || /\.(tmp|part|partial|crdownload|swp)$/i.test(name);
}
