/**
 * A promise queue that runs tasks one at a time, in call order: the one inference session is
 * never entered by two calls at once.
 *
 * @module
 */

/** Runs the tasks given to it strictly one after another. */
export type SerialQueue = <T>(task: () => Promise<T>) => Promise<T>;

/** A new, empty serial queue. A failing task does not stop the ones queued after it. */
export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}
