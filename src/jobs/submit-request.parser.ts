import type { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { ValidationFailedError } from '../common/errors/domain-error.js';
import { createValidationPipe } from '../common/validation.js';
import { DocumentInputDto, SubmitJobDto, SubmitJobFieldsDto } from './dto/submit-job.dto.js';
import { PayloadTooLargeError } from './jobs.errors.js';
import type { SubmittedDocument } from './jobs.service.js';

const validation = createValidationPipe();

export interface ParsedSubmit {
  fields: SubmitJobFieldsDto;
  document: SubmittedDocument;
}

async function validated<T extends object>(metatype: new () => T, value: unknown): Promise<T> {
  return (await validation.transform(value, { type: 'body', metatype })) as T;
}

function documentFromJson(dto: SubmitJobDto): SubmittedDocument {
  // @IsOptional() lets null through: a null url or content_base64 counts as absent, never reaches Buffer.from.
  const url = dto.document.url ?? undefined;
  const base64 = dto.document.content_base64 ?? undefined;
  const filename = dto.document.filename ?? undefined;
  if ((url === undefined) === (base64 === undefined)) {
    throw new ValidationFailedError('document needs exactly one of url or content_base64', [
      { field: 'document', problems: ['exactly one of url, content_base64'] },
    ]);
  }
  if (url !== undefined) {
    return { kind: 'url', url };
  }
  const content = Buffer.from(base64 as string, 'base64');
  if (content.length === 0) {
    throw new ValidationFailedError('document.content_base64 is empty', [
      { field: 'document.content_base64', problems: ['empty'] },
    ]);
  }
  return { kind: 'bytes', content, filename: filename ?? null };
}

/** Multipart fields arrive as strings; `label` may be `true` or a JSON object. */
function multipartFieldValue(name: string, value: string): unknown {
  if (name === 'label') {
    if (value === 'true' || value === '') {
      return {};
    }
    try {
      return JSON.parse(value) as unknown;
    } catch {
      throw new ValidationFailedError('label must be true or a JSON object', [
        { field: 'label', problems: ['not JSON'] },
      ]);
    }
  }
  return value;
}

/**
 * Collects an uploaded file, refusing it the moment it passes the limit (busboy's `limit` event) rather than at
 * the end of the part, so a 1 GB upload is answered 413 after ~IX_MAX_UPLOAD_BYTES, not after 1 GB.
 */
function readFileLimited(file: Readable & { truncated?: boolean }, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    file.on('data', (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
    });
    file.once('limit', () => {
      chunks.length = 0;
      file.resume(); // let busboy discard the rest without buffering it
      reject(new PayloadTooLargeError(size, maxBytes));
    });
    file.once('end', () => {
      if (!file.truncated) {
        resolve(Buffer.concat(chunks));
      }
    });
    file.once('error', reject);
  });
}

/**
 * Reads `POST /jobs` in either form into one shape. Multipart is streamed and cut off at IX_MAX_UPLOAD_BYTES.
 */
export async function parseSubmitRequest(req: FastifyRequest, maxBytes: number): Promise<ParsedSubmit> {
  if (!req.isMultipart()) {
    const dto = await validated(SubmitJobDto, req.body ?? {});
    return { fields: dto, document: documentFromJson(dto) };
  }
  const raw: Record<string, unknown> = {};
  let document: SubmittedDocument | undefined;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || document) {
        throw new ValidationFailedError('send exactly one file, in the form field "file"', [
          { field: part.fieldname, problems: ['unexpected file'] },
        ]);
      }
      // The file name obeys the rules of JSON's document.filename (length, no NUL), checked before the bytes are read.
      const { filename } = await validated(DocumentInputDto, { filename: part.filename || undefined });
      const content = await readFileLimited(part.file, maxBytes);
      document = { kind: 'bytes', content, filename: filename ?? null };
    } else {
      raw[part.fieldname] = multipartFieldValue(part.fieldname, String(part.value));
    }
  }
  if (!document) {
    throw new ValidationFailedError('the form has no "file" field', [{ field: 'file', problems: ['required'] }]);
  }
  const fields = await validated(SubmitJobFieldsDto, raw);
  return { fields, document };
}
