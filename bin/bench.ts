import { runBench } from "../cli/bench";

process.exitCode = runBench(process.argv.slice(2));
