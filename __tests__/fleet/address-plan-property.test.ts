/**
 * Property tests of the address plan. Oracles use ip-address directly and compare every pair
 * (fine for the small pools here), independent of the sorted scans in the implementation.
 */
import fc from "fast-check";
import { Address4 } from "ip-address";
import {
  type AddressPlanSettings,
  AddressPoolExhaustedError,
  allocate,
  parseAddressPlan,
  renderAddressPlan,
  subnetLayout,
  validateAddressPlan,
} from "../../fleet/address-plan";

const POOL = "10.1.0.0/19"; // 8 blocks of /22: small, so gaps and exhaustion happen
const BLOCK = 22;
const ORGS = ["brg", "digdir", "nav", "skd", "ssb", "ttd", "udi", "hdir", "krt", "dat", "nsm", "svv"];
const ENVS = ["at22", "tt02"];
const KEYS = ORGS.flatMap((org) => ENVS.map((env) => `apps-${org}-${env}`)); // 24 > 8

const net = (cidr: string) => new Address4(cidr);
/** CIDRs are nested or disjoint, so they overlap exactly when one contains the other. */
const cidrsOverlap = (a: string, b: string) => net(a).isInSubnet(net(b)) || net(b).isInSubnet(net(a));

/** Every aligned /22 of the pool, lowest first, stepping with ip-address. */
function candidates(): string[] {
  const out: string[] = [];
  let block = net(`${net(POOL).startAddress().correctForm()}/${BLOCK}`);
  while (block.isInSubnet(net(POOL))) {
    out.push(block.networkForm());
    block = block.nextNetwork();
  }
  return out;
}
const CANDIDATES = candidates();

/** A CIDR around the pool: an address offset from the pool start, masked to a random prefix. */
const reservedArb = fc
  .record({ offset: fc.integer({ min: -2048, max: 10240 }), prefixLength: fc.integer({ min: 20, max: 28 }) })
  .map(({ offset, prefixLength }) => {
    const at = Address4.fromBigInt(net(POOL).startAddress().bigInt() + BigInt(offset));
    return { cidr: net(`${at.correctForm()}/${prefixLength}`).networkForm(), reason: "test" };
  });

const settingsArb: fc.Arbitrary<AddressPlanSettings> = fc
  .array(reservedArb, { maxLength: 3 })
  .map((reserved) => ({
    pool: POOL,
    blockPrefixLength: BLOCK,
    reserved,
    podCidr: "10.240.0.0/16",
    serviceCidr: "10.250.0.0/24",
    dnsServiceIp: "10.250.0.10",
  }));

/** add a cluster, remove one, or both at once (an org leaves while another joins). */
const stepArb = fc.record({
  kind: fc.constantFrom("add", "add", "remove", "swap"),
  key: fc.constantFrom(...KEYS),
  other: fc.constantFrom(...KEYS),
  prune: fc.constantFrom(false, false, false, true), // rarely, so released blocks pile up first
});

function barriersOf(settings: AddressPlanSettings): string[] {
  return [...settings.reserved.map((r) => r.cidr), settings.podCidr, settings.serviceCidr];
}

