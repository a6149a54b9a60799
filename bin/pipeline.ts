/** `npm run pipeline`: see cli/pipeline-command.ts (or `npm run pipeline -- --help`). */
import { runMain } from "../cli/commands/common";
import { main } from "../cli/pipeline-command";

runMain(main);
