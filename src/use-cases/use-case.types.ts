/**
 * A use case: what to extract from one kind of document (`use-cases/<name>.yaml`). The loader returns these
 * validated, with defaults applied, and frozen: one definition is shared by every job that runs it.
 */

export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/**
 * How a value is printed and normalised: `date` → ISO `YYYY-MM-DD`, `amount` → number, `iban` → compact
 * uppercase with checksum, `email`, `phone` → `+<digits>` or national digits, `currency` → ISO 4217 code,
 * `text` → the string as printed.
 */
export const FIELD_FORMATS = ['date', 'amount', 'iban', 'email', 'phone', 'currency', 'text'] as const;
export type FieldFormat = (typeof FIELD_FORMATS)[number];

/** The field types each format can carry. */
export const FORMAT_TYPES: Readonly<Record<FieldFormat, readonly FieldType[]>> = {
  date: ['string'],
  amount: ['number', 'integer'],
  iban: ['string'],
  email: ['string'],
  phone: ['string'],
  currency: ['string'],
  text: ['string'],
};

export const RULE_KINDS = ['sum', 'date_order'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const LABEL_TEMPLATES = ['asn', 'fields', 'text'] as const;
export type LabelTemplate = (typeof LABEL_TEMPLATES)[number];

export interface FieldDefinition {
  type: FieldType;
  format?: FieldFormat;
  /** Default false. A required field without a usable value makes the result invalid. */
  required: boolean;
  /** Labels that precede the value on paper, in every language the use case reads. */
  aliases: string[];
  description?: string;
}

/** `sum(terms) = equals` within `tolerance` (default 0.01), checked when every field involved has a value. */
export interface SumRule {
  kind: 'sum';
  terms: string[];
  equals: string;
  tolerance: number;
}

/** `earlier` is on or before `later` (e.g. invoice date before due date), checked when both have a value. */
export interface DateOrderRule {
  kind: 'date_order';
  earlier: string;
  later: string;
}

export type CrossFieldRule = SumRule | DateOrderRule;

export interface RedactionSettings {
  /** Unset: the pipeline's default (redact before a remote GenAI provider, not for local ones). */
  enabled?: boolean;
  /** Names of people to replace by `PERSON_n` in addition to the patterns (emails, phones, IBANs, IDs). */
  names: string[];
}

export interface LabelSettings {
  /** Printer id; unset: the default printer. */
  printer?: string;
  template: LabelTemplate;
}

export interface UseCaseDefinition {
  /** Lowercase kebab-case or snake_case id; equals the file's name without `.yaml`. */
  name: string;
  description: string;
  /** Tesseract language codes (`eng`, `deu`) OCR reads the document with. */
  languages: string[];
  /** In the file's order, which is also the order of the result's fields. */
  fields: Record<string, FieldDefinition>;
  rules: CrossFieldRule[];
  /** Hints added to the GenAI prompt; empty when the file has none. */
  prompt: string;
  redact?: RedactionSettings;
  label?: LabelSettings;
}
