import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DocumentInspector } from './document-inspector.js';
import { DocumentReader } from './document-reader.js';
import { PdfWorkerPool } from './pdf-worker-pool.js';

/**
 * Inspecting and reading documents. Owns the process's PDF worker threads: one pool, its deadline from
 * IX_PDF_TIMEOUT_MS, its threads terminated at application shutdown.
 */
@Module({
  providers: [
    {
      provide: PdfWorkerPool,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => new PdfWorkerPool({ timeoutMs: config.pipeline.pdfTimeoutMs }),
    },
    DocumentInspector,
    DocumentReader,
  ],
  exports: [DocumentInspector, DocumentReader],
})
export class DocumentsModule {}
