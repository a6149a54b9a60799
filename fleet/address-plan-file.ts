/**
 * Reading and writing `address-plan.yaml`, the committed record of every cluster's block.
 *
 * The file is written only by `npm run allocate`. Its format is fixed so that the same plan is
 * always the same bytes (diffs show exactly the blocks that were added or released):
 *
 *   # (header comment: written by `npm run allocate`, never edit or move a block by hand)
 *   allocations:
 *     apps-ttd-at22: 10.1.0.0/22
 *     apps-ttd-tt02: 10.1.4.0/22
 *
 * Entries are sorted by address (then key), one per line.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, stringify } from "yaml";
import { compareText } from "../cli/shared/sorted-json";
import { compareBig, parseCidr } from "../constructs/network/cidr";
import { type FleetProblem, problem } from "./problems";

export const ADDRESS_PLAN_FILE = "address-plan.yaml";

export const ADDRESS_PLAN_HEADER = [
  "# Address plan: the IPv4 block of every cluster network, taken from `addressPlan.pool` in",
  "# fleet.yaml and carved into subnets by the fleet's subnet layout.",
  "#",
  "# Written by `npm run allocate`. Never edit, move or reorder a block by hand: a block that",
  "# changes replaces the cluster's virtual network, and with it the cluster. New clusters get",
  "# the lowest free block; blocks of removed clusters stay reserved until",
  "# `npm run allocate -- --prune` releases them (run it only after those clusters are destroyed).",
].join("\n");

export interface LoadedAddressPlan {
  /** Cluster key -> CIDR, in file order. Empty when the file is missing or unreadable. */
  readonly allocations: Map<string, string>;
  /** 1-based line of each entry, for problems. */
  readonly lines: ReadonlyMap<string, number>;
  readonly problems: FleetProblem[];
  /** False when the file does not exist (a new fleet); that is not a problem by itself. */
  readonly exists: boolean;
}

/** Reads an address plan file. `file` names it in problems (default: its base name). */
export function loadAddressPlan(path: string, file: string = basename(path)): LoadedAddressPlan {
  if (!existsSync(path)) {
    return { allocations: new Map(), lines: new Map(), problems: [], exists: false };
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return {
      allocations: new Map(),
      lines: new Map(),
      exists: true,
      problems: [
        problem({
          file,
          field: "(file)",
          message: `cannot read the file: ${(e as Error).message}`,
          fix: "check the file's permissions",
        }),
      ],
    };
  }
  return parseAddressPlan(text, file);
}

/** Parses the text of an address plan file (see `loadAddressPlan`). */
export function parseAddressPlan(text: string, file: string = ADDRESS_PLAN_FILE): LoadedAddressPlan {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line;
  const empty = (problems: FleetProblem[]): LoadedAddressPlan => ({
    allocations: new Map(),
    lines: new Map(),
    problems,
    exists: true,
  });
  const restore = `restore ${file} from version control (git log -p shows every change to it)`;

  if (doc.errors.length > 0) {
    return empty(
      doc.errors.map((e) =>
        problem({
          file,
          line: e.linePos?.[0].line ?? lineAt(e.pos[0]),
          field: "(file)",
          message: `malformed YAML: ${e.message.split("\n")[0]}`,
          fix: restore,
        }),
      ),
    );
  }
  const root = doc.contents;
  if (!isMap(root)) {
    return empty([
      problem({
        file,
        line: lineAt(root?.range?.[0]),
        field: "(file)",
        message: root === null ? "the file is empty" : "expected a map with the key `allocations`",
        fix: `${restore}, or delete it and run \`npm run allocate\` if no cluster exists yet`,
      }),
    ]);
  }

  const problems: FleetProblem[] = [];
  const allocations = new Map<string, string>();
  const lines = new Map<string, number>();
  let sawAllocations = false;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    const keyLine = lineAt(isScalar(pair.key) ? pair.key.range?.[0] : undefined);
    if (key !== "allocations") {
      problems.push(
        problem({
          file,
          line: keyLine,
          field: String(key),
          message: "unknown top-level key; the file has only `allocations`",
          fix: restore,
        }),
      );
      continue;
    }
    sawAllocations = true;
    const value = pair.value;
    if (value === null || (isScalar(value) && value.value === null)) {
      continue; // `allocations:` with nothing under it: no blocks yet.
    }
    if (!isMap(value)) {
      problems.push(
        problem({
          file,
          line: keyLine,
          field: "allocations",
          message: "expected a map from cluster key to CIDR block",
          fix: restore,
        }),
      );
      continue;
    }
    for (const entry of value.items) {
      const entryKey = isScalar(entry.key) ? entry.key.value : undefined;
      const line = lineAt(isScalar(entry.key) ? entry.key.range?.[0] : undefined);
      if (typeof entryKey !== "string" || entryKey === "") {
        problems.push(
          problem({
            file,
            line,
            field: "allocations",
            value: entryKey,
            message: "a cluster key must be a non-empty string",
            fix: restore,
          }),
        );
        continue;
      }
      const cidr = isScalar(entry.value) ? entry.value.value : undefined;
      if (typeof cidr !== "string") {
        problems.push(
          problem({
            file,
            line,
            field: `allocations.${entryKey}`,
            value: cidr ?? null,
            message: "expected a CIDR block like 10.0.4.0/22",
            fix: restore,
          }),
        );
        continue;
      }
      allocations.set(entryKey, cidr);
      if (line !== undefined) {
        lines.set(entryKey, line);
      }
    }
  }
  if (!sawAllocations && problems.length === 0) {
    problems.push(
      problem({
        file,
        field: "allocations",
        message: "the file has no `allocations` map",
        fix: restore,
      }),
    );
  }
  return { allocations, lines, problems, exists: true };
}

/**
 * The file's text for a plan: header, then `allocations:` sorted by address (then key), one
 * entry per line. Same plan, same bytes. Unparseable values (never written by `allocate`) sort
 * last by key.
 */
export function renderAddressPlan(allocations: ReadonlyMap<string, string>): string {
  const entries = sortByAddress(allocations);
  const body = stringify(new Map([["allocations", new Map(entries)]]), {
    lineWidth: 0,
    indent: 2,
  });
  return `${ADDRESS_PLAN_HEADER}\n${body}`;
}

/** Entries sorted by block start (then key); unparseable values last, by key. */
export function sortByAddress(allocations: ReadonlyMap<string, string>): [string, string][] {
  const starts = new Map<string, bigint | undefined>();
  for (const [key, value] of allocations) {
    const parsed = parseCidr(value);
    starts.set(key, parsed.ok ? parsed.range.start : undefined);
  }
  return [...allocations].sort(([ka], [kb]) => {
    const a = starts.get(ka);
    const b = starts.get(kb);
    if (a !== undefined && b !== undefined) {
      return compareBig(a, b) || compareText(ka, kb);
    }
    if (a === undefined && b === undefined) {
      return compareText(ka, kb);
    }
    return a === undefined ? 1 : -1;
  });
}
