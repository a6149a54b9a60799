/**
 * Azure VM sizes a node pool may name: the size naming grammar, and a list of the series (with
 * their versions) this fleet accepts, so a size that merely looks right (`Standard_E8sv5`,
 * `Standard_E8s_v9`) is refused before anything is synthesized, with the nearest real size.
 *
 * Grammar, from "Azure virtual machine sizes naming conventions"
 * (https://learn.microsoft.com/azure/virtual-machines/vm-naming-conventions):
 * `[Family] + [Sub-family]* + [# of vCPUs] + [Constrained vCPUs]* + [Additive Features] +
 * [Accelerator Type]* + [Version]`, written `Standard_<family><vCPUs>[-<constrained>]<features>
 * [_<accelerator>][_v<version>]`: the family in capitals, additive features in lower case
 * (a, b, d, i, l, m, p, t, s, ...), and the version after an underscore.
 *
 * Series: the general purpose, memory optimized, compute optimized and storage optimized
 * families of "Virtual machine sizes overview"
 * (https://learn.microsoft.com/azure/virtual-machines/sizes/overview), read 2026-12-01. Each
 * entry is a size with its vCPU count written `#`. The vCPU count itself is not checked against
 * the series' table; a series missing here is added with its Learn page as the source.
 */

/** Series as size templates (`#` = the vCPU count). */
export const VM_SERIES: readonly string[] = [
  // General purpose: B (burstable), D.
  "Standard_B#s",
  "Standard_B#ms",
  "Standard_B#ls",
  "Standard_B#s_v2",
  "Standard_B#as_v2",
  "Standard_B#ps_v2",
  "Standard_D#_v2",
  "Standard_DS#_v2",
  "Standard_D#_v3",
  "Standard_D#s_v3",
  "Standard_D#_v4",
  "Standard_D#s_v4",
  "Standard_D#d_v4",
  "Standard_D#ds_v4",
  "Standard_D#a_v4",
  "Standard_D#as_v4",
  "Standard_D#_v5",
  "Standard_D#s_v5",
  "Standard_D#d_v5",
  "Standard_D#ds_v5",
  "Standard_D#as_v5",
  "Standard_D#ads_v5",
  "Standard_D#ls_v5",
  "Standard_D#lds_v5",
  "Standard_D#ps_v5",
  "Standard_D#pds_v5",
  "Standard_D#pls_v5",
  "Standard_D#plds_v5",
  "Standard_D#s_v6",
  "Standard_D#ds_v6",
  "Standard_D#ls_v6",
  "Standard_D#lds_v6",
  "Standard_D#as_v6",
  "Standard_D#ads_v6",
  "Standard_D#als_v6",
  "Standard_D#alds_v6",
  "Standard_D#ps_v6",
  "Standard_D#pds_v6",
  "Standard_D#pls_v6",
  "Standard_D#plds_v6",
  // Memory optimized: E.
  "Standard_E#_v3",
  "Standard_E#s_v3",
  "Standard_E#_v4",
  "Standard_E#s_v4",
  "Standard_E#d_v4",
  "Standard_E#ds_v4",
  "Standard_E#a_v4",
  "Standard_E#as_v4",
  "Standard_E#_v5",
  "Standard_E#s_v5",
  "Standard_E#d_v5",
  "Standard_E#ds_v5",
  "Standard_E#as_v5",
  "Standard_E#ads_v5",
  "Standard_E#bs_v5",
  "Standard_E#bds_v5",
  "Standard_E#ps_v5",
  "Standard_E#pds_v5",
  "Standard_E#s_v6",
  "Standard_E#ds_v6",
  "Standard_E#as_v6",
  "Standard_E#ads_v6",
  "Standard_E#ps_v6",
  "Standard_E#pds_v6",
  // Compute optimized: F.
  "Standard_F#s_v2",
  "Standard_F#as_v6",
  "Standard_F#als_v6",
  "Standard_F#ams_v6",
  // Storage optimized: L.
  "Standard_L#s_v2",
  "Standard_L#s_v3",
  "Standard_L#as_v3",
];

/** The grammar: family, vCPUs, constrained vCPUs, additive features, accelerator, version. */
const GRAMMAR = /^Standard_([A-Z]+)(\d+)(-\d+)?([a-z]*)(_[A-Z][A-Za-z0-9]*)?(_v\d+)?$/;

const SERIES = new Set(VM_SERIES);

/** `Standard_D4s_v5` -> `Standard_D#s_v5`; undefined when the size breaks the grammar. */
function templateOf(size: string): string | undefined {
  const m = GRAMMAR.exec(size);
  if (!m) return undefined;
  return `Standard_${m[1]}#${m[3] ?? ""}${m[4]}${m[5] ?? ""}${m[6] ?? ""}`;
}

/** Why `size` is not a VM size of a known series, with the nearest one that is; undefined if fine. */
export function checkVmSize(size: string): { message: string; nearest?: string } | undefined {
  const template = templateOf(size);
  if (template !== undefined && SERIES.has(template)) return undefined;
  const nearest = nearestSize(size);
  const message =
    template === undefined
      ? "not an Azure VM size: sizes are written Standard_<family><vCPUs><features>_v<version>, e.g. Standard_D4s_v5 (the version follows an underscore)"
      : `not an Azure VM size: no series ${template.replace("Standard_", "").replace("#", "<vCPUs>")} (the series and versions known here are in fleet/vm-sizes.ts, from Learn's size overview)`;
  return { message, nearest };
}

/** The known-series size closest to `size` in spelling, with the same vCPU count. */
function nearestSize(size: string): string | undefined {
  const vcpus = /\d+/.exec(size.replace(/^Standard_/i, ""))?.[0];
  if (vcpus === undefined) return undefined;
  const version = Number(/_?v(\d+)$/i.exec(size)?.[1] ?? Number.NaN);
  // Underscores are compared apart: a missing one is the most common slip (`E8sv5`).
  const letters = (s: string) => s.toLowerCase().replace(/_/g, "");
  let best: { size: string; distance: number; versionGap: number } | undefined;
  for (const t of VM_SERIES) {
    const candidate = t.replace("#", vcpus);
    const distance =
      editDistance(letters(size), letters(candidate)) * 100 +
      editDistance(size.toLowerCase(), candidate.toLowerCase());
    const v = Number(/_v(\d+)$/.exec(candidate)?.[1] ?? Number.NaN);
    const versionGap = Number.isNaN(version) || Number.isNaN(v) ? 0 : Math.abs(version - v);
    if (
      best === undefined ||
      distance < best.distance ||
      (distance === best.distance && versionGap < best.versionGap)
    ) {
      best = { size: candidate, distance, versionGap };
    }
  }
  return best?.size;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}
