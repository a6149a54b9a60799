import { runUpdateLock } from "../cli/policy-lock";

process.exitCode = runUpdateLock(process.argv.slice(2));