describe("address plan properties", () => {
  it("allocation never moves a block, never overlaps, stays in the pool, and validates", () => {
    let exhausted = 0;
    let allocatedAfterPrune = 0;
    fc.assert(
      fc.property(settingsArb, fc.array(stepArb, { minLength: 1, maxLength: 40 }), (settings, steps) => {
        const barriers = barriersOf(settings);
        let current = new Map<string, string>();
        const required = new Set<string>();
        for (const step of steps) {
          if (step.kind === "add") required.add(step.key);
          if (step.kind === "remove") required.delete(step.key);
          if (step.kind === "swap") {
            required.delete(step.key);
            required.add(step.other);
          }

          const keys = [...required];
          const prunedExpected = step.prune ? [...current.keys()].filter((k) => !required.has(k)).sort() : [];
          const keptBefore = new Map([...current].filter(([k]) => !prunedExpected.includes(k)));
          const missing = keys.filter((k) => !keptBefore.has(k)).sort();
          const free = CANDIDATES.filter(
            (c) => ![...keptBefore.values(), ...barriers].some((taken) => cidrsOverlap(c, taken)),
          );

          let result: ReturnType<typeof allocate>;
          try {
            result = allocate(settings, current, keys, { prune: step.prune });
          } catch (e) {
            // Exhaustion is an expected outcome here, and only when the oracle agrees.
            expect(e).toBeInstanceOf(AddressPoolExhaustedError);
            expect(e).toMatchObject({ needed: missing.length, free: free.length });
            expect(free.length).toBeLessThan(missing.length);
            exhausted++;
            continue; // nothing changed; the plan stays as it was
          }

          // Existing blocks never move; only unrequired keys are pruned, and only with prune.
          expect(result.pruned).toEqual(prunedExpected);
          for (const [key, block] of keptBefore) {
            expect(result.allocations.get(key)).toBe(block);
          }
          // New keys get the lowest free blocks, in sorted key order.
          expect(result.added).toEqual(missing);
          missing.forEach((key, i) => {
            expect(result.allocations.get(key)).toBe(free[i]);
          });
          expect(new Set(result.allocations.keys())).toEqual(new Set([...keptBefore.keys(), ...keys]));

          // Oracle: inside the pool, clear of barriers and of each other.
          const entries = [...result.allocations];
          const violations: string[] = [];
          entries.forEach(([key, block], i) => {
            if (!net(block).isInSubnet(net(POOL))) violations.push(`${key} ${block} outside the pool`);
            for (const barrier of barriers) {
              if (cidrsOverlap(block, barrier)) violations.push(`${key} ${block} overlaps ${barrier}`);
            }
            for (const [other, otherBlock] of entries.slice(i + 1)) {
              if (cidrsOverlap(block, otherBlock))
                violations.push(`${key} ${block} overlaps ${other} ${otherBlock}`);
            }
          });
          expect(violations).toEqual([]);

          // The validator agrees, and the file round-trips byte for byte.
          expect(
            validateAddressPlan(settings, result.allocations, keys).filter((p) => p.severity === "error"),
          ).toEqual([]);
          const text = renderAddressPlan(result.allocations);
          const parsed = parseAddressPlan(text);
          expect(parsed.problems).toEqual([]);
          expect(renderAddressPlan(parsed.allocations)).toBe(text);

          if (step.prune && prunedExpected.length > 0 && missing.length > 0) allocatedAfterPrune++;
          current = result.allocations;
        }
      }),
      { numRuns: 150 },
    );
    // The runs explored the interesting cases, not only the easy ones.
    expect(exhausted).toBeGreaterThan(0);
    expect(allocatedAfterPrune).toBeGreaterThan(0);
  });

  it("the overlap scan names exactly the blocks that overlap another", () => {
    const blockArb = fc
      .record({ offset: fc.integer({ min: 0, max: 16383 }), prefixLength: fc.integer({ min: 20, max: 24 }) })
      .map(({ offset, prefixLength }) => {
        const at = Address4.fromBigInt(net(POOL).startAddress().bigInt() + BigInt(offset));
        return net(`${at.correctForm()}/${prefixLength}`).networkForm();
      });
    const settings: AddressPlanSettings = {
      pool: POOL,
      blockPrefixLength: BLOCK,
      reserved: [],
      podCidr: "10.240.0.0/16",
      serviceCidr: "10.250.0.0/24",
      dnsServiceIp: "10.250.0.10",
    };
    fc.assert(
      fc.property(fc.array(blockArb, { maxLength: 14 }), (blocks) => {
        const allocations = new Map(blocks.map((b, i) => [`k${i}`, b]));
        const keys = [...allocations.keys()];
        const involved = new Set<string>();
        keys.forEach((a, i) => {
          for (const b of keys.slice(i + 1)) {
            if (cidrsOverlap(allocations.get(a)!, allocations.get(b)!)) {
              involved.add(a);
              involved.add(b);
            }
          }
        });

        const named = new Set<string>();
        for (const p of validateAddressPlan(settings, allocations, keys)) {
          const partner = /overlaps the block of (\S+) \(/.exec(p.message)?.[1];
          if (partner === undefined) continue;
          const key = p.field.replace(/^allocations\./, "");
          // Every reported pair really overlaps.
          expect(cidrsOverlap(allocations.get(key)!, allocations.get(partner)!)).toBe(true);
          named.add(key);
          named.add(partner);
        }
        expect(named).toEqual(involved);
      }),
      { numRuns: 200 },
    );
  });

  it("subnets lie inside their block, never overlap, and sit at the same offsets in every block", () => {
    const blockArb = fc
      .integer({ min: 0, max: 2 ** 10 - 1 })
      .map((i) => Address4.fromBigInt(net("10.0.0.0/8").startAddress().bigInt() + BigInt(i) * 1024n))
      .map((a) => `${a.correctForm()}/22`);
    fc.assert(
      fc.property(blockArb, (block) => {
        const subnets = subnetLayout(block);
        const start = net(block).startAddress().bigInt();
        const offsets = subnets.map((s) => net(s.cidr).startAddress().bigInt() - start);
        expect(offsets).toEqual([0n, 256n, 512n]);
        subnets.forEach((s, i) => {
          expect(net(s.cidr).isInSubnet(net(block))).toBe(true);
          for (const t of subnets.slice(i + 1)) expect(cidrsOverlap(s.cidr, t.cidr)).toBe(false);
        });
      }),
      { numRuns: 100 },
    );
  });
});
