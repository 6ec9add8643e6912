import type { TextElement } from '../label-layout.types.js';
import { charsThatFit, sanitizeZplText, truncate } from '../label-text.js';

/** One line of user text, sanitised and cut to the width it is given. */
export function textLine(x: number, y: number, fontHeight: number, maxWidth: number, text: string): TextElement {
  const fitted = truncate(sanitizeZplText(text), charsThatFit(maxWidth, fontHeight));
  return { kind: 'text', x, y, fontHeight, maxWidth, text: fitted };
}
