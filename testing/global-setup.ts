/**
 * Synthesizes the committed fleet once for the whole test run (as `npm run synth` does, with
 * the remote-state backend), so test files that inspect the full output share it instead of
 * each synthesizing 339 stacks again. The directory is in FLEET_TEST_SYNTH_OUT.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFleet } from "../fleet/load";
import { synthFleet } from "../stacks/synth-fleet";

export default function globalSetup(): void {
  const { fleet, problems } = loadFleet(join(__dirname, "..", "environments"));
  if (!fleet) {
    throw new Error(`the committed fleet does not load:\n${problems.map((p) => p.message).join("\n")}`);
  }
  const outdir = join(mkdtempSync(join(tmpdir(), "fleet-test-synth-")), "cdktf.out");
  synthFleet(fleet, { outdir });
  process.env.FLEET_TEST_SYNTH_OUT = outdir;
}
