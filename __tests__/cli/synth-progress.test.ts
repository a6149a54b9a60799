/** Progress of a long synthesis: a line rewritten in place on a terminal, one line per batch in CI logs. */
import { synthProgress } from "../../cli/synth";
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

test("in CI logs: one line per batch, with stacks written of the total and the batch", () => {
  const s = stream(false);
  const p = synthProgress(s, process.hrtime.bigint(), 0);
  p.report(batch(0, 0));
  p.report(batch(1, 200));
  p.report(batch(2, 400));
  p.done();
  expect(
    s
      .text()
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
  const s = stream(true);
  const p = synthProgress(s, process.hrtime.bigint(), 0);
  p.report(batch(1, 200));
  p.report(batch(2, 400));
  p.done();
  expect(s.text().split("\r\u001b[2K")).toHaveLength(3);
  expect(s.text().endsWith("\n")).toBe(true);
  expect(s.text().split("\n")).toHaveLength(2);
});

test("silent for a run shorter than the quiet time", () => {
  const s = stream(false);
  const p = synthProgress(s, process.hrtime.bigint(), 3600);
  p.report(batch(1, 200));
  p.report(batch(2, 400));
  p.done();
  expect(s.text()).toBe("");
});
