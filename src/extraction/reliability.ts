import { Ajv, ValidateFunction } from 'ajv';
import { BBox, OcrPage } from '../documents/document.types.js';
import { useCaseJsonSchema } from '../use-cases/use-case.schema.js';
import { CrossFieldRule, FieldDefinition, UseCaseDefinition } from '../use-cases/use-case.types.js';
import { fieldConfidence, groundingKind, groundValue } from './grounding.js';
import {
  dateOptionsFor,
  DateOptions,
  normalizeCurrency,
  normalizeDate,
  normalizeEmail,
  normalizeIban,
  normalizePhone,
  parseAmount,
} from './normalize.js';

export enum WarningCode {
  /** A required field has no usable value. Makes the result invalid. */
  MissingRequired = 'MISSING_REQUIRED',
  /** A value of the wrong JSON type that cannot be converted (an object, "abc" for an amount). Invalid. */
  InvalidType = 'INVALID_TYPE',
  /** A string that is not what its format says (a date that is no date: value dropped; a bad email: kept). */
  InvalidFormat = 'INVALID_FORMAT',
  /** An IBAN whose length or mod-97 checksum is wrong; the value is kept. */
  InvalidIban = 'INVALID_IBAN',
  /** The value is not printed on the document; its confidence is lowered. */
  NotGrounded = 'NOT_GROUNDED',
  /** A cross-field rule of the use case does not hold; the message has the numbers. */
  RuleViolated = 'RULE_VIOLATED',
  /** The extraction named a field the use case does not have; it is ignored. */
  UnknownField = 'UNKNOWN_FIELD',
}

export interface ExtractionWarning {
  /** The field concerned; '' for the extraction as a whole. */
  field: string;
  code: WarningCode;
  message: string;
}

export type FieldValue = string | number | boolean;

export interface FieldSource {
  page: number;
  bbox: BBox;
  text: string;
}

export interface AssessedField {
  value: FieldValue | null;
  confidence: number;
  grounded: boolean;
  source: FieldSource | null;
}

export interface ExtractionAssessment {
  /** Every field of the use case, in its order. */
  fields: Record<string, AssessedField>;
  valid: boolean;
  warnings: ExtractionWarning[];
}

export interface AssessOptions {
  /** The extractor's own confidence per field (the heuristic extractor has one); caps the field's confidence. */
  confidences?: Record<string, number>;
}

// A value that is suspicious but kept (bad checksum, malformed email) counts half; a field in a broken rule 0.8.
const SUSPICIOUS = 0.5;
const IN_BROKEN_RULE = 0.8;

const ajv = new Ajv({ allErrors: true, validateFormats: false, strict: false });
const validators = new WeakMap<UseCaseDefinition, ValidateFunction>();

function validatorFor(useCase: UseCaseDefinition): ValidateFunction {
  let validate = validators.get(useCase);
  if (!validate) {
    validate = ajv.compile(useCaseJsonSchema(useCase));
    validators.set(useCase, validate);
  }
  return validate;
}

type Normalised =
  | { value: FieldValue; warning?: { code: WarningCode; message: string } }
  | { value: null; warning: { code: WarningCode; message: string } };

const show = (raw: unknown) => JSON.stringify(raw);
const tidy = (s: string) => s.trim().replace(/\s+/g, ' ');
const YES = new Set(['true', 'yes', 'ja', 'y', 'j', 'wahr']);
const NO = new Set(['false', 'no', 'nein', 'n', 'falsch']);

/** The raw value in its field's type, if it has it or converts losslessly; null when it cannot. */
function toType(field: FieldDefinition, raw: unknown): FieldValue | null {
  switch (field.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') {
        return raw;
      }
      const word = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      return YES.has(word) ? true : NO.has(word) ? false : null;
    }
    case 'number':
    case 'integer': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? parseAmount(raw) : null;
      if (n === null || !Number.isFinite(n) || (field.type === 'integer' && !Number.isInteger(n))) {
        return null;
      }
      return n;
    }
    case 'string':
      // Models answer "invoice number 4711" with the number 4711; that is still the printed text.
      if (typeof raw === 'number' && Number.isFinite(raw)) {
        return String(raw);
      }
      return typeof raw === 'string' ? tidy(raw) : null;
  }
}

