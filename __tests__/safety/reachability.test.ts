/**
 * The reachability table (stacks/reachability.ts) against the synthesized output of the committed
 * fleet and of examples/all-services: every data plane is covered by a row, has no public
 * endpoint (unless its row says so), and is reached the way its rows say (a private endpoint with
 * the right subresource and private DNS zones, or VNet integration); nothing else is open; every
 * row describes something that exists; and README.md shows the table as rendered.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PRIVATE_LINK_ZONES, type PrivateLinkSubresource } from "../../constructs/network/private-endpoint";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { planStacks } from "../../stacks/app";
import {
  DATA_PLANE_TYPES,
  REACHABILITY,
  type ReachabilityRow,
  renderReachabilityTable,
} from "../../stacks/reachability";
import { synthFleet } from "../../stacks/synth-fleet";
import { committedFleet, sharedFleetOutput } from "../../testing/fleet-synth";
import { REPO_ROOT } from "../../testing/run-cli";

type Json = Record<string, any>;

interface Stack {
  readonly id: string;
  readonly kind: string;
  readonly config: Json;
}

interface Output {
  readonly name: string;
  readonly stacks: readonly Stack[];
}

function readOutput(name: string, outdir: string, fleet: Fleet): Output {
  const kinds = new Map(planStacks(fleet).map((p) => [p.id, p.kind]));
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks = Object.entries(manifest.stacks).map(([id, s]) => ({
    id,
    kind: kinds.get(id) ?? "unknown",
    config: JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), "utf8")) as Json,
  }));
  return { name, stacks };
}

const resources = (stack: Stack, type: string): [string, Json][] =>
  Object.entries((stack.config.resource?.[type] ?? {}) as Record<string, Json>);
const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;

/** A data plane in the output: where it is and what it looks like. */
interface DataPlane {
  readonly output: string;
  readonly stack: Stack;
  readonly type: string;
  readonly id: string;
  readonly attrs: Json;
}

function dataPlanes(output: Output): DataPlane[] {
  return output.stacks.flatMap((stack) =>
    DATA_PLANE_TYPES.flatMap((type) =>
      resources(stack, type).map(([id, attrs]) => ({ output: output.name, stack, type, id, attrs })),
    ),
  );
}

const where = (d: DataPlane) => `${d.output}: ${d.stack.id} ${d.type}.${d.id}`;

const rowsFor = (d: DataPlane): ReachabilityRow[] =>
  REACHABILITY.filter((r) => r.target.type === d.type && r.target.kind === d.stack.kind);

/** Problems with how the public endpoint of a data plane is configured. */
function publicAccessProblems(d: DataPlane, rows: readonly ReachabilityRow[]): string[] {
  const a = d.attrs;
  if (rows.some((r) => r.path.kind === "public endpoint, firewall")) {
    const rules = a.network_rules ?? {};
    return rules.default_action === "Deny"
      ? []
      : [`${where(d)}: public endpoint without a deny-by-default firewall`];
  }
  if (d.type === "azurerm_log_analytics_workspace" || d.type === "azurerm_application_insights") {
    return a.internet_ingestion_enabled === false && a.internet_query_enabled === false
      ? []
      : [`${where(d)}: internet_ingestion_enabled / internet_query_enabled are not both false`];
  }
  return a.public_network_access_enabled === false
    ? []
    : [`${where(d)}: public_network_access_enabled is not false`];
}

/** The zone names a private endpoint's zone group points at, resolved within its stack. */
function zoneNames(stack: Stack, endpoint: Json): string[] {
  const ids: string[] = endpoint.private_dns_zone_group?.private_dns_zone_ids ?? [];
  const zones = new Map(
    resources(stack, "azurerm_private_dns_zone").map(([id, z]) => [
      ref("azurerm_private_dns_zone", id, "id"),
      z,
    ]),
  );
  const linked = new Set(
    resources(stack, "azurerm_private_dns_zone_virtual_network_link").map(([, l]) => l.private_dns_zone_name),
  );
  return ids.map((zoneRef) => {
    const zoneId = [...zones.keys()].find((k) => k === zoneRef);
    if (zoneId === undefined) return `(unresolved ${zoneRef})`;
    const logical = zoneRef.slice("${azurerm_private_dns_zone.".length, -".id}".length);
    const nameRef = ref("azurerm_private_dns_zone", logical, "name");
    return linked.has(nameRef)
      ? String(zones.get(zoneId)!.name)
      : `(not linked to a VNet: ${zones.get(zoneId)!.name})`;
  });
}

