import { runUpdateLock } from "../cli/policy/policy-lock";
import { runMain } from "../cli/shared/command";

runMain(runUpdateLock);
