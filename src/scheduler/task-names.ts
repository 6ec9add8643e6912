/** The tasks of this build. A module adding a task adds its name here and registers it (see TaskRegistry). */
export const TaskNames = {
  OrphanSweep: 'orphan-sweep',
  InboxScan: 'inbox-scan',
  OutboxExport: 'outbox-export',
  Retention: 'retention',
  PrinterStatus: 'printer-status',
  CallbackDelivery: 'callback-delivery',
} as const;

/**
 * Wherever tasks are scheduled (roles that run workers), boot fails naming any of these without a handler:
 * a task that silently never runs is worse than a process that does not start.
 */
export const DECLARED_TASKS: readonly string[] = Object.values(TaskNames);
