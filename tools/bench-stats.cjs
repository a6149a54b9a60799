/**
 * Preloaded by `npm run bench` (node -r) into every command it measures: at exit, writes the
 * process's peak memory to FLEET_BENCH_STATS, so commands need no measuring code of their own.
 */
"use strict";
const { writeFileSync } = require("node:fs");

const file = process.env.FLEET_BENCH_STATS;
if (file) {
  process.on("exit", () => {
    writeFileSync(file, `${JSON.stringify({ maxRssKb: process.resourceUsage().maxRSS })}\n`);
  });
}
