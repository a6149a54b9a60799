/**
 * Reading fleet files with positions: every value can be traced back to its line, so problems
 * point at the exact place in the user's file. JSON is parsed strictly first (JSON.parse), then
 * as YAML 1.2 (a JSON superset) to get positions and to catch duplicate keys, which JSON.parse
 * would silently collapse (a duplicated org code would otherwise vanish).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findNodeAtLocation, type Node as JsonNode, parseTree } from "jsonc-parser";
import { LineCounter, type Node, parseDocument } from "yaml";
import { type FleetProblem, problem } from "./problems";

export type PathSegment = string | number;

export interface SourceFile {
  readonly file: string;
  readonly value: unknown;
  /** 1-based line of the value (or map key) at `path`, or of the nearest ancestor found. */
  lineOf(path: readonly PathSegment[]): number | undefined;
}

export interface ReadResult {
  readonly source?: SourceFile;
  readonly problems: FleetProblem[];
}

export function readFleetFile(dir: string, file: string, format: "json" | "yaml"): ReadResult {
  let text: string;
  try {
    text = readFileSync(join(dir, file), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      problems: [
        problem({
          file,
          field: "(file)",
          message:
            code === "ENOENT" ? "the file is missing" : `the file cannot be read (${code ?? String(e)})`,
          fix: `create ${file} in the fleet directory (see environments/ for the layout)`,
        }),
      ],
    };
  }
  if (format === "json") return readJson(file, text);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((err) => {
        const line = lineCounter.linePos(err.pos[0]).line;
        const duplicate = err.code === "DUPLICATE_KEY";
        return problem({
          file,
          line,
          field: duplicate ? "(duplicate key)" : "(syntax)",
          value: duplicate ? keyAt(text, err.pos[0]) : undefined,
          message: duplicate
            ? "the same key appears twice in one object; only one of them would count"
            : `malformed YAML: ${err.message.split("\n")[0]}`,
          fix: duplicate ? "remove or rename one of the two entries" : "correct the syntax at that line",
        });
      }),
    };
  }
  const value: unknown = doc.toJS();
  return {
    problems: [],
    source: {
      file,
      value,
      lineOf(path) {
        for (let depth = path.length; depth >= 0; depth--) {
          const line = nodeLine(doc.getIn(path.slice(0, depth), true) as Node | undefined, lineCounter);
          if (line !== undefined) return line;
        }
        return undefined;
      },
    },
  };
}

function nodeLine(node: Node | undefined, lineCounter: LineCounter): number | undefined {
  if (node === undefined || node === null || typeof node !== "object" || !("range" in node) || !node.range) {
    return undefined;
  }
  return lineCounter.linePos(node.range[0]).line;
}

/**
 * JSON is read with jsonc-parser (VS Code's parser): strict JSON, a tree with offsets for line
 * numbers, and duplicate keys found by walking it, all in a few milliseconds for the registry.
 */
function readJson(file: string, text: string): ReadResult {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineAt = (offset: number): number => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    return {
      problems: [
        problem({
          file,
          line: jsonErrorLine(text, message),
          field: "(syntax)",
          message: `malformed JSON: ${message}`,
          fix: "correct the JSON syntax at that line (a missing comma, quote or bracket is the usual cause)",
        }),
      ],
    };
  }
  const tree = parseTree(text, [], { disallowComments: true, allowTrailingComma: false })!;
  const problems: FleetProblem[] = [];
  const walk = (node: JsonNode) => {
    if (node.type === "object") {
      const seen = new Set<string>();
      for (const property of node.children ?? []) {
        const key = property.children?.[0];
        if (key && typeof key.value === "string") {
          if (seen.has(key.value)) {
            problems.push(
              problem({
                file,
                line: lineAt(key.offset),
                field: "(duplicate key)",
                value: key.value,
                message: "the same key appears twice in one object; only one of them would count",
                fix: "remove or rename one of the two entries",
              }),
            );
          }
          seen.add(key.value);
        }
      }
    }
    for (const child of node.children ?? []) walk(child);
  };
  walk(tree);
  if (problems.length > 0) return { problems };
  return {
    problems: [],
    source: {
      file,
      value,
      lineOf(path) {
        for (let depth = path.length; depth >= 0; depth--) {
          const node = findNodeAtLocation(tree, [...path.slice(0, depth)]);
          if (node) return lineAt(node.parent?.type === "property" ? node.parent.offset : node.offset);
        }
        return undefined;
      },
    },
  };
}

/** The key that starts at `pos` (quoted or plain), without its quotes. */
function keyAt(text: string, pos: number): string {
  const m = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'|^([^\s:]+)/.exec(text.slice(pos));
  return m ? (m[1] ?? m[2] ?? m[3] ?? "") : text.slice(pos, pos + 20);
}

function jsonErrorLine(text: string, message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  if (m) return text.slice(0, Number(m[1])).split("\n").length;
  const lc = /line (\d+)/.exec(message);
  return lc ? Number(lc[1]) : undefined;
}
