/**
 * Reading fleet files with positions: every value can be traced back to its line, so problems
 * point at the exact place in the user's file. JSON is parsed strictly first (JSON.parse), then
 * as YAML 1.2 (a JSON superset) to get positions and to catch duplicate keys, which JSON.parse
 * would silently collapse (a duplicated org code would otherwise vanish).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  findNodeAtLocation,
  type Node as JsonNode,
  type ParseError,
  ParseErrorCode,
  parse,
  parseTree,
  printParseErrorCode,
} from "jsonc-parser";
import { isAlias, LineCounter, type Node, parseDocument, visit } from "yaml";
import { type FleetProblem, notice, problem } from "./problems";

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
  // A byte-order mark is tolerated (editors on Windows add one), but said once: the registry
  // files are meant to stay byte-identical to Altinn's CDN copy, which has none.
  const leading: FleetProblem[] = [];
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
    leading.push(
      notice({
        file,
        line: 1,
        column: 1,
        field: "(encoding)",
        message: "the file starts with a byte-order mark (U+FEFF); it is ignored",
        fix: "save the file as UTF-8 without a byte-order mark",
      }),
    );
  }
  if (text.trim() === "") {
    return {
      problems: [
        ...leading,
        problem({
          file,
          line: 1,
          field: "(file)",
          message: "the file is empty",
          fix:
            format === "json"
              ? `restore ${file} (from version control or Altinn's CDN)`
              : `restore ${file} from version control`,
        }),
      ],
    };
  }
  const read = format === "json" ? readJson(file, text) : readYaml(file, text);
  return { ...read, problems: [...leading, ...read.problems] };
}

function readYaml(file: string, text: string): ReadResult {
  const lineCounter = new LineCounter();
  // `merge: true` accepts YAML merge keys (`<<: *defaults`), as most YAML tools do.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, merge: true });
  const at = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((err) => {
        const duplicate = err.code === "DUPLICATE_KEY";
        return problem({
          file,
          ...at(err.pos[0]),
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
  // An alias to an anchor that is not defined (above it) cannot be resolved: say where.
  const anchors = new Set<string>();
  const unresolved: FleetProblem[] = [];
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        unresolved.push(
          problem({
            file,
            ...at(node.range?.[0] ?? 0),
            field: "(alias)",
            value: `*${node.source}`,
            message: `the alias *${node.source} refers to no anchor &${node.source} defined before it`,
            fix: `define &${node.source} on the value to repeat, above this line, or correct the alias's spelling`,
          }),
        );
      }
    } else if (node && typeof node === "object" && "anchor" in node) {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) anchors.add(anchor);
    }
  });
  if (unresolved.length > 0) return { problems: unresolved };
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
  const syntax = jsonSyntaxProblem(file, text, lineAt);
  if (syntax) return { problems: [syntax] };
  const value: unknown = JSON.parse(text);
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

/** The first JSON syntax error, with line, column and what most likely caused it. */
function jsonSyntaxProblem(
  file: string,
  text: string,
  lineAt: (offset: number) => number,
): FleetProblem | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) {
    try {
      JSON.parse(text);
      return undefined;
    } catch (e) {
      // jsonc-parser accepts nothing JSON.parse refuses, except what it is told to; a fallback.
      return problem({
        file,
        field: "(syntax)",
        message: `malformed JSON: ${(e as Error).message}`,
        fix: "correct the JSON syntax",
      });
    }
  }
  const offset = first.offset;
  const line = lineAt(offset);
  const column = offset - text.lastIndexOf("\n", offset - 1);
  const start = text.trimStart();
  if (start.startsWith("<")) {
    return problem({
      file,
      line: lineAt(text.length - start.length),
      field: "(syntax)",
      value: start.slice(0, 40).split("\n")[0],
      message:
        "the file is an HTML page, not JSON (a download that got an error or sign-in page instead of the file)",
      fix: `download ${file} again from its source and check it starts with {`,
    });
  }
  const before = text.slice(0, offset).trimEnd();
  const at = text.charAt(offset);
  if (before.endsWith(",") && (at === "}" || at === "]")) {
    const commaOffset = before.length - 1;
    return problem({
      file,
      line: lineAt(commaOffset),
      column: commaOffset - text.lastIndexOf("\n", commaOffset - 1),
      field: "(syntax)",
      value: ",",
      message: `a trailing comma before ${at}: JSON allows no comma after the last entry`,
      fix: "remove that comma",
    });
  }
  const found =
    at === "" ? "the end of the file" : JSON.stringify(text.slice(offset, offset + 12).split("\n")[0]);
  return problem({
    file,
    line,
    column,
    field: "(syntax)",
    message: `malformed JSON: ${JSON_ERRORS[first.error] ?? printParseErrorCode(first.error)}, found ${found}`,
    fix: "correct the JSON syntax there (a missing comma, quote or bracket is the usual cause)",
  });
}

const JSON_ERRORS: Partial<Record<ParseErrorCode, string>> = {
  [ParseErrorCode.InvalidSymbol]: "unexpected character",
  [ParseErrorCode.PropertyNameExpected]: "expected a property name in double quotes",
  [ParseErrorCode.ValueExpected]: "expected a value",
  [ParseErrorCode.ColonExpected]: "expected a colon",
  [ParseErrorCode.CommaExpected]: "expected a comma",
  [ParseErrorCode.CloseBraceExpected]: "expected }",
  [ParseErrorCode.CloseBracketExpected]: "expected ]",
  [ParseErrorCode.EndOfFileExpected]: "expected the end of the file after the top-level value",
  [ParseErrorCode.UnexpectedEndOfString]: "a string is not closed",
  [ParseErrorCode.InvalidCharacter]: "a control character inside a string",
};
