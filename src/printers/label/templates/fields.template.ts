import { labelDots, mmToDots } from '../label-geometry.js';
import { LabelDataReader } from '../label-data.js';
import { LabelDataError } from '../label-data.error.js';
import type { LabelElement, LabelLayout, LabelSize } from '../label-layout.types.js';
import { textLine } from './text-line.js';

export interface FieldsLabelData {
  title?: string;
  fields: Record<string, string | number | null>;
}

const MAX_FIELDS = 100;
const LINE_SPACING = 1.25;

export function parseFieldsLabelData(data: unknown): FieldsLabelData {
  const reader: LabelDataReader = LabelDataReader.of('fields', data, ['title', 'fields']);
  const title = reader.optionalString('title', 200);
  const fields = reader.value('fields');
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    reader.fail('fields', 'must be an object of names to strings, numbers or null');
  }
  const entries = Object.entries(fields);
  if (entries.length === 0 || entries.length > MAX_FIELDS) {
    reader.fail('fields', `must have between 1 and ${MAX_FIELDS} entries (got ${entries.length})`);
  }
  for (const [name, value] of entries) {
    const ok =
      value === null ||
      (typeof value === 'string' && value.length <= 1000) ||
      (typeof value === 'number' && Number.isFinite(value));
    if (!ok || name.trim() === '' || name.length > 100) {
      reader.fail(
        `fields.${name}`,
        'must be a string (at most 1000 characters), a finite number or null, under a name of 1-100 characters',
      );
    }
  }
  return { title, fields: fields as FieldsLabelData['fields'] };
}

/**
 * Name/value lines under an optional title and rule, as large as the label allows. Lines too long are cut; when
 * there are more fields than lines, the last line says how many were left out.
 */
export function layoutFieldsLabel(data: FieldsLabelData, size: LabelSize): LabelLayout {
  const { width, height } = labelDots(size);
  const margin = mmToDots(2, size.dpi);
  const minFont = mmToDots(1.8, size.dpi);
  const inner = height - 2 * margin;
  const lineWidth = width - 2 * margin;
  const elements: LabelElement[] = [];
  let y = margin;

  if (data.title !== undefined) {
    const titleFont = Math.max(minFont, Math.min(mmToDots(6, size.dpi), Math.round(inner * 0.16)));
    const rule = Math.max(2, mmToDots(0.3, size.dpi));
    const gap = Math.round(titleFont * 0.25);
    elements.push(textLine(margin, y, titleFont, lineWidth, data.title));
    y += titleFont + gap;
    elements.push({ kind: 'box', x: margin, y, width: lineWidth, height: rule, thickness: rule });
    y += rule + gap;
  }

  const entries = Object.entries(data.fields);
  const room = height - margin - y;
  const font = Math.max(minFont, Math.min(mmToDots(5, size.dpi), Math.floor(room / entries.length / LINE_SPACING)));
  const pitch = Math.round(font * LINE_SPACING);
  const maxLines = Math.floor((room - font) / pitch) + 1;
  if (maxLines < 1) {
    throw new LabelDataError(`fields label: no field fits on a ${size.widthMm}x${size.heightMm} mm label`);
  }
  const shown = entries.length <= maxLines ? entries : entries.slice(0, maxLines - 1);
  const lines = shown.map(([name, value]) => `${name}: ${value ?? ''}`);
  if (shown.length < entries.length) {
    lines.push(`... ${entries.length - shown.length} more`);
  }
  for (const line of lines) {
    elements.push(textLine(margin, y, font, lineWidth, line));
    y += pitch;
  }
  return { widthDots: width, heightDots: height, elements };
}
