import { describe, expect, it } from '@jest/globals';
import { code128Modules, qrModules } from './label-geometry.js';
import { layoutLabel } from './label-layout.js';
import type { LabelElement, LabelSize } from './label-layout.types.js';

const SIZES: LabelSize[] = [
  { dpi: 203, widthMm: 62, heightMm: 29 },
  { dpi: 203, widthMm: 100, heightMm: 50 },
  { dpi: 300, widthMm: 57, heightMm: 32 },
  { dpi: 300, widthMm: 102, heightMm: 152 },
  { dpi: 600, widthMm: 50, heightMm: 25 },
  { dpi: 203, widthMm: 15, heightMm: 15 },
];

const DATA: [string, unknown][] = [
  ['asn', { asn: 'ASN-000123', title: 'Invoice 2026-11 ACME GmbH, Musterstraße 1', date: '2026-11-22' }],
  ['asn', { asn: 'A1', qr: 'x'.repeat(200) }],
  [
    'fields',
    {
      title: 'Receipt',
      fields: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field ${i}`, 'v'.repeat(i * 5)])),
    },
  ],
  ['text', { text: 'lorem ipsum dolor sit amet '.repeat(60) }],
];

/** The far corner an element can reach, using the same worst-case symbol sizes the layout reserves. */
function extent(element: LabelElement): { right: number; bottom: number } {
  switch (element.kind) {
    case 'text':
      return { right: element.x + element.maxWidth, bottom: element.y + element.fontHeight };
    case 'qr': {
      const side = qrModules(element.data, 'qr') * element.magnification;
      return { right: element.x + side, bottom: element.y + side };
    }
    case 'code128':
      return {
        right: element.x + code128Modules(element.data) * element.moduleWidth,
        bottom: element.y + element.height,
      };
    case 'box':
      return { right: element.x + element.width, bottom: element.y + element.height };
  }
}

describe(layoutLabel.name, () => {
  it.each(SIZES.flatMap((size) => DATA.map(([template, data]) => [template, size, data] as const)))(
    'keeps every %s element inside a %o label',
    (template, size, data) => {
      let sut;
      try {
        sut = layoutLabel(template, data, size);
      } catch (err) {
        // A tiny label may refuse a long QR code; it must say so rather than overflow.
        expect((err as Error).message).toMatch(/does not fit|no field fits/);
        return;
      }
      expect(sut.elements.length).toBeGreaterThan(0);
      for (const element of sut.elements) {
        const { right, bottom } = extent(element);
        expect(element.x).toBeGreaterThanOrEqual(0);
        expect(element.y).toBeGreaterThanOrEqual(0);
        expect(right).toBeLessThanOrEqual(sut.widthDots);
        expect(bottom).toBeLessThanOrEqual(sut.heightDots);
      }
    },
  );

  it('is deterministic', () => {
    const [template, data] = DATA[0];
    expect(layoutLabel(template, data, SIZES[0])).toEqual(layoutLabel(template, data, SIZES[0]));
  });

  it('never cuts the ASN: it shrinks it or refuses', () => {
    const sut = layoutLabel('asn', { asn: 'ASN-2026-11-000000123456' }, SIZES[0]);
    expect(sut.elements).toContainEqual(expect.objectContaining({ kind: 'text', text: 'ASN-2026-11-000000123456' }));
  });
});
