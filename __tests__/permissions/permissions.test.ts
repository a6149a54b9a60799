/**
 * `npm run permissions` (issue 11, "Permissions computed from the output" and finding 3): on the
 * committed fleet every operation of every stack is allowed to its scope's pipeline identity and
 * plan identities only read; taking the role-assignment role away from an apply identity, giving
 * a plan identity Contributor, or narrowing a cross-scope grant makes it fail with the stack, the
 * resource and the operation.
 */
import { join } from "node:path";
import { readStacks, runPermissions } from "../../cli/permissions/permissions";
import { checkPermissions } from "../../cli/permissions/permissions-check";
import { RESOURCE_PERMISSIONS } from "../../constructs/permissions/resource-permissions";
import type { StackJson } from "../../docs-gen/terraform";
import { loadFleet } from "../../fleet/load";
import { fleetFixture } from "../../testing/fleet-fixture";
import { committedFleet, sharedFleetOutput } from "../../testing/fleet-synth";
import { COMMITTED_FLEET_NOTICES, REPO_ROOT, runCli, stderrNoticeFields } from "../../testing/run-cli";
import { captureIO } from "../cli/fixtures";

type Doc = Record<string, any>;

describe("on the committed fleet", () => {
  let code: number;
  let stdout: string;
  beforeAll(async () => {
    const io = captureIO(REPO_ROOT);
    code = await runPermissions(["--out", sharedFleetOutput()], io);
    stdout = io.stdout();
    expect(io.stderr()).toBe("");
  });

  test("exits 0: every operation is allowed, plan identities only read", () => {
    expect(stdout).not.toMatch(/^error:/m);
    expect(code).toBe(0);
    expect(stdout).toContain(
      "Every operation of every stack is allowed to its pipeline identity; plan identities only read.",
    );
  });

  test("lists each identity with the roles it holds, from the fleet definition and from bootstrap-state", () => {
    expect(stdout).toMatch(
      /^fleet-tt02-apply \(c1acc990-6424-450a-a36b-f9b3ddcb369d\): \d+ stacks, \d+ operations needed$/m,
    );
    expect(stdout).toContain(
      "  holds Fleet Role Definition Writer on subscription of tt02  [pipelineRoles.sets.environment.apply]",
    );
    expect(stdout).toContain(
      "  holds Role Based Access Control Administrator on subscription of shared (may assign only AcrPull)",
    );
    expect(stdout).toMatch(
      /holds Storage Blob Data Reader on state container tfstate-tt02 {2}\[state-scopes azurerm_role_assignment\.scopes_plan-tt02_/,
    );
    expect(stdout).toContain(
      "Not run by a pipeline identity (local state, applied by hand): bootstrap-state",
    );
    expect(stdout).toMatch(
      /granted but never needed: Role Based Access Control Administrator: Microsoft\.Support\/\*/,
    );
  });

  test("every resource and data source type of the output has a row in the table", () => {
    const report = checkPermissions({ fleet: committedFleet(), stacks: readStacks(sharedFleetOutput()) });
    expect(report.problems).toEqual([]);
    const types = new Set(report.coverage.map((c) => c.need.type));
    // Spot checks that the rows are applied, not skipped.
    for (const t of [
      "azurerm_role_definition",
      "data.azurerm_kubernetes_cluster",
      "helm_release",
      "terraform.backend",
    ]) {
      expect(types.has(t)).toBe(true);
    }
  });

  test("the apps stacks' AcrPull on the org registry is checked in the shared scope", () => {
    const report = checkPermissions({ fleet: committedFleet(), stacks: readStacks(sharedFleetOutput()) });
    const acrPull = report.coverage.filter(
      (c) =>
        c.need.stack === "apps-ttd-tt02" &&
        c.identity.kind === "apply" &&
        c.need.address === "azurerm_role_assignment.kubelet-acr-pull" &&
        c.need.action === "Microsoft.Authorization/roleAssignments/write",
    );
    expect(acrPull.map((c) => [c.need.target, c.by.map((g) => g.role)])).toEqual([
      [
        { kind: "subscription", scope: "shared", group: "altinnapps-ttd-acr-rg" },
        ["Role Based Access Control Administrator"],
      ],
    ]);
  });

  test("refreshing a cluster needs listClusterUserCredential, allowed to plan identities by the AKS Cluster User Role", () => {
    const report = checkPermissions({ fleet: committedFleet(), stacks: readStacks(sharedFleetOutput()) });
    const refresh = report.coverage.find(
      (c) =>
        c.identity.kind === "plan" &&
        c.need.type === "azurerm_kubernetes_cluster" &&
        c.need.action === "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
    );
    expect(refresh?.by.map((g) => g.role)).toEqual(["Azure Kubernetes Service Cluster User Role"]);
  });
});

test("examples/all-services: every type has a row and every operation is allowed", () => {
  const r = runCli("bin/permissions.ts", [], { FLEET_DIR: join(REPO_ROOT, "examples", "all-services") });
  expect(r.stdout).not.toMatch(/^error:/m);
  expect(r.status).toBe(0);
  expect(stderrNoticeFields(r.stderr)).toEqual(COMMITTED_FLEET_NOTICES);
});

describe("in a FLEET_DIR copy", () => {
  const environmentSet = (doc: Doc) =>
    doc.pipelineRoles.sets.environment as { plan: unknown[]; apply: unknown[] };

  test("without the role that grants role assignments, an apply identity fails naming the operation, stack and resource", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        const set = environmentSet(doc);
        set.apply = set.apply.filter((r) => r !== "Role Based Access Control Administrator");
      },
    });
    const r = runCli("bin/permissions.ts", ["--stacks", "apps-ttd-tt02"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^error: fleet-tt02-apply may not Microsoft\.Authorization\/roleAssignments\/write on subscription of tt02: needed by azurerm_role_assignment\.\S+ in stack (apps-ttd-tt02|platform-tt02)/m,
    );
    expect(r.stdout).toContain("in stack apps-ttd-tt02");
    // The cross-scope grant (AcrPull in shared) is a separate role: still allowed.
    expect(r.stdout).not.toMatch(/^error: .*roleAssignments\/write on subscription of shared/m);
  });

  test("Studio prod reads the Studio zones it delegates, in the dev and staging scopes, only through Fleet DNS Zone Reader", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        const set = environmentSet(doc);
        const isZoneReader = (r: unknown) => (r as { role?: string }).role === "Fleet DNS Zone Reader";
        set.plan = set.plan.filter((r) => !isZoneReader(r));
      },
    });
    const r = runCli("bin/permissions.ts", ["--stacks", "studio-prod"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    for (const scope of ["dev", "staging"]) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^error: fleet-prod-plan may not Microsoft\\.Network/dnsZones/read on subscription of ${scope}: needed by data\\.azurerm_dns_zone\\.\\S+ in stack studio-prod`,
          "m",
        ),
      );
    }
  });

  test("the roles the README used to document (Contributor and RBAC Administrator) cannot create the Apps stacks' role definition", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        const set = environmentSet(doc);
        set.apply = set.apply.filter((r) => r !== "Fleet Role Definition Writer");
      },
    });
    const r = runCli("bin/permissions.ts", ["--stacks", "apps-ttd-tt02"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /^error: fleet-tt02-apply may not Microsoft\.Authorization\/roleDefinitions\/write on subscription of tt02: needed by azurerm_role_definition\.\S+ in stack apps-ttd-tt02\./m,
    );
  });

  test("Reader alone cannot plan a Platform stack: refreshing Cosmos DB and API Management lists their keys", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        const set = environmentSet(doc);
        set.plan = set.plan.filter((r) => r !== "Fleet Plan Reader");
      },
    });
    const r = runCli("bin/permissions.ts", ["--stacks", "platform-tt02"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    for (const action of [
      "Microsoft.DocumentDB/databaseAccounts/listKeys/action",
      "Microsoft.ApiManagement/service/tenant/listSecrets/action",
    ]) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^error: fleet-tt02-plan may not ${action.replaceAll("/", "\\/")} on subscription of tt02: needed by azurerm_\\w+\\.\\S+ in stack platform-tt02`,
          "m",
        ),
      );
    }
  });

  test("a plan identity given Contributor fails: plan identities only read", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        environmentSet(doc).plan.push("Contributor");
      },
    });
    const r = runCli("bin/permissions.ts", ["--stacks", "platform-tt02"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "error: fleet-tt02-plan is a plan identity but Contributor (pipelineRoles.sets.environment.plan) lets it do more than read: *.",
    );
  });

  test("a role-assignment grant limited to other roles does not cover the AcrPull assignment in the shared scope", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        const set = environmentSet(doc);
        set.apply = set.apply.map((r) =>
          typeof r === "object" && (r as Doc).scope === "shared"
            ? { ...(r as Doc), onlyRoles: ["AcrPush"] }
            : r,
        );
      },
    });
    const r = runCli("bin/permissions.ts", ["--stacks", "apps-ttd-tt02"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(
      "error: fleet-tt02-apply may not Microsoft.Authorization/roleAssignments/write on subscription of shared: needed by azurerm_role_assignment.kubelet-acr-pull in stack apps-ttd-tt02; scope: resource group altinnapps-ttd-acr-rg belongs to scope shared.",
    );
  });

  test("the fleet definition refuses unknown roles, scopes and role sets, all at once", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        environmentSet(doc).apply.push("Contributer", { role: "Reader", scope: "nowhere" });
        (doc.state as Doc).principals.tt02.roles = "envirnoment";
      },
    });
    const { fleet, problems } = loadFleet(dir);
    expect(fleet).toBeUndefined();
    const messages = problems.filter((p) => p.severity === "error").map((p) => `${p.field}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        "state.principals.tt02.roles: names no role set",
        expect.stringMatching(/^pipelineRoles\.sets\.environment\.apply\[\d+\]: not a built-in role/),
        expect.stringMatching(/^pipelineRoles\.sets\.environment\.apply\[\d+\]\.scope: not a state scope/),
      ]),
    );
  });
});

test("a type without a row in the table is an error naming the stack and the type", () => {
  const fleet = committedFleet();
  const stacks = new Map([
    [
      "apps-ttd-tt02",
      {
        terraform: { backend: { azurerm: { container_name: "tfstate-tt02" } } },
        resource: { azurerm_frobnicator: { x: { name: "x", resource_group_name: "rg" } } },
      },
    ],
  ]);
  const report = checkPermissions({ fleet, stacks });
  expect(RESOURCE_PERMISSIONS.azurerm_frobnicator).toBeUndefined();
  expect(report.problems.map((p) => p.message)).toEqual([
    "apps-ttd-tt02: resource type azurerm_frobnicator has no row in constructs/permissions/resource-permissions.ts; add the operations it needs, with their source",
  ]);
});

test("every row names its sources: a Learn page, a REST operation or the provider's source at v4.55.0", () => {
  for (const [type, row] of Object.entries(RESOURCE_PERMISSIONS)) {
    expect([type, row.sources.length > 0]).toEqual([type, true]);
    for (const s of row.sources) {
      expect([type, s]).toEqual([
        type,
        expect.stringMatching(
          /^(https:\/\/(learn\.microsoft\.com|developer\.hashicorp\.com|helm\.sh)\/|hashicorp\/terraform-provider-azurerm@v4\.55\.0:internal\/)/,
        ),
      ]);
    }
  }
});

test("rows for the types other work adds exist before they are emitted", () => {
  for (const type of [
    "azurerm_private_endpoint",
    "azurerm_private_dns_zone",
    "azurerm_private_dns_zone_virtual_network_link",
    "azurerm_monitor_private_link_scope",
    "azurerm_monitor_private_link_scoped_service",
    "azurerm_monitor_data_collection_rule",
    "azurerm_monitor_data_collection_rule_association",
    "azurerm_monitor_data_collection_endpoint",
    "azurerm_resource_provider_registration",
    "azurerm_api_management_custom_domain",
    "azurerm_key_vault_certificate",
    "azurerm_dns_ns_record",
    "azurerm_subnet_network_security_group_association",
    "terraform_data",
  ]) {
    expect([type, RESOURCE_PERMISSIONS[type] !== undefined]).toEqual([type, true]);
  }
});

test("an operation on a resource named by a literal id is checked in the scope owning its resource group", () => {
  const registryId =
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/altinnapps-ttd-acr-rg/providers/Microsoft.ContainerRegistry/registries/ttdaltinnregistry01";
  const stacks = new Map<string, StackJson>([
    [
      "org-ttd",
      {
        terraform: { backend: { azurerm: { container_name: "tfstate-shared" } } },
        resource: { azurerm_resource_group: { rg: { name: "altinnapps-ttd-acr-rg" } } },
      },
    ],
    [
      "apps-ttd-tt02",
      {
        terraform: { backend: { azurerm: { container_name: "tfstate-tt02" } } },
        resource: {
          azurerm_private_endpoint: {
            registry: {
              name: "pe",
              resource_group_name: "altinnapps-ttd-tt02-rg",
              subnet_id:
                "/subscriptions/x/resourceGroups/altinnapps-ttd-tt02-rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s",
              private_service_connection: { private_connection_resource_id: registryId },
            },
          },
        },
      },
    ],
  ]);
  // The committed roles cover it (Fleet Registry Endpoint Approver on the shared scope); without
  // that grant, the need is reported in the scope that owns the registry's resource group.
  const fleet = committedFleet();
  const isApproval = (c: { need: { action: string } }) =>
    c.need.action.endsWith("privateEndpointConnectionsApproval/action");
  expect(checkPermissions({ fleet, stacks }).missing.filter(isApproval)).toEqual([]);
  const sets = fleet.settings.pipelineRoles.sets;
  const environment = sets.environment!;
  const withoutApprover = {
    ...fleet,
    settings: {
      ...fleet.settings,
      pipelineRoles: {
        ...fleet.settings.pipelineRoles,
        sets: {
          ...sets,
          environment: {
            ...environment,
            apply: environment.apply.filter(
              (g) => typeof g === "string" || g.role !== "Fleet Registry Endpoint Approver",
            ),
          },
        },
      },
    },
  };
  const report = checkPermissions({ fleet: withoutApprover, stacks });
  const approval = report.missing.filter(isApproval);
  expect(approval.map((c) => [c.identity.kind, c.need.action, c.need.target, c.need.targetNote])).toEqual([
    [
      "apply",
      "Microsoft.ContainerRegistry/registries/privateEndpointConnectionsApproval/action",
      { kind: "subscription", scope: "shared", group: "altinnapps-ttd-acr-rg" },
      "private_service_connection.private_connection_resource_id: resource group altinnapps-ttd-acr-rg belongs to scope shared",
    ],
  ]);
});

describe("the state scope's identities", () => {
  const only = new Set(["bootstrap-state", "state-scopes"]);
  const stacks = () => readStacks(sharedFleetOutput(), only);
  const writes = (report: ReturnType<typeof checkPermissions>) =>
    report.coverage.filter(
      (c) =>
        c.identity.scope === "state" &&
        c.need.action === "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    );

  test("create the scopes' containers through bootstrap-state's grant on the state account's group", () => {
    const report = checkPermissions({ fleet: committedFleet(), stacks: stacks() });
    expect(report.missing.filter((c) => c.identity.scope === "state")).toEqual([]);
    const covered = writes(report);
    expect(covered.length).toBeGreaterThan(0);
    for (const c of covered) {
      expect(c.by.map((g) => [g.target, g.from.split(" ")[0]])).toEqual([
        [{ kind: "group", name: "altinn-fleet-tfstate-rg" }, "bootstrap-state"],
      ]);
    }
    // The containers carry prevent_destroy, so deleting them is never needed.
    expect(
      report.coverage.some(
        (c) => c.need.action === "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
      ),
    ).toBe(false);
  });

  // Issue 14: plans of never-applied stacks need their state blob, which `pipeline init-state`
  // creates with the state scope's apply identity before any other plan stage.
  const initNeeds = (report: ReturnType<typeof checkPermissions>) =>
    report.coverage.filter((c) => c.need.address === "terraform.backend (init-state)");

  test("may create the state blob of every pipeline stack (init-state), by state-scopes' grant on each container", () => {
    const all = readStacks(sharedFleetOutput());
    const report = checkPermissions({ fleet: committedFleet(), stacks: all });
    const needs = initNeeds(report);
    // One need per stack run by the pipeline, all on the state scope's apply identity.
    expect(new Set(needs.map((c) => c.need.stack)).size).toBe(all.size - report.skipped.length);
    expect(new Set(needs.map((c) => `${c.identity.scope}-${c.identity.kind}`))).toEqual(
      new Set(["state-apply"]),
    );
    expect(needs.filter((c) => c.by.length === 0)).toEqual([]);
    const tt02 = needs.find((c) => c.need.stack === "apps-ttd-tt02")!;
    expect(tt02.need.target).toEqual({ kind: "container", name: "tfstate-tt02" });
    expect(tt02.by.map((g) => g.from)).toEqual([
      expect.stringMatching(/^state-scopes azurerm_role_assignment\.scopes_init-tt02_/),
    ]);
  });

  test("without state-scopes' init grants, creating the blobs of every scope but its own is missing", () => {
    const s = readStacks(sharedFleetOutput());
    const scopes = structuredClone(s.get("state-scopes")!) as Doc;
    const assignments = scopes.resource.azurerm_role_assignment as Doc;
    for (const name of Object.keys(assignments)) if (name.includes("_init-")) delete assignments[name];
    s.set("state-scopes", scopes as StackJson);
    const report = checkPermissions({ fleet: committedFleet(), stacks: s });
    const missing = new Set(
      initNeeds(report)
        .filter((c) => c.by.length === 0)
        .map((c) => (c.need.target as { name: string }).name),
    );
    expect(missing.has("tfstate-tt02")).toBe(true);
    expect(missing.has("tfstate-shared")).toBe(true);
    expect(missing.has("tfstate-state")).toBe(false);
  });

  test("without that grant the container writes are missing", () => {
    const s = stacks();
    const bootstrap = structuredClone(s.get("bootstrap-state")!) as Doc;
    const assignments = bootstrap.resource.azurerm_role_assignment as Doc;
    for (const name of Object.keys(assignments)) {
      if (name.includes("scope-manager-containers")) delete assignments[name];
    }
    s.set("bootstrap-state", bootstrap as StackJson);
    const report = checkPermissions({ fleet: committedFleet(), stacks: s });
    expect(
      writes(report).filter((c) => c.identity.kind === "apply" && c.by.length === 0).length,
    ).toBeGreaterThan(0);
  });
});
