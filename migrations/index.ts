import { CoreJobsDocuments1763856000000 } from './1763856000000-core-jobs-documents.js';

/**
 * Every migration, oldest first. Listed explicitly (no glob) so the build, the CLI and the tests
 * agree on the head without scanning the file system. Never edit a migration after it lands: add one.
 */
export const MIGRATIONS = [CoreJobsDocuments1763856000000];
