import { CoreJobsDocuments1763856000000 } from './1763856000000-core-jobs-documents.js';
import { Pipeline1763856000001 } from './1763856000001-pipeline.js';
import { Printers1763856000002 } from './1763856000002-printers.js';
import { SchedulerProcessors1763856000003 } from './1763856000003-scheduler-processors.js';
import { SlimQueue1763856000004 } from './1763856000004-slim-queue.js';
import { JobsSeqIndex1763856000005 } from './1763856000005-jobs-seq-index.js';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the build, the CLI and the tests
 * agree on the head without scanning the file system. Never edit a migration after it lands: add one.
 */
export const MIGRATIONS = [
  CoreJobsDocuments1763856000000,
  Pipeline1763856000001,
  Printers1763856000002,
  SchedulerProcessors1763856000003,
  SlimQueue1763856000004,
  JobsSeqIndex1763856000005,
];
