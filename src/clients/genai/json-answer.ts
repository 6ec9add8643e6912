export type JsonAnswer = { ok: true; data: Record<string, unknown> } | { ok: false; error: string };

/**
 * Reads a model's answer as a JSON object. Models that were told "JSON only" still wrap it in ```json
 * fences or a sentence now and then (or think aloud first), so this tries, in order: the whole text, the text
 * without `<think>` blocks, its first fenced block, then its span from the first `{` to the last `}`.
 * Anything but an object is refused.
 */
export function parseJsonAnswer(text: string): JsonAnswer {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed) {
    return { ok: false, error: 'the answer is empty' };
  }
  // Reasoning models put their thoughts (braces and all) in <think> before the answer.
  const answer = trimmed.replace(/<think>[\s\S]*?<\/think>/g, '').trim();
  const candidates = [trimmed, answer];
  const fenced = /```[a-zA-Z]*[ \t]*\r?\n?([\s\S]*?)```/.exec(answer);
  if (fenced) {
    candidates.push(fenced[1].trim());
  }
  const open = answer.indexOf('{');
  const close = answer.lastIndexOf('}');
  if (open >= 0 && close > open) {
    candidates.push(answer.slice(open, close + 1));
  }
  let firstError = '';
  for (const candidate of candidates) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        return { ok: true, data: value as Record<string, unknown> };
      }
      const kind = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
      firstError ||= `the answer is JSON but not an object (${kind})`;
    } catch (err) {
      firstError ||= `the answer is not valid JSON (${(err as Error).message})`;
    }
  }
  return { ok: false, error: firstError };
}
