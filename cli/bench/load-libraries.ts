/**
 * For `npm run bench`: loads what a synth loads (the app, the fleet model, the policy, the
 * synthesizer) and nothing else, then prints the peak memory, so the cost of loading the
 * libraries alone can be told apart from the cost of a fleet.
 */
import "../../stacks/synth-fleet";
import "../../fleet/load";
import "../synth/synth";

process.stdout.write(JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS }));
