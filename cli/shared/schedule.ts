/** Running one task per stack, wave after wave, with bounded parallelism inside a wave. */
import type { StackGraph } from "./manifest";

export interface ScheduleOptions<T> {
  readonly graph: StackGraph;
  readonly stacks: readonly string[];
  /** At most this many tasks run at once (within a wave). */
  readonly parallelism: number;
  readonly task: (stack: string) => Promise<T>;
  /** When set, a stack whose dependency (transitively, within the run) failed is not run. */
  readonly failed?: (result: T) => boolean;
  /** The result recorded for a stack skipped because of `blockedBy`. */
  readonly skipped: (stack: string, blockedBy: string) => T;
  /** Called as each stack finishes, in completion order. */
  readonly onDone?: (stack: string, result: T) => void;
}

export async function runInWaves<T>(options: ScheduleOptions<T>): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  const blocked = new Map<string, string>();
  const limit = Math.max(1, Math.floor(options.parallelism));
  for (const wave of options.graph.waves(options.stacks)) {
    const queue = [...wave];
    const worker = async () => {
      for (let stack = queue.shift(); stack !== undefined; stack = queue.shift()) {
        const blocker = blocked.get(stack);
        const result = blocker !== undefined ? options.skipped(stack, blocker) : await options.task(stack);
        results.set(stack, result);
        if (blocker !== undefined || options.failed?.(result)) {
          for (const d of options.graph.transitiveDependents([stack])) {
            if (!blocked.has(d)) blocked.set(d, blocker ?? stack);
          }
        }
        options.onDone?.(stack, result);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, wave.length) }, worker));
  }
  return results;
}

/** A lock that runs critical sections one at a time (concurrent `terraform init` with a shared plugin cache). */
export class Mutex {
  private tailPromise: Promise<void> = Promise.resolve();

  run<T>(section: () => Promise<T>): Promise<T> {
    const result = this.tailPromise.then(section);
    this.tailPromise = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