/** Private endpoints of a stack to a target reference, with the given subresource and zones. */
function endpointProblems(stack: Stack, targetRef: string, subresource: string, what: string): string[] {
  const endpoints = resources(stack, "azurerm_private_endpoint").filter(
    ([, e]) => e.private_service_connection?.private_connection_resource_id === targetRef,
  );
  if (endpoints.length === 0) return [`${what}: no private endpoint in ${stack.id}`];
  const problems: string[] = [];
  for (const [id, e] of endpoints) {
    const psc = e.private_service_connection;
    if (JSON.stringify(psc.subresource_names) !== JSON.stringify([subresource])) {
      problems.push(
        `${what}: ${stack.id} azurerm_private_endpoint.${id} subresource ${JSON.stringify(psc.subresource_names)}`,
      );
    }
    if (psc.is_manual_connection !== false) {
      problems.push(`${what}: ${stack.id} azurerm_private_endpoint.${id} is a manual connection`);
    }
    const expected = [...(PRIVATE_LINK_ZONES[subresource as PrivateLinkSubresource] ?? [])].sort();
    const actual = zoneNames(stack, e).sort();
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      problems.push(
        `${what}: ${stack.id} azurerm_private_endpoint.${id} resolves in ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
      );
    }
  }
  return problems;
}

/** Problems with the path one row promises for one data plane. */
function pathProblems(d: DataPlane, row: ReachabilityRow, output: Output): string[] {
  const path = row.path;
  const what = `${where(d)} (${row.actor})`;
  if (path.kind === "VNet integration") {
    return d.attrs.delegated_subnet_id && d.attrs.private_dns_zone_id
      ? []
      : [`${what}: no delegated subnet and private DNS zone`];
  }
  if (path.kind !== "private endpoint") return [];
  if (path.subresource === "azuremonitor") {
    // The resource is in an Azure Monitor Private Link Scope that is PrivateOnly and has an endpoint.
    const scopes = resources(d.stack, "azurerm_monitor_private_link_scoped_service")
      .filter(([, s]) => s.linked_resource_id === ref(d.type, d.id, "id"))
      .map(([, s]) => String(s.scope_name));
    if (scopes.length === 0) return [`${what}: in no Azure Monitor Private Link Scope`];
    return resources(d.stack, "azurerm_monitor_private_link_scope")
      .filter(([id]) => scopes.includes(ref("azurerm_monitor_private_link_scope", id, "name")))
      .flatMap(([id, scope]) => [
        ...(scope.ingestion_access_mode === "PrivateOnly" && scope.query_access_mode === "PrivateOnly"
          ? []
          : [`${what}: scope ${id} is not PrivateOnly for ingestion and query`]),
        ...endpointProblems(
          d.stack,
          ref("azurerm_monitor_private_link_scope", id, "id"),
          "azuremonitor",
          what,
        ),
      ]);
  }
  if (path.from === d.stack.kind) {
    return endpointProblems(d.stack, ref(d.type, d.id, "id"), path.subresource, what);
  }
  // The consumer's half: every stack of the consumer kind that names the resource (by its id,
  // derived from the fleet: an AcrPull assignment, an endpoint) has an endpoint to it, and at
  // least one such stack exists.
  const idSuffix = `/registries/${String(d.attrs.name)}`.toLowerCase();
  const consumers = output.stacks.filter(
    (s) => s.kind === path.from && JSON.stringify(s.config).toLowerCase().includes(`${idSuffix}"`),
  );
  if (consumers.length === 0) return [`${what}: no ${path.from} stack connects to it`];
  return consumers.flatMap((s) => {
    const targetRef = resources(s, "azurerm_private_endpoint")
      .map(([, e]) => String(e.private_service_connection?.private_connection_resource_id ?? ""))
      .find((id) => id.toLowerCase().endsWith(idSuffix));
    return targetRef === undefined
      ? [`${what}: ${s.id} names it but has no private endpoint to it`]
      : endpointProblems(s, targetRef, path.subresource, what);
  });
}

/** Settings anywhere in a stack that open a data plane to public networks. */
function openings(output: Output): string[] {
  const problems: string[] = [];
  const publicRows = REACHABILITY.filter((r) => r.path.kind === "public endpoint, firewall");
  const mayBePublic = (stack: Stack, type: string) =>
    publicRows.some((r) => r.target.type === type && r.target.kind === stack.kind);
  for (const stack of output.stacks) {
    for (const [type, byId] of Object.entries(
      (stack.config.resource ?? {}) as Record<string, Record<string, Json>>,
    )) {
      for (const [id, a] of Object.entries(byId)) {
        const at = `${output.name}: ${stack.id} ${type}.${id}`;
        if (a.public_network_access_enabled === true && !mayBePublic(stack, type)) {
          problems.push(`${at}: public_network_access_enabled = true`);
        }
        if (a.internet_ingestion_enabled === true || a.internet_query_enabled === true) {
          problems.push(`${at}: internet ingestion or query enabled`);
        }
        for (const rules of [a.network_rules, a.network_acls, a.network_rule_set]) {
          if (rules === undefined || mayBePublic(stack, type)) continue;
          if ((rules.ip_rules ?? []).length > 0 || (rules.ip_rule ?? []).length > 0) {
            problems.push(`${at}: firewall IP rules ${JSON.stringify(rules.ip_rules ?? rules.ip_rule)}`);
          }
          if ((rules.virtual_network_subnet_ids ?? []).length > 0) {
            problems.push(`${at}: firewall subnet rules (service endpoints) instead of private endpoints`);
          }
          if (rules.default_action === "Allow") problems.push(`${at}: firewall default action Allow`);
        }
        if (type === "azurerm_storage_account_network_rules")
          problems.push(`${at}: separate storage network rules`);
      }
    }
  }
  return problems;
}

let outputs: Output[];
let exampleDir: string;

beforeAll(() => {
  const example = loadFleet(join(REPO_ROOT, "examples", "all-services"));
  if (!example.fleet) throw new Error("examples/all-services does not load");
  exampleDir = mkdtempSync(join(tmpdir(), "reachability-example-"));
  synthFleet(example.fleet, { outdir: exampleDir });
  outputs = [
    readOutput("committed fleet", sharedFleetOutput(), committedFleet()),
    readOutput("examples/all-services", exampleDir, example.fleet),
  ];
});

afterAll(() => {
  if (exampleDir) rmSync(exampleDir, { recursive: true, force: true });
});

describe("reachability of data planes", () => {
  test("every data plane in the output is covered by a row of the table", () => {
    const uncovered = outputs
      .flatMap(dataPlanes)
      .filter((d) => rowsFor(d).length === 0)
      .map((d) => `${where(d)}: no row for ${d.type} in ${d.stack.kind} stacks (stacks/reachability.ts)`);
    expect(uncovered).toEqual([]);
    expect(outputs.flatMap(dataPlanes).length).toBeGreaterThan(0);
  });

  test("no data plane has a public endpoint, except where its row says so", () => {
    expect(outputs.flatMap(dataPlanes).flatMap((d) => publicAccessProblems(d, rowsFor(d)))).toEqual([]);
  });

  test("every data plane is reached the way its rows say", () => {
    const problems = outputs.flatMap((output) =>
      dataPlanes(output).flatMap((d) => rowsFor(d).flatMap((row) => pathProblems(d, row, output))),
    );
    expect(problems).toEqual([]);
  });

  test("nothing else is open: no public access, internet ingestion, IP, subnet or Allow rules, service endpoints", () => {
    expect(outputs.flatMap(openings)).toEqual([]);
  });

  test("every row describes data planes that exist", () => {
    const all = outputs.flatMap(dataPlanes);
    const stale = REACHABILITY.filter(
      (r) => !all.some((d) => d.type === r.target.type && d.stack.kind === r.target.kind),
    ).map((r) => `${r.target.type} (${r.target.kind}): ${r.actor}`);
    expect(stale).toEqual([]);
  });

  test("README.md shows the table as stacks/reachability.ts renders it", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const start = "<!-- reachability:start (generated from stacks/reachability.ts) -->";
    const end = "<!-- reachability:end -->";
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    const shown =
      from >= 0 && to > from ? readme.slice(from + start.length, to) : "(no reachability section)";
    // Compared cell by cell and word by word, however the formatter pads the table and wraps the
    // note. On a difference, paste renderReachabilityTable() between the two markers.
    expect(normalized(shown)).toEqual(normalized(renderReachabilityTable()));
  });
});

/** Table rows as trimmed cells (separator rows dropped), then the remaining text as words. */
function normalized(markdown: string): { rows: string[][]; text: string } {
  const lines = markdown.split("\n");
  const rows = lines
    .filter((l) => l.trim().startsWith("|"))
    .map((l) =>
      l
        .trim()
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    )
    .filter((cells) => !cells.every((c) => /^-+$/.test(c)));
  const text = lines
    .filter((l) => !l.trim().startsWith("|"))
    .join(" ")
    .split(/\s+/)
    .filter((w) => w !== "")
    .join(" ");
  return { rows, text };
}
