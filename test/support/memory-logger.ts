import { Writable } from 'node:stream';
import { createRootLogger } from '../../src/logging/root-logger.js';

/** The production root logger at its most verbose level, writing its JSON lines into memory. */
export function memoryLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createRootLogger('trace', stream), text: () => lines.join('') };
}
