/** Minimal but real documents, recognised by their magic bytes. */
export const TINY_PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

/** A 1x1 PNG. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export function pdfVariant(n: number): Buffer {
  return Buffer.concat([TINY_PDF, Buffer.from(`% variant ${n}\n`)]);
}

/** A `POST /jobs` JSON body for an invoice with these bytes; `extra` adds or overrides fields. */
export function submitBody(requestId: string, content: Buffer, extra: Record<string, unknown> = {}) {
  return {
    request_id: requestId,
    use_case: 'invoice',
    document: { content_base64: content.toString('base64'), filename: 'a.pdf' },
    ...extra,
  };
}

export const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
