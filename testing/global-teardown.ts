import { rmSync } from "node:fs";
import { dirname } from "node:path";

export default function globalTeardown(): void {
  const out = process.env.FLEET_TEST_SYNTH_OUT;
  if (out) rmSync(dirname(out), { recursive: true, force: true });
}
