/**
 * A cluster whose address block moves gets a new network, and with it a new cluster: the
 * configuration diff must say so (exit 2) before any plan runs. The block is moved here the way
 * it happens in practice: a merge drops a cluster's line from address-plan.yaml while another
 * branch adds an org, and `npm run allocate` hands the freed block to the new org's cluster and
 * a new one to the old cluster.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { main as diffMain } from "../../cli/diff/command";
import { ADDRESS_PLAN_FILE, loadAddressPlan } from "../../fleet/address-plan";
import { main as allocateMain } from "../../fleet/address-plan-cli";
import { loadFleet } from "../../fleet/load";
import { synthFleet } from "../../stacks/synth-fleet";
import { COMMITTED_FLEET, fleetFixture, registryOrg } from "../../testing/fleet-fixture";
import { captureIO, tempDir } from "./fixtures";

function synth(dir: string, out: string, select: string[]): string {
  const { fleet, problems } = loadFleet(dir);
  if (!fleet) throw new Error(problems.map((p) => p.message).join("\n"));
  synthFleet(fleet, { outdir: out, select });
  return out;
}

describe("an address block moved by npm run allocate", () => {
  it("is flagged by npm run diff with exit 2, naming the VNet and every subnet", async () => {
    const committed = loadAddressPlan(join(COMMITTED_FLEET, ADDRESS_PLAN_FILE)).allocations;
    // The cluster with the lowest block; a new org whose key sorts before it takes that block.
    const [moved, oldBlock] = [...committed].sort((a, b) => (a[1] < b[1] ? -1 : 1))[0]!;
    expect(moved < "apps-aaa-at22").toBe(false);
    const dir = fleetFixture({
      orgs: (doc) => {
        doc.orgs.aaa = registryOrg(["at22"]);
      },
      addressPlan: (doc) => {
        delete doc.allocations[moved];
      },
    });
    const lines: string[] = [];
    const allocated = await allocateMain(["node", "allocate", "--fleet-dir", dir], {
      loadFleet: async (d) => {
        const { addressing, problems } = loadFleet(d);
        return addressing
          ? { fleet: { addressPlan: addressing.settings, clusterKeys: addressing.clusterKeys }, problems }
          : { problems };
      },
      output: { log: (l) => lines.push(l), error: (l) => lines.push(l) },
    });
    expect(allocated).toBe(0);
    const after = loadAddressPlan(join(dir, ADDRESS_PLAN_FILE)).allocations;
    expect(after.get("apps-aaa-at22")).toBe(oldBlock);
    const newBlock = after.get(moved)!;
    expect(newBlock).not.toBe(oldBlock);
    expect(readFileSync(join(dir, ADDRESS_PLAN_FILE), "utf8")).toContain(`${moved}: ${newBlock}`);

    const root = tempDir();
    const base = synth(COMMITTED_FLEET, join(root, "base.out"), [moved]);
    const head = synth(dir, join(root, "head.out"), [moved]);
    const io = captureIO(root);
    expect(await diffMain(["--base-out", base, "--head-out", head, "--json"], io)).toBe(2);
    const risks = (
      JSON.parse(io.stdout()) as {
        risks: { stack: string; kind: string; address: string; message: string }[];
      }
    ).risks;
    const onMoved = risks.filter((r) => r.stack === moved);
    expect(onMoved.map((r) => r.kind)).toEqual(onMoved.map(() => "refused-update"));
    const addresses = onMoved.map((r) => r.address.split(".")[0]);
    expect(addresses.filter((a) => a === "azurerm_virtual_network")).toHaveLength(1);
    // Every subnet of the cluster layout moves with the block.
    expect(addresses.filter((a) => a === "azurerm_subnet").length).toBeGreaterThanOrEqual(3);
    const vnet = onMoved.find((r) => r.address.startsWith("azurerm_virtual_network."))!;
    expect(vnet.message).toContain(`address_space ["${oldBlock}"] → ["${newBlock}"]`);
    expect(vnet.message).toContain("new cluster");
  });
});
