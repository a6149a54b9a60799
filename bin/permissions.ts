import { runMain } from "../cli/commands/common";
import { runPermissions } from "../cli/permissions";

runMain(runPermissions);
