/**
 * Text handling shared by every template. A label's layout is measured in dots with one conservative estimate of
 * the printer's font (^A0, CG Triumvirate Bold Condensed): no character is wider than this share of the font
 * height, so a line estimated to fit does fit. The preview draws with a font no wider.
 */
export const CHAR_ADVANCE = 0.6;

const ELLIPSIS = '...';

/**
 * User text made safe for a ZPL field: `^` and `~` start commands (a `~` one even inside field data, e.g. `~JA`
 * cancels every queued label), so they are removed; line breaks and tabs become spaces and other control
 * characters go. The result cannot leave its `^FD…^FS` field.
 */
export function sanitizeZplText(text: string): string {
  return text.replace(/[\t\n\v\f\r\u2028\u2029]/g, ' ').replace(/[\^~\p{Cc}]/gu, '');
}

/** How many characters of a font this high fit in this width. */
export function charsThatFit(widthDots: number, fontHeightDots: number): number {
  return Math.max(0, Math.floor(widthDots / (fontHeightDots * CHAR_ADVANCE)));
}

/** The text, cut with `...` when it has more than maxChars characters (code points, never half a surrogate pair). */
export function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  if (chars.length <= maxChars) {
    return text;
  }
  if (maxChars <= ELLIPSIS.length) {
    return chars.slice(0, maxChars).join('');
  }
  return chars.slice(0, maxChars - ELLIPSIS.length).join('') + ELLIPSIS;
}

/**
 * Greedy word wrap into at most maxLines lines of at most maxChars characters. The input's own line breaks start new
 * lines; a word longer than a line is split; text that does not fit ends the last line with `...`. Every line is
 * sanitised.
 */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
  if (maxChars < 1 || maxLines < 1) {
    return [];
  }
  const lines: string[] = [];
  for (const paragraph of text.split(/\r\n|\r|\n/)) {
    let line: string[] = [];
    const flush = () => {
      lines.push(line.join(''));
      line = [];
    };
    for (const word of sanitizeZplText(paragraph).split(' ').filter(Boolean)) {
      let chars = Array.from(word);
      if (line.length > 0 && line.length + 1 + chars.length > maxChars) {
        flush();
      }
      if (line.length > 0) {
        line.push(' ');
      }
      while (line.length + chars.length > maxChars) {
        const room = maxChars - line.length;
        line.push(...chars.slice(0, room));
        chars = chars.slice(room);
        flush();
      }
      line.push(...chars);
    }
    flush();
  }
  while (lines.length > 1 && lines.at(-1) === '') {
    lines.pop();
  }
  if (lines.length <= maxLines) {
    return lines;
  }
  const kept = lines.slice(0, maxLines);
  const last = Array.from(kept[maxLines - 1]);
  const room = Math.max(0, maxChars - ELLIPSIS.length);
  kept[maxLines - 1] = (last.length > room ? last.slice(0, room).join('') : last.join('')).trimEnd() + ELLIPSIS;
  return kept;
}
