/** `npm run apply`: see cli/commands/terraform-commands.ts (or `npm run apply -- --help`). */
import { runMain } from "../cli/commands/common";
import { applyMain } from "../cli/commands/terraform-commands";

runMain(applyMain);
