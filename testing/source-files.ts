/** The project's own TypeScript sources, for tests that check a concept is implemented in one place. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./run-cli";

/** Paths (relative to the repository, sorted) of the `.ts` files under `dirs` whose text matches `test`. */
export function sourcesMatching(dirs: readonly string[], test: (text: string) => boolean): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return walk(path);
      return path.endsWith(".ts") ? [path] : [];
    });
  return dirs
    .flatMap((d) => walk(join(REPO_ROOT, d)))
    .filter((f) => test(readFileSync(f, "utf8")))
    .map((f) => relative(REPO_ROOT, f))
    .sort();
}
