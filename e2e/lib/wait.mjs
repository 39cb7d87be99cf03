// Retries a check until it passes, for assertions on pages that update after requests finish.

import { setTimeout as sleep } from "node:timers/promises";

const DEFAULT_TIMEOUT_MS = 15_000;
const RETRY_INTERVAL_MS = 100;

/** Calls `check` until it returns without throwing, and rethrows its last error after the timeout. */
export async function eventually(check, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        throw error;
      }
      await sleep(RETRY_INTERVAL_MS);
    }
  }
}
