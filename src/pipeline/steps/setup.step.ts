import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { DocumentInspector } from '../../documents/document-inspector.js';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../documents/pdf-reader.js';
import { sniffMediaType } from '../../documents/sniff.js';
import { JobFailedError } from '../../jobs/job-handler.js';
import { UrlPolicy } from '../../net/url-policy.js';
import { UseCaseCatalog } from '../../use-cases/use-case-catalog.js';
import type { PipelineContext } from '../pipeline-context.js';
import type { PipelineStep } from '../pipeline-step.js';
import { PipelineRepository } from '../pipeline.repository.js';

/**
 * Loads the bytes (stored upload, or the job's URL through the SSRF guard with timeout and size cap), checks
 * the type from the bytes, counts pages against IX_MAX_PAGES, refuses what would exhaust the later steps (pixel
 * limits from image headers, PDF decompression limits, page sizes, IX_PDF_TIMEOUT_MS), and pins the use-case
 * version the job runs with.
 */
@Injectable()
export class SetupStep implements PipelineStep {
  readonly name = 'setup';

  constructor(
    private readonly config: AppConfig,
    private readonly repository: PipelineRepository,
    private readonly urls: UrlPolicy,
    private readonly useCases: UseCaseCatalog,
    private readonly inspector: DocumentInspector,
  ) {}

  async run(ctx: PipelineContext): Promise<void> {
    const { job } = ctx;
    const useCase = await this.useCases.get(job.useCase).catch(() => {
      throw new JobFailedError('UNKNOWN_USE_CASE', `use case "${job.useCase}" no longer exists`, false);
    });
    let bytes: Buffer;
    let sha256: string;
    if (job.documentSha256) {
      const doc = await this.repository.documentContent(job.documentSha256);
      if (!doc?.content) {
        throw new JobFailedError('DOCUMENT_PURGED', 'the document bytes are no longer stored', false);
      }
      bytes = doc.content;
      sha256 = job.documentSha256;
    } else if (job.documentUrl) {
      const fetched = await this.urls.http.fetchBytes(job.documentUrl, {
        timeoutMs: this.config.pipeline.fetchTimeoutMs,
        maxBytes: this.config.api.maxUploadBytes,
        allow: this.urls.allow,
      });
      bytes = fetched.bytes;
      const mediaType = await sniffMediaType(bytes);
      if (!mediaType) {
        throw new JobFailedError(
          'UNSUPPORTED_MEDIA_TYPE',
          'the fetched document is not a PDF, PNG, JPEG or TIFF',
          false,
        );
      }
      sha256 = createHash('sha256').update(bytes).digest('hex');
      await this.repository.storeFetchedDocument(job.id, { sha256, mediaType, content: bytes });
    } else {
      throw new JobFailedError('DOCUMENT_MISSING', 'the job has neither document bytes nor a URL', false);
    }
    const info = await this.inspector.inspect(bytes, {
      maxPages: this.config.pipeline.maxPages,
      // Largest image accepted before decoding (from headers; inside PDFs, pdfjs skips larger ones): ~ A3 at 600 dpi.
      maxPixels: DEFAULT_MAX_IMAGE_PIXELS,
    });
    await this.repository.recordSetup(job.id, sha256, info.pages, useCase.version);
    ctx.useCase = { definition: useCase.definition, version: useCase.version };
    ctx.document = {
      bytes,
      mediaType: info.mediaType,
      pages: info.pages,
      sha256,
      streamsChecked: info.streamsChecked,
    };
  }
}
