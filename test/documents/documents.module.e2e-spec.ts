import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { readFile } from 'node:fs/promises';
import { ConfigModule } from '../../src/config/config.module.js';
import { loadConfig } from '../../src/config/load-config.js';
import { DocumentInspector } from '../../src/documents/document-inspector.js';
import { DocumentsModule } from '../../src/documents/documents.module.js';
import { PdfWorkerPool } from '../../src/documents/pdf-worker-pool.js';

const limits = { maxPages: 5, maxPixels: 40_000_000 };

describe(DocumentsModule.name, () => {
  it('runs PDFs in one pool built from IX_PDF_TIMEOUT_MS, whose threads end with the application', async () => {
    const app = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(loadConfig({ IX_PDF_TIMEOUT_MS: '2500' })), DocumentsModule],
    }).compile();
    await app.init();
    const pool = app.get(PdfWorkerPool);
    const sut = app.get(DocumentInspector);
    const invoice = await readFile('samples/invoice-text.pdf');

    expect(pool.timeoutMs).toBe(2_500);
    await expect(sut.inspect(invoice, limits)).resolves.toMatchObject({ pages: 1 });
    expect(pool.threads).toEqual({ busy: 0, idle: 1 });

    await app.close();

    expect(pool.threads).toEqual({ busy: 0, idle: 0 });
    await expect(sut.inspect(invoice, limits)).rejects.toThrow('the PDF worker pool is closed');
  });
});
