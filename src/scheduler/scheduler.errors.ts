import { HttpStatus } from '@nestjs/common';
import { ConflictError, DomainError, NotFoundError } from '../common/errors/domain-error.js';

export class UnknownTaskError extends NotFoundError {
  constructor(name: string) {
    super(`task "${name}"`);
  }
}

/** 409: a run of this task is in flight on this replica. */
export class TaskRunningError extends ConflictError {
  constructor(name: string, runId: string) {
    super('TASK_RUNNING', `task "${name}" is running on this replica (run ${runId})`, { run_id: runId });
  }
}

/** 409: a cluster-scoped task whose advisory lock another replica holds, i.e. it is running there. */
export class TaskRunningElsewhereError extends ConflictError {
  constructor(name: string) {
    super('TASK_RUNNING', `task "${name}" is running on another replica (its cluster lock is held)`);
  }
}

/** 409: a declared task whose handler lives in a module this replica's role does not load (e.g. workers only). */
export class TaskNotHereError extends ConflictError {
  constructor(name: string) {
    super(
      'TASK_NOT_RUNNABLE_HERE',
      `task "${name}" is not registered on this replica (its module runs on worker replicas); trigger it there`,
    );
  }
}

export class SchedulerStoppingError extends DomainError {
  constructor() {
    super('SHUTTING_DOWN', 'the scheduler is shutting down', HttpStatus.SERVICE_UNAVAILABLE);
  }
}
