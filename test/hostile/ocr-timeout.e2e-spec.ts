import { afterAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readFileSync } from 'node:fs';
import { buildHostileDocuments } from '../../scripts/generate-hostile-documents.js';
import { OcrTimeoutError, TesseractOcrClient } from '../../src/clients/ocr/tesseract-ocr.client.js';

// Real tesseract: one worker, a 20 s page limit (a receipt takes 1-3 s), an OCR CPU bomb and a receipt queued behind it.
describe('OCR page time limit', () => {
  const sut = new TesseractOcrClient({ languages: ['eng'], poolSize: 1, recognizeTimeoutMs: 20_000 });
  afterAll(async () => {
    await sut.close();
  });

  it('fails the slow page with OCR_TIMEOUT (not retried), and the page queued behind it still gets read', async () => {
    Logger.overrideLogger(false);
    const dense = (await buildHostileDocuments()).find((d) => d.name === 'dense-text.png')!.bytes;
    const receipt = readFileSync('samples/receipt.png');

    const [slow, queued] = await Promise.allSettled([
      sut.recognize(dense, { languages: ['eng'], page: 1 }),
      sut.recognize(receipt, { languages: ['eng'], page: 1 }),
    ]);

    expect(slow.status).toBe('rejected');
    const error = (slow as PromiseRejectedResult).reason as OcrTimeoutError;
    expect(error).toBeInstanceOf(OcrTimeoutError);
    expect(error).toMatchObject({ code: 'OCR_TIMEOUT', retryable: false });
    // The receipt waited for the stuck worker, which was restarted for it (not failed along with the slow page).
    expect(queued.status === 'rejected' ? String(queued.reason) : 'fulfilled').toBe('fulfilled');
    expect((queued as PromiseFulfilledResult<{ text: string }>).value.text).toMatch(/SUMME/);
    await expect(sut.selfcheck()).resolves.toMatchObject({ ok: true, detail: expect.stringContaining('timed out') });
  }, 120_000);
});
