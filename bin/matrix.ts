/** `npm run matrix`: see cli/matrix/command.ts (or `npm run matrix -- --help`). */

import { main } from "../cli/matrix/command";
import { runMain } from "../cli/shared/command";

runMain(main);
