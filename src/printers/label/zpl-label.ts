import { layoutLabel } from './label-layout.js';
import type { LabelElement, LabelLayout, LabelSize } from './label-layout.types.js';

export type { LabelSize, LabelTemplate } from './label-layout.types.js';
export { LabelDataError } from './label-data.error.js';
export { sanitizeZplText } from './label-text.js';

export interface ZplOptions {
  /** printed copies of the label (^PQ), 1-99 */
  copies?: number;
}

/** The ZPL II program that prints a template's label: `^XA` … `^XZ`, native fonts and barcodes, no images. */
export function renderZplLabel(template: string, data: unknown, size: LabelSize, options: ZplOptions = {}): string {
  return layoutToZpl(layoutLabel(template, data, size), options);
}

/** Every text in the layout is already sanitised (label-text.ts), so it cannot end its field early. */
export function layoutToZpl(layout: LabelLayout, options: ZplOptions = {}): string {
  const copies = options.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > 99) {
    throw new RangeError(`copies must be an integer between 1 and 99 (got ${copies})`);
  }
  return [
    '^XA',
    '^CI28', // field data is UTF-8
    `^PW${layout.widthDots}`,
    `^LL${layout.heightDots}`,
    '^LH0,0',
    ...layout.elements.map(elementToZpl),
    ...(copies > 1 ? [`^PQ${copies}`] : []),
    '^XZ',
  ].join('\n');
}

function elementToZpl(element: LabelElement): string {
  const origin = `^FO${element.x},${element.y}`;
  switch (element.kind) {
    case 'text':
      return `${origin}^A0N,${element.fontHeight},${element.fontHeight}^FD${element.text}^FS`;
    case 'qr':
      // "MA,": error correction M, automatic input mode; the printer picks the smallest symbol, as the preview does.
      return `${origin}^BQN,2,${element.magnification},M^FDMA,${element.data}^FS`;
    case 'code128':
      // Automatic subset selection (mode A), no human-readable line: the label prints the ASN in large text.
      return `${origin}^BY${element.moduleWidth}^BCN,${element.height},N,N,N,A^FD${element.data}^FS`;
    case 'box':
      return `${origin}^GB${element.width},${element.height},${element.thickness}^FS`;
  }
}
