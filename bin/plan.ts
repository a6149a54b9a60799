/** `npm run plan`: see cli/terraform/command.ts (or `npm run plan -- --help`). */
import { runMain } from "../cli/shared/command";
import { planMain } from "../cli/terraform/command";

runMain(planMain);
