import { StackGraph } from "../../cli/shared/manifest";
import { Mutex, runInWaves } from "../../cli/shared/schedule";

const graph = new StackGraph(
  new Map<string, string[]>([
    ["a", []],
    ["b", []],
    ["c", []],
    ["d", ["a"]],
    ["e", ["d"]],
    ["f", ["b"]],
  ]),
);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runInWaves", () => {
  it("runs wave after wave, never more than the parallelism at once", async () => {
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    await runInWaves<string>({
      graph,
      stacks: ["a", "b", "c", "d", "e", "f"],
      parallelism: 2,
      task: async (s) => {
        running++;
        peak = Math.max(peak, running);
        await sleep(s === "a" ? 20 : 5);
        running--;
        return "ok";
      },
      skipped: () => "skipped",
      onDone: (s) => order.push(s),
    });
    expect(peak).toBe(2);
    expect(order.slice(0, 3).sort()).toEqual(["a", "b", "c"]);
    expect(order.slice(3, 5).sort()).toEqual(["d", "f"]);
    expect(order[5]).toBe("e");
  });

  it("skips the dependents of a failed stack and runs the rest", async () => {
    const ran: string[] = [];
    const results = await runInWaves<string>({
      graph,
      stacks: ["a", "b", "d", "e", "f"],
      parallelism: 4,
      task: async (s) => {
        ran.push(s);
        return s === "a" ? "failed" : "ok";
      },
      failed: (r) => r === "failed",
      skipped: (s, by) => `skipped ${s} (${by})`,
    });
    expect(ran.sort()).toEqual(["a", "b", "f"]);
    expect(results.get("d")).toBe("skipped d (a)");
    expect(results.get("e")).toBe("skipped e (a)");
  });
});

describe("Mutex", () => {
  it("runs sections one at a time, also after a failure", async () => {
    const m = new Mutex();
    let inside = 0;
    let peak = 0;
    const section = async (fail: boolean) => {
      inside++;
      peak = Math.max(peak, inside);
      await sleep(2);
      inside--;
      if (fail) throw new Error("boom");
      return 1;
    };
    const results = await Promise.allSettled([
      m.run(() => section(true)),
      m.run(() => section(false)),
      m.run(() => section(false)),
    ]);
    expect(peak).toBe(1);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
  });
});
