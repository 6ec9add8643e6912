import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  const running = globalThis.__ixTestPg;
  if (running) {
    await running.server.stop();
    rmSync(running.root, { recursive: true, force: true });
  }
}
