/** Writing a synthesized app atomically: a failed run leaves an existing output exactly as it was. */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { STACKS_FILE } from "../../stacks/metadata";

/** A fresh temporary directory beside `outdir` (same filesystem, so the final rename is atomic). */
export function stagingDir(outdir: string): string {
  const dir = join(dirname(outdir), `.${basename(outdir)}.staging-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Replaces `outdir` by `staged`. The old output is moved aside first and removed only after. */
export function swapInto(staged: string, outdir: string): void {
  const old = `${staged}.old`;
  const hadOld = existsSync(outdir);
  if (hadOld) renameSync(outdir, old);
  try {
    renameSync(staged, outdir);
  } catch (e) {
    if (hadOld) renameSync(old, outdir);
    throw e;
  }
  if (hadOld) rmSync(old, { recursive: true, force: true });
}

export function discard(staged: string): void {
  rmSync(staged, { recursive: true, force: true });
}

/**
 * Moves the named stacks' directories, stacks.json and the manifest from `staged` into an existing `outdir`,
 * leaving every other stack's output as it was. Each stack's old directory is moved aside before
 * the new one takes its place, and the manifest goes last, so `outdir` is never without one.
 */
export function swapStacksInto(staged: string, outdir: string, stackIds: readonly string[]): void {
  const aside = `${staged}.old`;
  mkdirSync(join(aside, "stacks"), { recursive: true });
  mkdirSync(join(outdir, "stacks"), { recursive: true });
  for (const id of stackIds) {
    const target = join(outdir, "stacks", id);
    if (existsSync(target)) renameSync(target, join(aside, "stacks", id));
    renameSync(join(staged, "stacks", id), target);
  }
  // The metadata before the manifest: a reader that finds the new manifest finds its stacks' metadata.
  if (existsSync(join(staged, STACKS_FILE))) renameSync(join(staged, STACKS_FILE), join(outdir, STACKS_FILE));
  renameSync(join(staged, "manifest.json"), join(outdir, "manifest.json"));
  rmSync(aside, { recursive: true, force: true });
  rmSync(staged, { recursive: true, force: true });
}
