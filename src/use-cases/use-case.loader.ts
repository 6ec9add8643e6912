import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';
import { Ajv, ErrorObject } from 'ajv';
import { parseDocument } from 'yaml';
import { foldLabel } from '../extraction/text-fold.js';
import { USE_CASE_FILE_SCHEMA } from './use-case.schema.js';
import {
  CrossFieldRule,
  DateOrderRule,
  FieldDefinition,
  FORMAT_TYPES,
  RULE_KINDS,
  SumRule,
  UseCaseDefinition,
} from './use-case.types.js';

export interface UseCaseIssue {
  /** Where the use case came from: a file path, or e.g. "request body". */
  origin: string;
  /** Dotted path of the offending value (`fields.total_amount.format`, `rules[0].equals`); '' for the root. */
  path: string;
  message: string;
}

/**
 * A use case that cannot be used. The message is one line naming every problem with its origin and path,
 * e.g. `use-cases/invoice.yaml: fields.total_amount.format must be one of date|amount|…`; `issues` holds the
 * same, structured (for a 422's details).
 */
export class UseCaseLoadError extends Error {
  override readonly name = 'UseCaseLoadError';

  constructor(readonly issues: UseCaseIssue[]) {
    super(issues.map((i) => `${i.origin}: ${i.path ? `${i.path} ` : ''}${i.message}`).join('; '));
  }
}

// `verbose` puts the failing sub-schema on each error, whose `description` words a pattern error.
const ajv = new Ajv({ allErrors: true, discriminator: true, verbose: true });
const validateFile = ajv.compile(USE_CASE_FILE_SCHEMA);

function toPath(instancePath: string, child?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child !== undefined) {
    segments.push(child);
  }
  // Field names start with a letter, so an all-digit segment is an array index.
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '');
}

