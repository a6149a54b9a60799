/** Progress of a long synthesis: a line rewritten in place on a terminal, one line per batch in CI logs. */
import { synthProgress } from "../../cli/synth/synth";
import type { SynthProgress } from "../../stacks/synth-fleet";

function stream(isTTY: boolean) {
  let text = "";
  return { isTTY, write: (t: string) => (text += t), text: () => text };
}

const batch = (n: number, built: number): SynthProgress => ({
  total: 450,
  reused: 50,
  built,
  toBuild: 400,
  batch: n,
  batches: 2,
  first: `s${n}a`,
  last: `s${n}z`,
});

/** Reports both batches of a run and ends it; returns what was written. */
function run(isTTY: boolean, quietSeconds: number): string {
  const s = stream(isTTY);
  const p = synthProgress(s, process.hrtime.bigint(), quietSeconds);
  p.report(batch(0, 0));
  p.report(batch(1, 200));
  p.report(batch(2, 400));
  p.done();
  return s.text();
}

test("in CI logs: one line per batch, with stacks written of the total and the batch", () => {
  expect(
    run(false, 0)
      .split("\n")
      .filter((l) => l !== ""),
  ).toEqual([
    expect.stringMatching(
      /^synth: 250 of 450 stacks \(200 of 400 built, 50 reused\), batch 1\/2 s1a \.\. s1z, /,
    ),
    expect.stringMatching(
      /^synth: 450 of 450 stacks \(400 of 400 built, 50 reused\), batch 2\/2 s2a \.\. s2z, /,
    ),
  ]);
});

test("on a terminal: one line rewritten in place, ended once", () => {
  const text = run(true, 0);
  expect(text.split("\r\u001b[2K")).toHaveLength(3);
  expect(text.endsWith("\n")).toBe(true);
  expect(text.split("\n")).toHaveLength(2);
});

test("silent for a run shorter than the quiet time", () => {
  expect(run(false, 3600)).toBe("");
});
