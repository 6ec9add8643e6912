import { describe, expect, it } from '@jest/globals';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { renderLabelPreview } from './label-preview.js';
import { LabelDataError } from './label-data.error.js';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe(renderLabelPreview.name, () => {
  it.each([
    ['asn', { asn: 'ASN-000123', title: 'Invoice', date: '2026-11-22' }, 203, 799, 400],
    ['fields', { title: 'Receipt', fields: { total: 12.5, vendor: 'ACME' } }, 300, 1181, 591],
    ['text', { text: 'Hello label' }, 600, 2362, 1181],
  ] as const)(
    'renders a %s label as a PNG of one pixel per dot at %i dpi',
    async (template, data, dpi, width, height) => {
      const png = await renderLabelPreview(template, data, { dpi, widthMm: 100, heightMm: 50 });
      expect(png.subarray(0, 8)).toEqual(PNG_MAGIC);
      const image = await loadImage(png);
      expect([image.width, image.height]).toEqual([width, height]);
    },
  );

  it('draws the QR code black on white where the layout puts it', async () => {
    const png = await renderLabelPreview('asn', { asn: 'ASN-1' }, { dpi: 203, widthMm: 62, heightMm: 29 });
    const image = await loadImage(png);
    const ctx = createCanvas(image.width, image.height).getContext('2d');
    ctx.drawImage(image, 0, 0);
    // A QR finder pattern's outer ring starts at the top-left module: (16, 32) at magnification 8 here.
    expect([...ctx.getImageData(16 + 4, 32 + 4, 1, 1).data]).toEqual([0, 0, 0, 255]);
    expect([...ctx.getImageData(2, 2, 1, 1).data]).toEqual([255, 255, 255, 255]);
  });

  it('rejects invalid data like the ZPL renderer', async () => {
    await expect(
      renderLabelPreview('asn', { asn: '' }, { dpi: 203, widthMm: 62, heightMm: 29 }),
    ).rejects.toBeInstanceOf(LabelDataError);
  });
});
