/** Runs `run` and returns what it threw, or `undefined` when it returned: for asserting on typed errors. */
export function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Awaits `run` and returns what it rejected with, or `undefined` when it resolved. */
export async function caughtAsync(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  return undefined;
}
