/** `npm run plan`: see cli/commands/terraform-commands.ts (or `npm run plan -- --help`). */
import { runMain } from "../cli/commands/common";
import { planMain } from "../cli/commands/terraform-commands";

runMain(planMain);