function describeError(e: ErrorObject): { path: string; message: string } | null {
  const params = e.params as Record<string, unknown>;
  const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
  switch (e.keyword) {
    case 'required':
      return { path: toPath(e.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return { path: toPath(e.instancePath, String(params.additionalProperty)), message: 'is not allowed' };
    case 'propertyNames':
      return {
        path: toPath(e.instancePath, String(params.propertyName)),
        message: 'is not a valid field name (use snake_case: lowercase letters, digits, _)',
      };
    case 'enum':
      return {
        path: toPath(e.instancePath),
        message: `must be one of ${(params.allowedValues as unknown[]).join('|')}`,
      };
    case 'discriminator':
      return { path: toPath(e.instancePath, String(params.tag)), message: `must be one of ${RULE_KINDS.join('|')}` };
    case 'pattern':
      return {
        path: toPath(e.instancePath),
        message: typeof description === 'string' ? `must be ${description}` : `must match ${String(params.pattern)}`,
      };
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return { path: toPath(e.instancePath), message: params.limit === 1 ? 'must not be empty' : e.message! };
    case 'type':
      return { path: toPath(e.instancePath), message: `must be ${String(params.type)}` };
    case 'oneOf':
    case 'const':
      // The discriminator already chose the rule's branch; these only restate its errors.
      return null;
    default:
      return { path: toPath(e.instancePath), message: e.message ?? 'is invalid' };
  }
}

function schemaIssues(raw: unknown, origin: string): UseCaseIssue[] {
  if (validateFile(raw)) {
    return [];
  }
  const seen = new Set<string>();
  const issues: UseCaseIssue[] = [];
  for (const e of validateFile.errors ?? []) {
    // The inner error of a propertyNames failure repeats the outer one.
    if ((e as { propertyName?: string }).propertyName !== undefined) {
      continue;
    }
    const described = describeError(e);
    if (!described) {
      continue;
    }
    const key = `${described.path} ${described.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push({ origin, ...described });
    }
  }
  return issues;
}

interface RawField {
  type: FieldDefinition['type'];
  format?: FieldDefinition['format'];
  required?: boolean;
  aliases: string[];
  description?: string;
}

interface RawUseCase {
  name: string;
  description: string;
  languages: string[];
  fields: Record<string, RawField>;
  rules?: ((Omit<SumRule, 'tolerance'> & { tolerance?: number }) | DateOrderRule)[];
  prompt?: string;
  redact?: { enabled?: boolean; names?: string[] };
  label?: UseCaseDefinition['label'];
}

/** What a JSON Schema cannot say: fields a rule names exist and fit it, formats fit types, aliases differ. */
function semanticIssues(uc: RawUseCase, origin: string): UseCaseIssue[] {
  const issues: UseCaseIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ origin, path, message });

  const aliasOwner = new Map<string, string>();
  for (const [name, field] of Object.entries(uc.fields)) {
    if (field.format && !FORMAT_TYPES[field.format].includes(field.type)) {
      issue(
        `fields.${name}.format`,
        `"${field.format}" needs type ${FORMAT_TYPES[field.format].join(' or ')} (got ${field.type})`,
      );
    }
    const own = new Map<string, string>();
    field.aliases.forEach((alias, i) => {
      const path = `fields.${name}.aliases[${i}]`;
      const key = foldLabel(alias);
      if (key === '') {
        issue(path, `"${alias}" must contain a letter or digit`);
        return;
      }
      // Folded like the matcher folds them: two aliases that fold alike are the same alias on paper.
      const twin = own.get(key);
      if (twin !== undefined) {
        issue(path, `"${alias}" duplicates "${twin}" (aliases match case-, accent- and punctuation-insensitively)`);
        return;
      }
      own.set(key, alias);
      const owner = aliasOwner.get(key);
      if (owner !== undefined && owner !== name) {
        issue(path, `"${alias}" is also an alias of fields.${owner}; a label must point to one field`);
        return;
      }
      aliasOwner.set(key, name);
    });
  }

  const numeric = (field: string) => ['number', 'integer'].includes(uc.fields[field]?.type);
  (uc.rules ?? []).forEach((rule, i) => {
    const refer = (path: string, field: string, fits: (f: string) => boolean, needs: string) => {
      if (!(field in uc.fields)) {
        issue(`rules[${i}].${path}`, `references unknown field "${field}"`);
      } else if (!fits(field)) {
        issue(`rules[${i}].${path}`, `"${field}" must be ${needs}`);
      }
    };
    switch (rule.kind) {
      case 'sum':
        rule.terms.forEach((t, j) => refer(`terms[${j}]`, t, numeric, 'a number or integer field'));
        refer('equals', rule.equals, numeric, 'a number or integer field');
        if (rule.terms.includes(rule.equals)) {
          issue(`rules[${i}].equals`, `"${rule.equals}" cannot also be one of the terms`);
        }
        break;
      case 'date_order': {
        const isDate = (f: string) => uc.fields[f]?.format === 'date';
        refer('earlier', rule.earlier, isDate, 'a field with format date');
        refer('later', rule.later, isDate, 'a field with format date');
        if (rule.earlier === rule.later) {
          issue(`rules[${i}].later`, 'must name a different field than earlier');
        }
        break;
      }
    }
  });
  return issues;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) {
      deepFreeze(child);
    }
    Object.freeze(value);
  }
  return value;
}

function toDefinition(uc: RawUseCase): UseCaseDefinition {
  const fields: Record<string, FieldDefinition> = {};
  for (const [name, f] of Object.entries(uc.fields)) {
    fields[name] = {
      type: f.type,
      ...(f.format ? { format: f.format } : {}),
      required: f.required ?? false,
      aliases: [...f.aliases],
      ...(f.description !== undefined ? { description: f.description } : {}),
    };
  }
  const rules = (uc.rules ?? []).map((r): CrossFieldRule => {
    switch (r.kind) {
      case 'sum':
        return { kind: 'sum', terms: [...r.terms], equals: r.equals, tolerance: r.tolerance ?? 0.01 };
      case 'date_order':
        return { kind: 'date_order', earlier: r.earlier, later: r.later };
    }
  });
  return deepFreeze({
    name: uc.name,
    description: uc.description,
    languages: [...uc.languages],
    fields,
    rules,
    prompt: uc.prompt ?? '',
    ...(uc.redact ? { redact: { ...uc.redact, names: [...(uc.redact.names ?? [])] } } : {}),
    ...(uc.label ? { label: { ...uc.label } } : {}),
  });
}

/**
 * Validates a use case given as data (a parsed file, or an admin request's JSON body) and returns it with
 * defaults applied, frozen. Throws `UseCaseLoadError` naming `origin` and every problem.
 */
export function parseUseCase(raw: unknown, origin: string): UseCaseDefinition {
  const issues = schemaIssues(raw, origin);
  if (issues.length > 0) {
    throw new UseCaseLoadError(issues);
  }
  const uc = raw as RawUseCase;
  const semantic = semanticIssues(uc, origin);
  if (semantic.length > 0) {
    throw new UseCaseLoadError(semantic);
  }
  return toDefinition(uc);
}

/** `parseUseCase` for YAML text; a YAML syntax error (or a duplicate key) is reported with its line. */
export function parseUseCaseYaml(text: string, origin: string): UseCaseDefinition {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new UseCaseLoadError(
      doc.errors.map((e) => ({
        origin,
        path: '',
        message: `invalid YAML: ${e.message.split('\n')[0].replace(/:$/, '')}`,
      })),
    );
  }
  // maxAliasCount bounds YAML alias expansion ("billion laughs"); use cases never need many aliases.
  return parseUseCase(doc.toJS({ maxAliasCount: 100 }), origin);
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/**
 * Every `*.yaml` / `*.yml` in `dir` (not recursive), sorted by file name. Each file's `name` must equal its
 * file name without the extension. Throws one `UseCaseLoadError` listing the problems of every bad file, so an
 * operator fixes them all in one go; returns `[]` for an empty directory.
 */
export function loadUseCasesFromDir(dir: string): UseCaseDefinition[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UseCaseLoadError([{ origin: displayPath(dir), path: '', message: 'is not a directory' }]);
  }
  const files = readdirSync(dir)
    .filter((f) => ['.yaml', '.yml'].includes(extname(f)) && statSync(join(dir, f)).isFile())
    .sort();
  const issues: UseCaseIssue[] = [];
  const loaded: UseCaseDefinition[] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    const path = join(dir, file);
    const origin = displayPath(path);
    try {
      const def = parseUseCaseYaml(readFileSync(path, 'utf8'), origin);
      const stem = basename(file, extname(file));
      if (def.name !== stem) {
        issues.push({ origin, path: 'name', message: `must equal the file name "${stem}" (got "${def.name}")` });
        continue;
      }
      const other = byName.get(def.name);
      if (other !== undefined) {
        issues.push({ origin, path: 'name', message: `"${def.name}" is already defined by ${other}` });
        continue;
      }
      byName.set(def.name, origin);
      loaded.push(def);
    } catch (err) {
      if (!(err instanceof UseCaseLoadError)) {
        throw err;
      }
      issues.push(...err.issues);
    }
  }
  if (issues.length > 0) {
    throw new UseCaseLoadError(issues);
  }
  return loaded;
}
