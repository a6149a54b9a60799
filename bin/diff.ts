/** `npm run diff`: see cli/commands/diff.ts (or `npm run diff -- --help`). */
import { runMain } from "../cli/commands/common";
import { main } from "../cli/commands/diff";

runMain(main);
