import { expect, it } from '@jest/globals';
import type { GenAiClient, GenAiRequest } from '../../src/clients/genai/genai.client.js';
import type { ScriptedServer } from './scripted-server.js';

/** The client's own deadline in this case: far beyond the test's, so only the caller's signal can end the call. */
const OWN_TIMEOUT_MS = 600_000;

/**
 * The case every chat client shares: a call the caller aborts (the job's deadline, shutdown) stops at once and
 * rejects with the caller's reason. With the client's own deadline at ten minutes, a client that did not hand the
 * signal to its request would hang until the test's timeout instead of passing late.
 */
export function itStopsWhenTheCallerAborts(
  server: () => ScriptedServer,
  route: string,
  client: (timeoutMs: number) => GenAiClient,
  request: GenAiRequest,
): void {
  it.each(['hang', 'hang-body'] as const)(
    "stops (%s) when the caller aborts, rejecting with the caller's reason rather than a GenAI error",
    async (reply) => {
      server().reply(route, reply);
      const controller = new AbortController();
      const reason = new Error('job deadline');
      setTimeout(() => controller.abort(reason), 50);
      await expect(client(OWN_TIMEOUT_MS).extract({ ...request, signal: controller.signal })).rejects.toBe(reason);
    },
    10_000,
  );
}
