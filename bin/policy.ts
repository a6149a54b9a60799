import { runPolicy } from "../cli/policy";

process.exitCode = runPolicy(process.argv.slice(2));
