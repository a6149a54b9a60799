/** `npm run diff`: per changed stack, what changes in its configuration, and the risks in it. */
import { compareOutputs } from "../affected/affected";
import { type CommandIO, guarded, parse, processIO, program } from "../shared/command";
import { resolveEnvToken } from "../shared/env-token";
import { addSideOptions, baseLabel, headLabel, type SideOptions, withSides } from "../shared/sides";
import { diffOutputs } from "./diff";
import { renderMarkdown, renderText } from "./diff-render";

const HELP = `
For every stack whose normalized Terraform JSON differs from the base: resources added,
removed, changed (with the attributes that changed, dotted paths, old → new, values cut
short) and moved (a removed and an added address joined by a moved block). Risks are listed
first:
  - a stateful resource destroyed (also a rename without a moved block)
  - an attribute change that replaces or rebuilds a resource, or that Azure refuses while
    the resource is in use, such as a moved address block (table: cli/diff/risk-rules.ts)
  - lifecycle.prevent_destroy dropped from a resource
  - the state backend changed
  - a whole stack removed (its resources stay in Azure unmanaged)
  - a stack decommissioned (fleet.yaml decommission: planned with terraform plan -destroy)

--markdown prints markdown for the pipeline summary (##vso[task.uploadsummary]).
--json prints the diff as JSON ({stacks: [{stack, status, changes, risks}], risks}).

Exit codes: 0 no risky changes, 2 risky changes present (review them), 1 error.

Examples:
  npm run --silent diff -- --base origin/main
  npm run --silent diff -- --base origin/main --markdown > diff.md
`;

interface Options extends SideOptions {
  markdown?: boolean;
  json?: boolean;
  env?: string;
}

export const DIFF_EXIT = { clean: 0, error: 1, risky: 2 } as const;

export async function main(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const cmd = addSideOptions(
    program("diff", "Show what changes in each stack's configuration, and its risks.", io),
  )
    .option("--markdown", "print markdown (for the Azure DevOps run summary)")
    .option("--json", "print JSON")
    .option("--env <env>", "only the stacks of this environment token (shared = org stacks)")
    .addHelpText("after", HELP);
  const code = parse(cmd, argv);
  if (code !== undefined) return code;
  const o = cmd.opts<Options>();
  return guarded(io, async () => {
    const env = o.env !== undefined ? resolveEnvToken(o.env, io.cwd, io.env.FLEET_DIR) : undefined;
    const diff = await withSides(o, io, (base, head) => {
      const affected = compareOutputs(base, head, env !== undefined ? { env } : {});
      return diffOutputs(base, head, affected.all);
    });
    const labels = { base: baseLabel(o), head: headLabel(o) };
    if (o.json) io.out(`${JSON.stringify(diff, null, 2)}\n`);
    else io.out(o.markdown ? renderMarkdown(diff, labels) : renderText(diff, labels));
    return diff.risks.length > 0 ? DIFF_EXIT.risky : DIFF_EXIT.clean;
  });
}
