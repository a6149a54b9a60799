import { runMain } from "../cli/shared/command";
import { runSynth } from "../cli/synth/synth";

runMain(runSynth);