/** `mistyped`: ajv found the value's JSON type wrong for the field, so it needs converting. */
function normalise(field: FieldDefinition, raw: unknown, mistyped: boolean, dates: DateOptions): Normalised {
  const typed = mistyped ? toType(field, raw) : typeof raw === 'string' ? tidy(raw) : (raw as FieldValue);
  if (typed === null) {
    return {
      value: null,
      warning: {
        code: WarningCode.InvalidType,
        message: `${show(raw)} is not a ${field.type} and cannot be read as one`,
      },
    };
  }
  if (typeof typed !== 'string') {
    return { value: typed };
  }
  const invalid = (what: string) => ({ code: WarningCode.InvalidFormat, message: `${show(typed)} is not ${what}` });
  switch (field.format) {
    case 'date': {
      const iso = normalizeDate(typed, dates);
      // Consumers rely on ISO dates, so a date that is none is dropped rather than passed on.
      return iso ? { value: iso } : { value: null, warning: invalid('a date') };
    }
    case 'iban': {
      const iban = normalizeIban(typed);
      return iban.valid
        ? { value: iban.value }
        : {
            value: iban.value,
            warning: { code: WarningCode.InvalidIban, message: `${iban.value} has a wrong length or checksum` },
          };
    }
    case 'email': {
      const email = normalizeEmail(typed);
      return email.valid ? { value: email.value } : { value: typed, warning: invalid('an email address') };
    }
    case 'phone': {
      const phone = normalizePhone(typed);
      return phone.valid ? { value: phone.value } : { value: typed, warning: invalid('a phone number') };
    }
    case 'currency': {
      const code = normalizeCurrency(typed);
      return code ? { value: code } : { value: typed, warning: invalid('an ISO 4217 currency code') };
    }
    case 'amount':
    case 'text':
    case undefined:
      return { value: typed };
  }
}

