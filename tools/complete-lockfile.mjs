#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages (native binaries of
 * Biome, SWC, Jest's resolver) that the registry reachable from this project's machines does
 * not serve. `npm install` leaves them out of the lock file when it cannot fetch them, and
 * `npm ci` then refuses the lock file as out of sync with package.json. Each missing entry is
 * recorded with the version its parent pins and the os/cpu/libc its name encodes, so `npm ci`
 * skips it on other platforms exactly as it would with a complete registry.
 *
 * Run after every `npm install` (`npm run lockfile`); it changes nothing when the lock is complete.
 */
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
const packages = lock.packages;

const OS = [
  "android",
  "darwin",
  "freebsd",
  "linux",
  "openbsd",
  "sunos",
  "win32",
  "aix",
  "netbsd",
  "openharmony",
];
const CPU = ["arm64", "x64", "ia32", "arm", "ppc64", "s390x", "riscv64", "loong64", "mips64el"];

function platformOf(name) {
  const base = name.split("/").pop();
  const parts = base.split("-");
  const os = parts.find((p) => OS.includes(p)) ?? (parts.includes("wasm32") ? undefined : undefined);
  const cpu = parts.find((p) => CPU.includes(p)) ?? (base.includes("gnueabihf") ? "arm" : undefined);
  const libc = parts.includes("musl")
    ? "musl"
    : parts.includes("gnu") || parts.includes("gnueabihf")
      ? "glibc"
      : undefined;
  return { os, cpu, libc, wasm: parts.includes("wasm32") };
}

let added = 0;
for (const [key, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `${key ? `${key}/` : ""}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (packages[at] || packages[hoisted]) continue;
    const { os, cpu, libc, wasm } = platformOf(dep);
    const record = { version, ...(entry.dev ? { dev: true } : {}), optional: true };
    if (wasm) record.cpu = ["wasm32"];
    else if (cpu) record.cpu = [cpu];
    if (os) record.os = [os];
    if (libc) record.libc = [libc];
    packages[hoisted] = record;
    added++;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(
  `package-lock.json: ${added} platform-specific optional package${added === 1 ? "" : "s"} recorded\n`,
);
