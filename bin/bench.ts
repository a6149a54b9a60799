import { runBench } from "../cli/bench/bench";
import { runMain } from "../cli/shared/command";

runMain(runBench);
