/**
 * Applies the rule packs to every resource of a stack at synth time. Attach one per stack (cdktf
 * never runs aspects added to the App); FleetStack does, after the aspects that change resources,
 * so policy sees what is synthesized.
 *
 * Each resource is rendered the way it lands in cdk.tf.json (snake_case, references as "${...}")
 * and handed to every rule for its type. A violation that no suppression covers becomes an error
 * annotation, which fails `app.synth()` and therefore `npm run synth`.
 */
import {
  Annotations,
  Aspects,
  DefaultTokenResolver,
  type IAspect,
  StringConcat,
  TerraformResource,
  TerraformStack,
  Tokenization,
} from "cdktf";
import type { IConstruct } from "constructs";
import picomatch from "picomatch";
import { ResourceView } from "./attributes";
import { FLEET_SUPPRESSIONS } from "./fleet-suppressions";
import { formatFinding } from "./format";
import { ALL_PACKS, indexByType } from "./packs";
import { isViolation, type PolicyEnvironment, type PolicyRule, type RulePack, statusOf } from "./rule";
import {
  type FleetSuppression,
  SUPPRESSION_METADATA_TYPE,
  type Suppression,
  validateSuppression,
} from "./suppressions";

/** Where a suppression was declared: on a construct, or in the fleet-wide list. */
export type SuppressionOrigin =
  | { readonly kind: "construct"; readonly path: string }
  | { readonly kind: "fleet"; readonly index: number; readonly path: string };

export interface AppliedSuppression extends Suppression {
  readonly origin: SuppressionOrigin;
}

/** One rule that a resource does not comply with. */
export interface PolicyFinding {
  readonly rule: PolicyRule;
  readonly resourceType: string;
  /** `<type>.<logical id>`, the Terraform address. */
  readonly address: string;
  readonly constructPath: string;
  readonly stackId: string;
  readonly details: readonly string[];
  /** Set when a suppression covers the finding; it then does not fail synth. */
  readonly suppression?: AppliedSuppression;
}

export interface PolicyAspectProps {
  /** Which environment class the stack serves: `prod` adds the production-only rules. */
  readonly environment: PolicyEnvironment;
  /**
   * Rule packs to apply.
   * @default ALL_PACKS
   */
  readonly packs?: readonly RulePack[];
  /**
   * Fleet-wide suppressions by construct path.
   * @default FLEET_SUPPRESSIONS
   */
  readonly fleetSuppressions?: readonly FleetSuppression[];
}

const RESOLVER = new DefaultTokenResolver(new StringConcat());

export class PolicyAspect implements IAspect {
  readonly environment: PolicyEnvironment;
  readonly rules: readonly PolicyRule[];
  /** Every violation found, suppressed or not, in visiting order. */
  readonly findings: PolicyFinding[] = [];
  /** Rule evaluations per status, for reports. */
  readonly counts = { resources: 0, pass: 0, fail: 0, "n/a": 0, unknown: 0 };
  private readonly byType: ReadonlyMap<string, readonly PolicyRule[]>;
  private readonly fleetSuppressions: readonly {
    readonly entry: FleetSuppression;
    readonly index: number;
    readonly matches: (path: string) => boolean;
  }[];
  /** The fleet-wide suppressions this aspect applies, in order (origins refer to their index). */
  get fleetSuppressionList(): readonly FleetSuppression[] {
    return this.fleetSuppressions.map((f) => f.entry);
  }
  private readonly seen = new WeakSet<IConstruct>();

  constructor(props: PolicyAspectProps) {
    this.environment = props.environment;
    const packs = props.packs ?? ALL_PACKS;
    this.rules = packs
      .flatMap((p) => p.rules)
      .filter((r) => r.environments === "all" || props.environment === "prod");
    this.byType = indexByType(this.rules);
    this.fleetSuppressions = (props.fleetSuppressions ?? FLEET_SUPPRESSIONS).map((entry, index) => {
      validateSuppression(entry.rule, entry.reason, `fleet suppression #${index + 1} (${entry.path})`);
      return { entry, index, matches: picomatch(entry.path) };
    });
  }

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || this.seen.has(node)) return;
    this.seen.add(node);
    const rules = this.byType.get(node.terraformResourceType);
    if (!rules || rules.length === 0) return;
    const attrs = renderedAttributes(node);
    if (attrs === undefined) return; // moved away (moveTo): the target carries the resource
    this.counts.resources += 1;
    const address = `${node.terraformResourceType}.${node.friendlyUniqueId}`;
    const stack = TerraformStack.of(node);
    const view = new ResourceView(node.terraformResourceType, attrs);
    for (const rule of rules) {
      let verdict: ReturnType<PolicyRule["check"]>;
      try {
        verdict = rule.check(view, {
          environment: this.environment,
          resourceType: node.terraformResourceType,
          address,
        });
      } catch (e) {
        throw new Error(
          `policy rule ${rule.id} failed on ${address} (${node.node.path}): ${(e as Error).message}`,
        );
      }
      this.counts[statusOf(verdict)] += 1;
      if (!isViolation(verdict)) continue;
      const finding: PolicyFinding = {
        rule,
        resourceType: node.terraformResourceType,
        address,
        constructPath: node.node.path,
        stackId: stack.node.id,
        details: verdict,
        suppression: this.suppressionFor(node, rule.id),
      };
      this.findings.push(finding);
      if (!finding.suppression) Annotations.of(node).addError(formatFinding(finding));
    }
  }

  /** Findings no suppression covers; non-empty means synth fails. */
  get violations(): readonly PolicyFinding[] {
    return this.findings.filter((f) => !f.suppression);
  }

  /** The nearest suppression of `rule` on the node or an ancestor, then the fleet-wide ones. */
  private suppressionFor(node: IConstruct, rule: string): AppliedSuppression | undefined {
    const scopes = [...node.node.scopes].reverse();
    for (const scope of scopes) {
      for (const entry of scope.node.metadata) {
        if (entry.type !== SUPPRESSION_METADATA_TYPE) continue;
        const s = entry.data as Suppression;
        if (s.rule !== rule) continue;
        const origin: SuppressionOrigin = { kind: "construct", path: scope.node.path };
        return { ...s, origin };
      }
    }
    for (const f of this.fleetSuppressions) {
      if (f.entry.rule !== rule) continue;
      if (!scopes.some((scope) => f.matches(scope.node.path))) continue;
      const origin: SuppressionOrigin = { kind: "fleet", index: f.index, path: f.entry.path };
      return { rule, reason: f.entry.reason, origin };
    }
    return undefined;
  }
}

/**
 * The resource's attributes as synthesized: snake_case keys, nested blocks, tokens resolved to
 * "${...}" references. Resolving without `preparing` has no side effects (no cross-stack outputs).
 */
export function renderedAttributes(node: TerraformResource): Record<string, unknown> | undefined {
  const stack = TerraformStack.of(node);
  const rendered = Tokenization.resolve(node.toTerraform(), {
    scope: stack,
    preparing: false,
    resolver: RESOLVER,
  }) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  return rendered.resource?.[node.terraformResourceType]?.[node.friendlyUniqueId];
}

/** The policy aspects attached to a stack (FleetStack attaches one). */
export function policyAspectsOf(stack: TerraformStack): PolicyAspect[] {
  return Aspects.of(stack).all.filter((a): a is PolicyAspect => a instanceof PolicyAspect);
}
