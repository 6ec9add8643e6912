import type { UseCaseDefinition } from '../use-cases/use-case.types.js';

/** Enough for dozens of pages; beyond it the tail is cut (and said so), rather than failing the job. */
export const MAX_PROMPT_CHARS = 60_000;

/** The instructions and the document text sent to an LLM. Pure, so what leaves the machine is testable. */
export function buildPrompt(
  useCase: UseCaseDefinition,
  pageTexts: readonly string[],
): { system: string; prompt: string } {
  const fieldLines = Object.entries(useCase.fields).map(([name, f]) => {
    const format = f.format ? `, format ${f.format}` : '';
    const labels = f.aliases.length
      ? `; printed after labels like ${f.aliases
          .slice(0, 6)
          .map((a) => `"${a}"`)
          .join(', ')}`
      : '';
    const description = f.description ? ` — ${f.description}` : '';
    return `- ${name} (${f.type}${format}${f.required ? ', required' : ''})${description}${labels}`;
  });
  const system = [
    `You extract data from a document for the use case "${useCase.name}": ${useCase.description}`,
    'Answer with one JSON object matching the given JSON schema and nothing else.',
    'Copy each value exactly as it is printed in the document; do not compute, guess or translate values.',
    'Use null for a field whose value is not in the document.',
    'Tokens such as EMAIL_1, IBAN_1, PHONE_1, ID_1 or PERSON_1 stand for redacted values: copy them unchanged.',
    useCase.prompt ? `Hints: ${useCase.prompt}` : '',
    'Fields:',
    ...fieldLines,
  ]
    .filter(Boolean)
    .join('\n');
  let body = pageTexts.map((t, i) => `--- page ${i + 1} ---\n${t}`).join('\n');
  if (body.length > MAX_PROMPT_CHARS) {
    body = `${body.slice(0, MAX_PROMPT_CHARS)}\n[... document truncated ...]`;
  }
  return { system, prompt: `Document:\n${body}` };
}
