/** Minimal but real documents, recognised by their magic bytes: fixtures of the tests and the benchmarks. */
export const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** A 1x1 PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** TINY_PDF with a comment line `% tag` appended: a document of its own (its own hash) for each tag. */
export function taggedPdf(tag: string): Buffer {
  return Buffer.concat([TINY_PDF, Buffer.from(`% ${tag}\n`)]);
}

/** TINY_PNG with `tag` after its IEND chunk (readers ignore it): a document of its own for each tag. */
export function taggedPng(tag: string): Buffer {
  return Buffer.concat([TINY_PNG, Buffer.from(tag)]);
}
