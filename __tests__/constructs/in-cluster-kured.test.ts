import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { Release } from "@cdktf/provider-helm/lib/release";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import { ConstructValidationError } from "../../constructs/common/errors";
import {
  ClusterConnection,
  KURED_CHART_VERSION,
  KURED_DEFAULT_WINDOW,
  Kured,
  type KuredProps,
  kuredRequired,
  type RebootDay,
} from "../../constructs/in-cluster";
import { onlyResource, type SynthesizedStack, synthStack, testApp } from "../../testing";

function build(props: KuredProps = {}) {
  const stack = new TerraformStack(testApp(), "apps-ttd-tt02-k8s");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const connection = new ClusterConnection(stack, "cluster", {
    clusterName: "ttd-tt02-aks",
    resourceGroupName: "altinnapps-ttd-tt02-rg",
  });
  new Kured(stack, "kured", { connection, ...props });
  return stack;
}

function synth(props: KuredProps = {}): SynthesizedStack {
  return synthStack(build(props));
}

function values(props: KuredProps = {}): any {
  return parse((onlyResource(synth(props), "helm_release").values as string[])[0]!);
}

describe("kuredRequired", () => {
  test("is true for the Unmanaged node OS upgrade channel", () => {
    expect(kuredRequired("Unmanaged")).toBe(true);
  });

  test.each(["NodeImage", "SecurityPatch", "None"])("is false for %s", (channel) => {
    expect(kuredRequired(channel)).toBe(false);
  });

  test("is case-sensitive, as the AKS API is", () => {
    expect(kuredRequired("unmanaged")).toBe(false);
  });
});

describe("Kured release", () => {
  test("installs chart kured from kubereboot pinned to 5.10.0 in kube-system", () => {
    expect(synth().json).toHaveResourceWithProperties(Release, {
      name: "kured",
      chart: "kured",
      repository: "https://kubereboot.github.io/charts",
      version: "5.10.0",
      namespace: "kube-system",
    });
    expect(KURED_CHART_VERSION).toBe("5.10.0");
  });

  test("is atomic with bounded history", () => {
    expect(onlyResource(synth(), "helm_release")).toMatchObject({
      atomic: true,
      max_history: 5,
      timeout: 600,
    });
  });

  test("installs into another namespace when asked", () => {
    expect(onlyResource(synth({ namespace: "kured" }), "helm_release").namespace).toBe("kured");
  });

  test("uses the connection's helm provider", () => {
    expect(onlyResource(synth(), "helm_release").provider).toBe("helm");
  });
});

describe("Kured values", () => {
  test("reboots Monday to Thursday 01:00-05:00 Oslo time by default", () => {
    expect(values().configuration).toMatchObject({
      rebootDays: ["mo", "tu", "we", "th"],
      startTime: "01:00",
      endTime: "05:00",
      timeZone: "Europe/Oslo",
    });
  });

  test("uses the given reboot window", () => {
    const rebootWindow = {
      days: ["sa", "su"] as RebootDay[],
      startTime: "22:00",
      endTime: "23:30",
      timeZone: "UTC",
    };
    expect(values({ rebootWindow }).configuration).toMatchObject({
      rebootDays: ["sa", "su"],
      startTime: "22:00",
      endTime: "23:30",
      timeZone: "UTC",
    });
  });

  test("checks hourly, drains for at most 30 minutes, one node at a time", () => {
    expect(values().configuration).toMatchObject({ period: "1h", drainTimeout: "30m", concurrency: 1 });
  });

  test("never reboots without a successful drain", () => {
    expect(values().configuration.forceReboot).toBe(false);
  });

  test("passes a custom period and drain timeout", () => {
    expect(values({ period: "30m", drainTimeout: "1h30m" }).configuration).toMatchObject({
      period: "30m",
      drainTimeout: "1h30m",
    });
  });

  test("tolerates the system pool's CriticalAddonsOnly taint", () => {
    expect(values().tolerations).toEqual([{ key: "CriticalAddonsOnly", operator: "Exists" }]);
  });

  test("sets resource requests and a memory limit", () => {
    expect(values().resources).toEqual({
      requests: { cpu: "10m", memory: "32Mi" },
      limits: { memory: "128Mi" },
    });
  });

  test("merges extraValues over the computed values", () => {
    const v = values({ extraValues: { configuration: { annotateNodes: true } } });
    expect(v.configuration.annotateNodes).toBe(true);
    expect(v.configuration.period).toBe("1h");
  });

  test("accepts the Unmanaged node OS upgrade channel", () => {
    expect(() => build({ nodeOsUpgradeChannel: "Unmanaged" })).not.toThrow();
  });
});

describe("Kured validation", () => {
  test.each(["NodeImage", "SecurityPatch", "None"])(
    "fails if the node OS upgrade channel is %s",
    (channel) => {
      expect(() => build({ nodeOsUpgradeChannel: channel })).toThrow(
        new RegExp(`nodeOsUpgradeChannel "${channel}" does not need Kured`),
      );
    },
  );

  test("fails if the reboot window has no days", () => {
    expect(() => build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, days: [] } })).toThrow(
      /rebootWindow.days is empty/,
    );
  });

  test("fails if a reboot day is not a Kured day", () => {
    expect(() => build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, days: ["monday" as RebootDay] } })).toThrow(
      /days entry "monday" is not a Kured day/,
    );
  });

  test("fails if a reboot day repeats", () => {
    expect(() => build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, days: ["mo", "mo"] } })).toThrow(
      /repeats a day/,
    );
  });

  test("fails if startTime is not HH:MM", () => {
    expect(() => build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, startTime: "1am" } })).toThrow(
      /rebootWindow.startTime "1am" is not HH:MM/,
    );
  });

  test("fails if endTime is not a valid time", () => {
    expect(() => build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, endTime: "24:00" } })).toThrow(
      /rebootWindow.endTime "24:00"/,
    );
  });

  test("fails if the window starts and ends at the same time", () => {
    expect(() =>
      build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, startTime: "02:00", endTime: "02:00" } }),
    ).toThrow(/an empty window/);
  });

  test("fails if the time zone is not an IANA zone", () => {
    expect(() => build({ rebootWindow: { ...KURED_DEFAULT_WINDOW, timeZone: "Norway/Oslo" } })).toThrow(
      /timeZone "Norway\/Oslo" is not an IANA time zone/,
    );
  });

  test("fails if drainTimeout is not a Go duration", () => {
    expect(() => build({ drainTimeout: "30 minutes" })).toThrow(
      /drainTimeout "30 minutes" is not a Go duration/,
    );
  });

  test("fails if period is not a Go duration", () => {
    expect(() => build({ period: "hourly" })).toThrow(ConstructValidationError);
  });

  test("fails if concurrency is 0", () => {
    expect(() => build({ concurrency: 0 })).toThrow(/concurrency 0 must be a whole number/);
  });

  test("names the construct path in validation errors", () => {
    expect(() => build({ period: "hourly" })).toThrow(/^apps-ttd-tt02-k8s\/kured: /);
  });
});
