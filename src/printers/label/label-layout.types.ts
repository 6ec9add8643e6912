/** A label's physical size; every position on it is in printer dots. */
export interface LabelSize {
  dpi: 203 | 300 | 600;
  widthMm: number;
  heightMm: number;
}

export const LABEL_TEMPLATES = ['asn', 'fields', 'text'] as const;
export type LabelTemplate = (typeof LABEL_TEMPLATES)[number];

/** A line of text; (x, y) is the top-left of its cell, fontHeight its height in dots. */
export interface TextElement {
  kind: 'text';
  x: number;
  y: number;
  fontHeight: number;
  /** the width the text was fitted to: a renderer must not draw past it */
  maxWidth: number;
  text: string;
}

/** A QR code (model 2, error correction M) drawn with square modules of `magnification` dots. */
export interface QrElement {
  kind: 'qr';
  x: number;
  y: number;
  magnification: number;
  data: string;
}

/** A Code 128 barcode without an interpretation line; its narrowest bar is `moduleWidth` dots. */
export interface Code128Element {
  kind: 'code128';
  x: number;
  y: number;
  height: number;
  moduleWidth: number;
  data: string;
}

/** A rectangle outline `thickness` dots wide; a thickness of half the smaller side or more fills it. */
export interface BoxElement {
  kind: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
  thickness: number;
}

export type LabelElement = TextElement | QrElement | Code128Element | BoxElement;

/** What a label shows, positioned: the one description both the ZPL and the PNG renderer draw. */
export interface LabelLayout {
  widthDots: number;
  heightDots: number;
  elements: LabelElement[];
}
