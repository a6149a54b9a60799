/**
 * One entry point for the commands the pipeline's legs run, for the prebuilt bundle
 * (`npm run bundle`, tools/bundle.cjs): `plan`, `apply` and `pipeline <sub>`, each exactly as its
 * own npm script. Nothing reachable from here imports cdktf or a provider package: the bundle
 * carries its dependencies and runs without node_modules.
 */

import { main as pipelineMain } from "../pipeline/command";
import { type CommandIO, processIO } from "../shared/command";
import { applyMain, planMain } from "../terraform/command";

export const FLEET_COMMANDS = {
  plan: planMain,
  apply: applyMain,
  pipeline: pipelineMain,
} as const;

const USAGE = `usage: fleet <command> [args]

Commands (each takes the flags of its npm script; --help for each):
  plan       npm run plan
  apply      npm run apply
  pipeline   npm run pipeline
`;

export async function fleetMain(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h") {
    io.out(USAGE);
    return name === undefined ? 1 : 0;
  }
  const command = FLEET_COMMANDS[name as keyof typeof FLEET_COMMANDS];
  if (command === undefined) {
    io.err(`error: unknown command ${name}\n${USAGE}`);
    return 1;
  }
  return command(rest, io);
}
