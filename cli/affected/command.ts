/** `npm run affected`: the stacks a change affects, one per line in dependency order. */

import { type CommandIO, guarded, parse, processIO, program } from "../shared/command";
import { resolveEnvToken } from "../shared/env-token";
import { addSideOptions, baseLabel, type SideOptions, withInputSides } from "../shared/sides";
import { compareOutputs } from "./affected";

const HELP = `
Compares each stack's normalized Terraform JSON (cdktf metadata dropped, keys sorted) between
the base and the current tree, and prints the stacks that were added, removed or changed plus
every stack that depends on one of them (manifest.json dependencies, transitively), one per
line, in dependency order (wave by wave, then by id).

--env filters to one state scope, as cdktf.out/stacks.json records it for every stack: an
environment token (apps, platform and studio stacks), shared (org registries and services-*
stacks) or state (state-scopes). A registry name that the fleet writes differently
(production → prod, nameTokens in fleet.yaml) is translated.

--json prints {base, env, changed, added, removed, dependents, all}: "changed" includes the
added stacks, "removed" stacks have nothing left to plan (their resources stay in Azure until
destroyed deliberately), "all" is changed + removed + dependents in dependency order.

When only the fleet definition differs from --base (the code a synthesis runs is the same),
both definitions are loaded and planned here, every stack's input is hashed on both sides, and
only the stacks whose input differs are synthesized and compared: the same answer, without two
full syntheses. Otherwise (or with --full-synth) the base is synthesized in a temporary git
worktree (node_modules reused when package-lock.json is identical, else npm ci) and the
checkout in full. FLEET_DIR is inherited: absolute → both sides read that directory, relative →
each tree reads its own copy.

Exit codes: 0 success (whether or not anything is affected), 1 error.

--base-fleet <dir> compares the fleet definition in <dir> with the current one (FLEET_DIR or
environments/), both with this checkout's code, by stack inputs.

Examples:
  npm run --silent affected -- --base origin/main
  npm run --silent affected -- --base origin/main --env at22 > stacks.txt
  npm run --silent affected -- --base-out base.out --head-out cdktf.out --json
`;

interface Options extends SideOptions {
  json?: boolean;
  env?: string;
}

export async function main(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const cmd = addSideOptions(program("affected", "List the stacks a change affects.", io))
    .option("--json", "print a JSON object instead of one id per line")
    .option("--env <env>", "only the stacks of this environment token (shared = org stacks)")
    .option(
      "--base-fleet <dir>",
      "compare with the fleet definition in <dir> instead of a revision (same code; by stack inputs)",
    )
    .addHelpText("after", HELP);
  const code = parse(cmd, argv);
  if (code !== undefined) return code;
  const o = cmd.opts<Options>();
  return guarded(io, async () => {
    const env = o.env !== undefined ? resolveEnvToken(o.env, io.cwd, io.env.FLEET_DIR) : undefined;
    const result = await withInputSides(o, io, (base, head) =>
      compareOutputs(base, head, env !== undefined ? { env } : {}),
    );
    if (o.json) {
      io.out(
        `${JSON.stringify({ base: o.baseFleet ?? baseLabel(o), ...(env !== undefined ? { env } : {}), ...result }, null, 2)}\n`,
      );
    } else {
      io.out(result.all.map((id) => `${id}\n`).join(""));
    }
    io.err(
      `${result.all.length} stack(s) affected: ${result.changed.length} changed (${result.added.length} new), ` +
        `${result.removed.length} removed, ${result.dependents.length} dependent\n`,
    );
    return 0;
  });
}
