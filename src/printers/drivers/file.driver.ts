import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PrinterDriver, type PrintJobRef } from './printer-driver.js';

export interface FileDriverOptions {
  dir: string;
}

/** Job ids become file names: nothing that could climb out of the directory or hide as a dotfile. */
const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The printer of a machine without one: `<dir>/<id>.png` (when there is a preview), then `<dir>/<id>.zpl`. Each file
 * appears whole or not at all (written to a temporary name, flushed, renamed), and the ZPL comes last, so whoever
 * watches for `.zpl` files finds the preview already there.
 */
export class FileDriver extends PrinterDriver {
  constructor(private readonly options: FileDriverOptions) {
    super();
  }

  async send(zpl: string, job: PrintJobRef): Promise<void> {
    if (!SAFE_ID.test(job.id)) {
      throw new TypeError(`print job id "${job.id}" cannot be a file name`);
    }
    await mkdir(this.options.dir, { recursive: true });
    if (job.png) {
      await writeAtomically(join(this.options.dir, `${job.id}.png`), job.png);
    }
    await writeAtomically(join(this.options.dir, `${job.id}.zpl`), Buffer.from(zpl, 'utf8'));
  }
}

async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}
