import { runPolicy } from "../cli/policy/policy";
import { runMain } from "../cli/shared/command";

runMain(runPolicy);
