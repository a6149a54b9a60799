import { runPermissions } from "../cli/permissions/permissions";
import { runMain } from "../cli/shared/command";

runMain(runPermissions);
