import {
  FIELD_FORMATS,
  FIELD_TYPES,
  FieldDefinition,
  FieldFormat,
  LABEL_TEMPLATES,
  RULE_KINDS,
  UseCaseDefinition,
} from './use-case.types.js';

/** A JSON Schema document, as plain data (ajv, Ollama `format`, OpenAI `response_format` all take this). */
export type JsonSchema = { [keyword: string]: unknown };

// `description` doubles as the wording of a `pattern` error ("must be <description>"), so it reads as a noun.
const FIELD_NAME = { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 64, description: 'a snake_case name' };

const FIELD_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'aliases'],
  properties: {
    type: { enum: FIELD_TYPES },
    format: { enum: FIELD_FORMATS },
    required: { type: 'boolean' },
    aliases: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
    description: { type: 'string', maxLength: 1000 },
  },
};

const RULE_SCHEMA: JsonSchema = {
  type: 'object',
  required: ['kind'],
  discriminator: { propertyName: 'kind' },
  oneOf: [
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'terms', 'equals'],
      properties: {
        kind: { const: RULE_KINDS[0] },
        terms: { type: 'array', minItems: 2, uniqueItems: true, items: FIELD_NAME },
        equals: FIELD_NAME,
        tolerance: { type: 'number', minimum: 0 },
      },
    },
    {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'earlier', 'later'],
      properties: { kind: { const: RULE_KINDS[1] }, earlier: FIELD_NAME, later: FIELD_NAME },
    },
  ],
};

/** The JSON Schema of a use-case file (after YAML parsing). Semantic checks live in the loader. */
export const USE_CASE_FILE_SCHEMA: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'languages', 'fields'],
  properties: {
    name: {
      type: 'string',
      maxLength: 64,
      pattern: '^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$',
      description: 'a lowercase kebab-case or snake_case id',
    },
    description: { type: 'string', minLength: 1, maxLength: 2000 },
    languages: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z]{3}(?:_[a-z]+)?$', description: 'a tesseract language code (eng, deu)' },
    },
    fields: {
      type: 'object',
      minProperties: 1,
      maxProperties: 200,
      propertyNames: FIELD_NAME,
      additionalProperties: FIELD_SCHEMA,
    },
    rules: { type: 'array', items: RULE_SCHEMA },
    prompt: { type: 'string', maxLength: 20000 },
    redact: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        names: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 } },
      },
    },
    label: {
      type: 'object',
      additionalProperties: false,
      required: ['template'],
      properties: { printer: { type: 'string', minLength: 1 }, template: { enum: LABEL_TEMPLATES } },
    },
  },
};

const FORMAT_HINTS: Record<FieldFormat, string> = {
  date: 'An ISO 8601 date, YYYY-MM-DD.',
  amount: 'A number with a dot as decimal separator, without currency or thousands separators.',
  iban: 'The IBAN without spaces.',
  email: 'An email address.',
  phone: 'The phone number as printed.',
  currency: 'The ISO 4217 currency code, e.g. EUR.',
  text: 'The text exactly as printed.',
};

function describeField(name: string, field: FieldDefinition): string {
  const parts = [field.description ?? name.replace(/_/g, ' ')];
  if (field.format) {
    parts.push(FORMAT_HINTS[field.format]);
  }
  if (field.aliases.length > 0) {
    parts.push(`Printed after labels such as ${field.aliases.map((a) => `"${a}"`).join(', ')}.`);
  }
  parts.push('null when the document does not show it.');
  return parts.join(' ');
}

/**
 * The JSON Schema an LLM must answer with (Ollama `format`, OpenAI `response_format: json_schema` with
 * `strict: true`): one property per field, every key required, every value nullable.
 *
 * Why nullable even for required fields: with constrained decoding a model that may not say null invents a
 * value for a field the document lacks. "Required" is the use case's business rule and is enforced after the
 * answer by `assessExtraction` (MISSING_REQUIRED); here it only means the key must be present, which is also
 * what OpenAI's strict mode demands.
 */
export function useCaseJsonSchema(def: UseCaseDefinition): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, field] of Object.entries(def.fields)) {
    properties[name] = {
      type: [field.type, 'null'],
      ...(field.format === 'date' ? { format: 'date' } : {}),
      description: describeField(name, field),
    };
  }
  return { type: 'object', properties, required: Object.keys(def.fields), additionalProperties: false };
}