/** The fields whose value has the wrong JSON type (missing keys and unknown keys are handled elsewhere). */
function mistypedFields(validate: ValidateFunction): Set<string> {
  const fields = new Set<string>();
  for (const e of validate.errors ?? []) {
    if (e.keyword === 'type' && /^\/[^/]+$/.test(e.instancePath)) {
      fields.add(e.instancePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~'));
    }
  }
  return fields;
}

const money = (n: number) => n.toFixed(2);

function checkRule(rule: CrossFieldRule, fields: Record<string, AssessedField>): ExtractionWarning | null {
  switch (rule.kind) {
    case 'sum': {
      const terms = rule.terms.map((t) => fields[t]?.value);
      const result = fields[rule.equals]?.value;
      if (typeof result !== 'number' || terms.some((t) => typeof t !== 'number')) {
        return null;
      }
      const sum = (terms as number[]).reduce((a, b) => a + b, 0);
      // The epsilon absorbs binary floating point (167.9 + 31.9 is 199.80000000000001).
      if (Math.abs(sum - result) <= rule.tolerance + 1e-9) {
        return null;
      }
      const parts = rule.terms.map((t, i) => `${t} ${money(terms[i] as number)}`).join(' + ');
      return {
        field: rule.equals,
        code: WarningCode.RuleViolated,
        message:
          `${parts} = ${money(sum)}, but ${rule.equals} is ${money(result)} ` +
          `(off by ${money(Math.abs(sum - result))}, tolerance ${rule.tolerance})`,
      };
    }
    case 'date_order': {
      const earlier = fields[rule.earlier]?.value;
      const later = fields[rule.later]?.value;
      // ISO dates compare correctly as strings.
      if (typeof earlier !== 'string' || typeof later !== 'string' || earlier <= later) {
        return null;
      }
      return {
        field: rule.later,
        code: WarningCode.RuleViolated,
        message: `${rule.later} ${later} is before ${rule.earlier} ${earlier}`,
      };
    }
  }
}

function ruleFields(rule: CrossFieldRule): string[] {
  switch (rule.kind) {
    case 'sum':
      return [...rule.terms, rule.equals];
    case 'date_order':
      return [rule.earlier, rule.later];
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * The Reliability step: turns what an extractor answered into the job's result fields.
 *
 * For each field of the use case: the raw value is type-checked against `useCaseJsonSchema` (ajv) and
 * converted where lossless (the string "1.234,56" for a number field, 4711 for a string field), then
 * normalised by format (dates ISO, amounts numbers, IBAN compact with checksum, email, phone, currency code),
 * then grounded on the pages. Every non-null value that cannot be found on the pages gets `NOT_GROUNDED`,
 * `grounded: false` and a lowered confidence (booleans are never printed as such, so they are ungrounded
 * without a warning). Cross-field rules are checked on the normalised values.
 *
 * `valid` is false exactly when
 *   - a required field has no usable value (absent, null, blank, or dropped as unusable): MISSING_REQUIRED, or
 *   - any field holds a value of the wrong type that cannot be converted: INVALID_TYPE (value becomes null),
 *     or the extraction is not a JSON object at all.
 * Everything else (INVALID_FORMAT, INVALID_IBAN, NOT_GROUNDED, RULE_VIOLATED, UNKNOWN_FIELD) is a warning
 * only: the result is valid and a reviewer decides.
 *
 * `rawFields` must hold the original values: when the text was redacted for GenAI, restore the answer first,
 * or placeholders like `IBAN_1` are what gets validated and grounded.
 */
export function assessExtraction(
  useCase: UseCaseDefinition,
  rawFields: Record<string, unknown>,
  pages: readonly OcrPage[],
  options: AssessOptions = {},
): ExtractionAssessment {
  const warnings: ExtractionWarning[] = [];
  let valid = true;
  // The parameter is typed, but it is an LLM's JSON at run time.
  const isObject = typeof rawFields === 'object' && rawFields !== null && !Array.isArray(rawFields);
  const raw: Record<string, unknown> = isObject ? rawFields : {};
  if (!isObject) {
    valid = false;
    warnings.push({ field: '', code: WarningCode.InvalidType, message: 'the extraction is not a JSON object' });
  }
  const validate = validatorFor(useCase);
  const mistyped = validate(raw) ? new Set<string>() : mistypedFields(validate);
  const dates = dateOptionsFor(useCase.languages);
  const documentConfidence = pages.length === 0 ? 0 : pages.reduce((s, p) => s + p.confidence, 0) / pages.length;

  const fields: Record<string, AssessedField> = {};
  const fieldWarnings = new Map<string, ExtractionWarning[]>();
  for (const [name, field] of Object.entries(useCase.fields)) {
    const own: ExtractionWarning[] = [];
    fieldWarnings.set(name, own);
    const given = raw[name];
    const absent = given === undefined || given === null || (typeof given === 'string' && given.trim() === '');
    if (absent) {
      fields[name] = { value: null, confidence: 0, grounded: false, source: null };
      if (field.required) {
        valid = false;
        own.push({ field: name, code: WarningCode.MissingRequired, message: `${name} is required but missing` });
      }
      continue;
    }

    const normalised = normalise(field, given, mistyped.has(name), dates);
    if (normalised.warning) {
      own.push({ field: name, ...normalised.warning });
      if (normalised.warning.code === WarningCode.InvalidType) {
        valid = false;
      }
    }
    if (normalised.value === null) {
      fields[name] = { value: null, confidence: 0, grounded: false, source: null };
      if (field.required) {
        valid = false;
        own.push({ field: name, code: WarningCode.MissingRequired, message: `${name} is required but unusable` });
      }
      continue;
    }

    const value = normalised.value;
    const grounding = groundValue(value, groundingKind(field), pages, { aliases: field.aliases });
    let confidence = fieldConfidence(grounding, documentConfidence);
    const extractor = options.confidences?.[name];
    if (typeof extractor === 'number' && Number.isFinite(extractor)) {
      confidence = Math.min(confidence, Math.max(0, extractor));
    }
    if (normalised.warning) {
      confidence *= SUSPICIOUS;
    }
    if (!grounding && field.type !== 'boolean') {
      own.push({
        field: name,
        code: WarningCode.NotGrounded,
        message: `${show(value)} was not found on the document`,
      });
    }
    fields[name] = {
      value,
      confidence: round(confidence),
      grounded: grounding !== null,
      source: grounding ? { page: grounding.page, bbox: grounding.bbox, text: grounding.text } : null,
    };
  }

  for (const rule of useCase.rules) {
    const violation = checkRule(rule, fields);
    if (violation) {
      fieldWarnings.get(violation.field)?.push(violation);
      for (const name of ruleFields(rule)) {
        fields[name].confidence = round(fields[name].confidence * IN_BROKEN_RULE);
      }
    }
  }
  warnings.push(...[...fieldWarnings.values()].flat());
  for (const name of Object.keys(raw)) {
    if (!(name in useCase.fields)) {
      warnings.push({
        field: name,
        code: WarningCode.UnknownField,
        message: `${name} is not a field of ${useCase.name}`,
      });
    }
  }
  return { fields, valid, warnings };
}
