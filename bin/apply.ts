/** `npm run apply`: see cli/terraform/command.ts (or `npm run apply -- --help`). */
import { runMain } from "../cli/shared/command";
import { applyMain } from "../cli/terraform/command";

runMain(applyMain);
