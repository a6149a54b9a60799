/** `npm run affected`: see cli/affected/command.ts (or `npm run affected -- --help`). */

import { main } from "../cli/affected/command";
import { runMain } from "../cli/shared/command";

runMain(main);
