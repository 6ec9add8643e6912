import { describe, expect, it } from '@jest/globals';
import { createCanvas } from '@napi-rs/canvas';
import { greyTiff } from '../../test/documents/support/images.js';
import { sniffMediaType } from './sniff.js';

describe('sniffMediaType', () => {
  const canvas = createCanvas(8, 8);

  it('recognises PDF, PNG, JPEG and TIFF by their content', async () => {
    await expect(sniffMediaType(Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'))).resolves.toBe('application/pdf');
    await expect(sniffMediaType(canvas.toBuffer('image/png'))).resolves.toBe('image/png');
    await expect(sniffMediaType(canvas.toBuffer('image/jpeg'))).resolves.toBe('image/jpeg');
    await expect(sniffMediaType(greyTiff([{ width: 4, height: 4 }]))).resolves.toBe('image/tiff');
  });

  it('answers null for anything else', async () => {
    await expect(sniffMediaType(Buffer.from('Rechnung RE-2026-001, plain text'))).resolves.toBeNull();
    await expect(sniffMediaType(await canvas.encode('webp'))).resolves.toBeNull();
    await expect(sniffMediaType(Buffer.alloc(0))).resolves.toBeNull();
  });
});
