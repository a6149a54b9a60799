/** `npm run diff`: see cli/diff/command.ts (or `npm run diff -- --help`). */

import { main } from "../cli/diff/command";
import { runMain } from "../cli/shared/command";

runMain(main);
