/** `npm run affected`: see cli/commands/affected.ts (or `npm run affected -- --help`). */

import { main } from "../cli/commands/affected";
import { runMain } from "../cli/commands/common";

runMain(main);
