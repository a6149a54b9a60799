import { runSynth } from "../cli/synth";

process.exitCode = runSynth(process.argv.slice(2));
