import { labelDots, mmToDots } from '../label-geometry.js';
import { LabelDataReader } from '../label-data.js';
import type { LabelElement, LabelLayout, LabelSize } from '../label-layout.types.js';
import { charsThatFit, wrapText } from '../label-text.js';

export interface TextLabelData {
  text: string;
}

const LINE_SPACING = 1.25;

export function parseTextLabelData(data: unknown): TextLabelData {
  const reader: LabelDataReader = LabelDataReader.of('text', data, ['text']);
  return { text: reader.string('text', 4000) };
}

/** Free text, word-wrapped at a readable size (3.5 mm, smaller only on tiny labels); what does not fit ends in `...`. */
export function layoutTextLabel(data: TextLabelData, size: LabelSize): LabelLayout {
  const { width, height } = labelDots(size);
  const margin = mmToDots(2, size.dpi);
  const inner = height - 2 * margin;
  const lineWidth = width - 2 * margin;
  // At least two lines on any label, since a one-line text label is rarely what was meant.
  const font = Math.min(mmToDots(3.5, size.dpi), Math.floor(inner / (1 + LINE_SPACING)));
  const pitch = Math.round(font * LINE_SPACING);
  const maxLines = Math.floor((inner - font) / pitch) + 1;
  const lines = wrapText(data.text, charsThatFit(lineWidth, font), maxLines);
  const elements: LabelElement[] = lines.map((text, i) => ({
    kind: 'text',
    x: margin,
    y: margin + i * pitch,
    fontHeight: font,
    maxWidth: lineWidth,
    text,
  }));
  return { widthDots: width, heightDots: height, elements };
}
