/**
 * Wraps an async task so calls run one after another, never overlapping. Content-script syncs need
 * it: a grant fires permissions.onAdded and the settings page's storage change together, and two
 * overlapping syncs would both find nothing registered, both register, and the second would fail
 * on the duplicate id. A failed run does not stop the next.
 */
export function oneAtATime<T>(task: () => Promise<T>): () => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return () => {
    const run = last.then(task);
    last = run.catch(() => undefined);
    return run;
  };
}
