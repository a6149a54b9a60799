/** `npm run pipeline`: see cli/pipeline/command.ts (or `npm run pipeline -- --help`). */

import { loadBaseByInputs } from "../cli/affected/input-affected";
import { main } from "../cli/pipeline/command";
import { processIO, runMain } from "../cli/shared/command";

// The build stage's `prepare` compares bases by stack input hashes (issue 15); the legs' prebuilt
// command line (bin/fleet.ts) leaves that out, as it must not load cdktf.
runMain((argv) => main(argv, processIO(), { loadBase: loadBaseByInputs }));
