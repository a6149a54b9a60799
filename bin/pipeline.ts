/** `npm run pipeline`: see cli/pipeline/command.ts (or `npm run pipeline -- --help`). */
import { main } from "../cli/pipeline/command";
import { processIO, runMain } from "../cli/shared/command";

// The build stage's `prepare` compares bases by stack input hashes (issue 15). That comparison
// synthesizes in-process, so it loads cdktf: imported only when `prepare` needs a base, so the
// other subcommands start without it, and the legs' prebuilt command line (bin/fleet.ts) has none.
runMain((argv) =>
  main(argv, processIO(), {
    loadBase: async (...args) =>
      (await import("../cli/affected/input-affected.js")).loadBaseByInputs(...args),
  }),
);
