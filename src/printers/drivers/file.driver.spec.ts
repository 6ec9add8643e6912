import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDriver } from './file.driver.js';

const ZPL = '^XA\n^FO10,10^A0N,30,30^FDHello^FS\n^XZ';
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);

describe(FileDriver.name, () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'ix-file-driver-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('send', () => {
    it('creates the directory and writes <id>.zpl and <id>.png, leaving no temporary file', async () => {
      const dir = join(root, 'labels', 'office');
      const sut = new FileDriver({ dir });
      await expect(sut.send(ZPL, { id: 'job-1', png: PNG })).resolves.toBeUndefined();
      await expect(readFile(join(dir, 'job-1.zpl'), 'utf8')).resolves.toBe(ZPL);
      await expect(readFile(join(dir, 'job-1.png'))).resolves.toEqual(PNG);
      await expect(readdir(dir)).resolves.toEqual(['job-1.png', 'job-1.zpl']);
    });

    it('writes only the ZPL when there is no preview', async () => {
      const sut = new FileDriver({ dir: root });
      await sut.send(ZPL, { id: 'job-2' });
      await expect(readdir(root)).resolves.toEqual(['job-2.zpl']);
    });

    it('replaces the files of a job sent again (a retry)', async () => {
      const sut = new FileDriver({ dir: root });
      await sut.send('^XA^XZ', { id: 'job-3' });
      await sut.send(ZPL, { id: 'job-3' });
      await expect(readFile(join(root, 'job-3.zpl'), 'utf8')).resolves.toBe(ZPL);
      await expect(readdir(root)).resolves.toEqual(['job-3.zpl']);
    });

    it('refuses a job id that is not a plain file name', async () => {
      const sut = new FileDriver({ dir: root });
      await expect(sut.send(ZPL, { id: '../escape' })).rejects.toThrow(
        'print job id "../escape" cannot be a file name',
      );
      await expect(sut.send(ZPL, { id: '.hidden' })).rejects.toThrow(TypeError);
      await expect(readdir(root)).resolves.toEqual([]);
    });

    it('rejects when the directory cannot be created', async () => {
      await new FileDriver({ dir: root }).send(ZPL, { id: 'in-the-way' });
      const sut = new FileDriver({ dir: join(root, 'in-the-way.zpl', 'labels') });
      await expect(sut.send(ZPL, { id: 'job-4' })).rejects.toThrow(/EEXIST|ENOTDIR/);
    });
  });
});
