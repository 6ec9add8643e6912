import { LabelDataError } from './label-data.error.js';
import { LABEL_TEMPLATES, type LabelLayout, type LabelSize, type LabelTemplate } from './label-layout.types.js';
import { layoutAsnLabel, parseAsnLabelData } from './templates/asn.template.js';
import { layoutFieldsLabel, parseFieldsLabelData } from './templates/fields.template.js';
import { layoutTextLabel, parseTextLabelData } from './templates/text.template.js';

const LAYOUTS: Record<LabelTemplate, (data: unknown, size: LabelSize) => LabelLayout> = {
  asn: (data, size) => layoutAsnLabel(parseAsnLabelData(data), size),
  fields: (data, size) => layoutFieldsLabel(parseFieldsLabelData(data), size),
  text: (data, size) => layoutTextLabel(parseTextLabelData(data), size),
};

export function isLabelTemplate(value: unknown): value is LabelTemplate {
  return typeof value === 'string' && (LABEL_TEMPLATES as readonly string[]).includes(value);
}

/**
 * Validates a template's data (from the API, so `unknown`) and positions what the label shows. Pure: the same input
 * always gives the same layout, which the ZPL and the PNG renderers both draw.
 */
export function layoutLabel(template: string, data: unknown, size: LabelSize): LabelLayout {
  if (!isLabelTemplate(template)) {
    throw new LabelDataError(
      `unknown label template "${template}" (expected ${LABEL_TEMPLATES.join('|')})`,
      'template',
    );
  }
  return LAYOUTS[template](data, size);
}
