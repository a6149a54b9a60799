/**
 * The EncryptionAtHost registration that bootstrap-state runs once per subscription: idempotent
 * where the feature is registered, registers and waits where it is not, and fails (so Terraform
 * runs it again on the next apply) when the feature never gets there. `az` is a fake on PATH.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import {
  ENCRYPTION_AT_HOST_WAIT,
  EncryptionAtHostFeature,
  encryptionAtHostScript,
} from "../../constructs/cluster";
import { synthStack, testApp } from "../../testing";

const SUB = "e1ec2747-6698-4d94-b79c-22daf927ce33";

/** Runs the script with a fake `az` answering `feature show` with the given states in turn. */
function run(states: string[]): { status: number | null; calls: string[]; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), "eah-"));
  writeFileSync(join(dir, "states"), `${states.join("\n")}\n`);
  writeFileSync(
    join(dir, "az"),
    `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls"
if [ "$1 $2" = "feature show" ]; then
  n=$(($(cat "${dir}/n" 2>/dev/null || echo 0) + 1)); echo "$n" > "${dir}/n"
  sed -n "\${n}p" "${dir}/states" | grep . || tail -n 1 "${dir}/states"
fi
`,
  );
  writeFileSync(join(dir, "sleep"), "#!/usr/bin/env bash\nexit 0\n");
  chmodSync(join(dir, "az"), 0o755);
  chmodSync(join(dir, "sleep"), 0o755);
  const r = spawnSync("bash", ["-c", encryptionAtHostScript(SUB)], {
    env: { PATH: `${dir}:${process.env.PATH}` },
    encoding: "utf8",
  });
  let calls: string[] = [];
  try {
    calls = readFileSync(join(dir, "calls"), "utf8").trim().split("\n");
  } catch {
    calls = [];
  }
  return { status: r.status, calls, stderr: r.stderr };
}

const verbs = (calls: string[]) => calls.map((c) => c.split(" --")[0]);

describe("encryptionAtHostScript", () => {
  test("registers nothing new where the feature is Registered; the provider register is a no-op there", () => {
    const r = run(["Registered"]);
    expect(r.status).toBe(0);
    expect(verbs(r.calls)).toEqual(["feature show", "provider register"]);
    expect(r.calls.every((c) => c.includes(`--subscription ${SUB}`))).toBe(true);
  });

  test("registers the feature, waits for Registered, then registers Microsoft.Compute to propagate it", () => {
    const r = run(["NotRegistered", "Registering", "Registering", "Registered"]);
    expect(r.status).toBe(0);
    expect(verbs(r.calls)).toEqual([
      "feature show",
      "feature register",
      "feature show",
      "feature show",
      "feature show",
      "feature show",
      "provider register",
    ]);
    expect(r.calls.at(-1)).toContain("--namespace Microsoft.Compute --wait");
  });

  test("fails, naming the subscription, when the feature never gets registered", () => {
    const r = run(["NotRegistered", "Registering"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`Registering in subscription ${SUB}`);
    // It polled for the whole wait before giving up.
    expect(r.calls.filter((c) => c.startsWith("feature show")).length).toBeGreaterThan(
      ENCRYPTION_AT_HOST_WAIT.attempts,
    );
    expect(r.calls.some((c) => c.startsWith("provider register"))).toBe(false);
  });
});

describe("EncryptionAtHostFeature", () => {
  test("is one terraform_data per subscription, re-run when the subscription changes", () => {
    const stack = new TerraformStack(testApp(), "s");
    new EncryptionAtHostFeature(stack, "eah", { subscriptionId: SUB });
    const data = Object.values(synthStack(stack).parsed.resource?.terraform_data ?? {}) as Record<
      string,
      any
    >[];
    expect(data).toHaveLength(1);
    expect(data[0]!.triggers_replace).toEqual({
      subscription: SUB,
      feature: "Microsoft.Compute/EncryptionAtHost",
    });
    expect(data[0]!.provisioner[0]["local-exec"].command).toBe(encryptionAtHostScript(SUB));
  });

  test("refuses a subscription that is not a GUID", () => {
    const stack = new TerraformStack(testApp(), "s");
    expect(() => new EncryptionAtHostFeature(stack, "eah", { subscriptionId: "prod" })).toThrow(
      /not a subscription id/,
    );
  });
});
