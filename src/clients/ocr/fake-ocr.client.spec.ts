import { describe, expect, it } from '@jest/globals';
import { FakeOcrClient, fakeOcrPage } from './fake-ocr.client.js';

describe(FakeOcrClient.name, () => {
  it('answers the configured page for each page number and records the calls', async () => {
    const sut = new FakeOcrClient([fakeOcrPage(1, 'first page'), fakeOcrPage(2, 'second page')]);
    await expect(sut.recognize(Buffer.from('a'), { languages: ['deu'], page: 2 })).resolves.toMatchObject({
      page: 2,
      text: 'second page',
      source: 'ocr',
    });
    await expect(sut.recognize(Buffer.from('b'), { languages: ['deu'], page: 7 })).resolves.toMatchObject({
      page: 7,
      text: 'second page',
    });
    expect(sut.calls.map((c) => c.opts.page)).toEqual([2, 7]);
  });

  it('answers from a function, and fails once closed', async () => {
    const sut = new FakeOcrClient((_image, opts) => fakeOcrPage(opts.page, opts.languages.join(' ')));
    await expect(sut.recognize(Buffer.alloc(0), { languages: ['eng', 'deu'], page: 1 })).resolves.toMatchObject({
      text: 'eng deu',
      words: [
        { text: 'eng', line: 0 },
        { text: 'deu', line: 0 },
      ],
    });
    await expect(sut.selfcheck()).resolves.toEqual({ ok: true, detail: 'fake' });
    await sut.close();
    await expect(sut.selfcheck()).resolves.toMatchObject({ ok: false });
    await expect(sut.recognize(Buffer.alloc(0), { languages: [], page: 1 })).rejects.toThrow('closed');
  });
});
