/** `npm run matrix`: see cli/commands/matrix.ts (or `npm run matrix -- --help`). */
import { runMain } from "../cli/commands/common";
import { main } from "../cli/commands/matrix";

runMain(main);
