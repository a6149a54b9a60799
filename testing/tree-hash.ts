/** A hash over every file under a directory (names and bytes), to prove a command changed nothing. */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function treeHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(`${p.slice(dir.length)}\0`).update(readFileSync(p));
    }
  };
  walk(dir);
  return h.digest("hex");
}

/** A `cdktf.out/` with earlier output in it, to prove a failed synth leaves it byte-identical. */
export function earlierOutput(): string {
  const out = join(mkdtempSync(join(tmpdir(), "synth-")), "cdktf.out");
  mkdirSync(join(out, "stacks", "keep"), { recursive: true });
  writeFileSync(join(out, "manifest.json"), '{"earlier":"output"}\n');
  writeFileSync(join(out, "stacks", "keep", "cdk.tf.json"), "{}\n");
  return out;
}
