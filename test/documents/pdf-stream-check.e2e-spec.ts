import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { FakeOcrClient } from '../../src/clients/ocr/fake-ocr.client.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DocumentInspector } from '../../src/documents/document-inspector.js';
import { DocumentReader } from '../../src/documents/document-reader.js';
import { PdfWorkerPool } from '../../src/documents/pdf-worker-pool.js';
import type { ClaimedJob } from '../../src/jobs/job.model.js';
import type { UrlPolicy } from '../../src/net/url-policy.js';
import type { PipelineContext } from '../../src/pipeline/pipeline-context.js';
import type { PipelineRepository } from '../../src/pipeline/pipeline.repository.js';
import { OcrStep } from '../../src/pipeline/steps/ocr.step.js';
import { SetupStep } from '../../src/pipeline/steps/setup.step.js';
import type { UseCaseCatalog } from '../../src/use-cases/use-case-catalog.js';

const job: ClaimedJob = {
  id: 'job-1',
  clientId: 'default',
  requestId: 'request-1',
  useCase: 'invoice',
  priority: 0,
  attempts: 1,
  maxAttempts: 3,
  documentSha256: 'a'.repeat(64),
  documentUrl: null,
  documentFilename: 'invoice.pdf',
  callbackUrl: null,
  label: null,
};

// The setup and OCR steps of one job over the real PDF worker pool; storage and use cases are stubs.
describe('the decompression check of a PDF job', () => {
  const config = loadConfig({ IX_OCR_DPI: '100' }); // a small render: what OCR is handed does not matter here
  const pdfs = new PdfWorkerPool({ timeoutMs: config.pipeline.pdfTimeoutMs });
  afterAll(() => pdfs.close());

  it('runs once, in the setup step; the OCR step reopens the same bytes without it', async () => {
    const bytes = await readFile('samples/invoice-scanned.pdf');
    const repository = {
      documentContent: () => Promise.resolve({ mediaType: 'application/pdf', content: bytes }),
      recordSetup: () => Promise.resolve(),
    } as unknown as PipelineRepository;
    const useCases = {
      get: () => Promise.resolve({ definition: { languages: ['eng'] }, version: 1 }),
    } as unknown as UseCaseCatalog;
    const setup = new SetupStep(config, repository, {} as UrlPolicy, useCases, new DocumentInspector(pdfs));
    const ocr = new OcrStep(config, new FakeOcrClient(), new DocumentReader(pdfs));
    const opened = jest.spyOn(pdfs, 'open');
    const ctx: PipelineContext = { job, signal: new AbortController().signal, timings: {} };

    await setup.run(ctx);
    await ocr.run(ctx);

    expect(ctx.pages).toHaveLength(1);
    expect(opened.mock.calls.map(([, options]) => options?.streamsChecked ?? false)).toEqual([false, true]);
    expect(opened.mock.calls[1][0]).toBe(opened.mock.calls[0][0]);
  });
});
