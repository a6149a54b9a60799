/**
 * Readable synth failures: cdktf reports error annotations (policy findings among them) as one
 * message ending in advice to set CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, which would let a
 * policy violation through. This keeps the findings, drops that advice and says what to do.
 */
const ANNOTATION_HEADER = 'Encountered Annotations with level "ERROR":';
const CDKTF_ADVICE =
  /\n\s*Either fix the issues above, or set the environment variable CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS[^\n]*\n?/;

export function formatSynthError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith(ANNOTATION_HEADER)) return message;
  const body = message.slice(ANNOTATION_HEADER.length).replace(CDKTF_ADVICE, "").trim();
  const policyFindings = (body.match(/^\[[^\]]+\] policy /gm) ?? []).length;
  const stack = /^\[([^/\]]+)/.exec(body)?.[1];
  const lines = [
    `errors in stack ${stack ?? "(unknown)"}${policyFindings > 0 ? ` (${policyFindings} policy finding${policyFindings === 1 ? "" : "s"})` : ""}:`,
    body,
  ];
  if (policyFindings > 0) {
    lines.push(
      "",
      "Synth stops at the first stack with errors; `npm run policy` reports every stack.",
      "Fix the resource, or accept the risk with suppress(construct, rule, reason) (constructs/policy/README.md).",
    );
  }
  return lines.join("\n");
}
