import { LineCounter, parseDocument } from "yaml";
for (const text of ["a: *nope\nb: 1\n", "base: &b { x: 1 }\nc:\n  <<: *b\n  y: 2\n"]) {
  for (const merge of [false, true]) {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, merge });
  console.log(merge, doc.errors.map(e=>[e.code,e.message]), doc.warnings.map(e=>[e.code, e.message]));
  try { console.log(JSON.stringify(doc.toJS())); } catch (e) { console.log("THROW", (e as Error).message); }
  }
}
