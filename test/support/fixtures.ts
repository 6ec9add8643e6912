import { taggedPdf } from '../../scripts/lib/tiny-documents.js';

export { TINY_PDF, TINY_PNG } from '../../scripts/lib/tiny-documents.js';

/** A tiny PDF of its own for each `n`. */
export function pdfVariant(n: number): Buffer {
  return taggedPdf(`variant ${n}`);
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
