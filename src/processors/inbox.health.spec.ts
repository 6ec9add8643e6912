import { describe, expect, it } from '@jest/globals';
import { isIgnoredName } from './file-processor.js';
import { evaluateInbox } from './inbox.health.js';
import { isPending } from './inbox.processor.js';

const file = (path: string, ageS: number) => ({ path, ageS, mtime: new Date(Date.now() - ageS * 1000) });

describe('evaluateInbox', () => {
  it('is ok when nothing waits past the grace', () => {
    expect(evaluateInbox([], 300)).toEqual({ state: 'ok', pending: 0 });
    expect(evaluateInbox([file('a', 299), file('b', 1)], 300)).toEqual({ state: 'ok', pending: 2 });
  });

  it('is info when only the oldest file waits past the grace', () => {
    const verdict = evaluateInbox([file('invoice/a.pdf', 900), file('b', 10)], 300);
    expect(verdict).toMatchObject({ state: 'info', overdue: 1, pending: 2, oldest: { path: 'invoice/a.pdf' } });
    expect(verdict.state !== 'ok' && verdict.detail).toContain('invoice/a.pdf has waited 900 s');
  });

  it('is a warning when newer files wait past the grace too', () => {
    expect(evaluateInbox([file('a', 900), file('b', 400), file('c', 5)], 300)).toMatchObject({
      state: 'warning',
      overdue: 2,
      pending: 3,
      oldest: { path: 'a' },
    });
  });
});

describe('isPending', () => {
  const mtime = new Date('2026-01-01T00:00:00.000Z');
  const state = (processedAt: Date | null) => ({
    processor: 'inbox',
    path: 'a',
    fileHash: null,
    sizeBytes: 1,
    mtime,
    processedAt,
    jobId: null,
    error: null,
  });

  it('is pending when never seen, never processed, or modified after processing', () => {
    expect(isPending({ mtime }, undefined)).toBe(true);
    expect(isPending({ mtime }, state(null))).toBe(true);
    expect(isPending({ mtime }, state(new Date(mtime.getTime() - 1)))).toBe(true);
  });

  it('is not pending when the mtime is not newer than processed_at', () => {
    expect(isPending({ mtime }, state(mtime))).toBe(false);
    expect(isPending({ mtime }, state(new Date(mtime.getTime() + 1)))).toBe(false);
  });
});

describe('isIgnoredName', () => {
  it('ignores hidden and partial-download names only', () => {
    for (const name of ['.x.pdf', 'a.pdf.part', 'a.tmp', 'a.pdf~', 'a.crdownload', 'A.PARTIAL']) {
      expect(isIgnoredName(name)).toBe(true);
    }
    for (const name of ['a.pdf', 'scan 0001.tiff', 'temp.pdf']) {
      expect(isIgnoredName(name)).toBe(false);
    }
  });
});
