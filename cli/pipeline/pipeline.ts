/**
 * `azure-pipelines.yml`, generated from the fleet definition (`npm run pipeline`): a short root
 * that extends the committed templates in `pipeline/templates/` (README, "Pipeline") with what
 * follows from the fleet: its state scopes in promotion order, and the apply slots.
 *
 * The scopes follow the fleet's state scopes (`fleet.stateScopes`), in promotion rings:
 *
 * | ring | scopes | why first |
 * |---|---|---|
 * | 0 | `state` (the `state-scopes` stack: every other scope's state container and access) | a new scope's stacks cannot even `terraform init` before their container exists |
 * | 1 | `shared` (the `org-<org>` registries) | every `apps-<org>-<env>` stack grants its cluster AcrPull on its org's registry |
 * | 2 | test scopes: `environments.json` order (`at22 … tt02`), then Studio's (`dev`, `staging`) | a change is applied to every test environment before production |
 * | 3 | production scopes (`prod`: Apps, Platform and Studio production) | |
 *
 * Each scope carries its ring; the templates turn that into stage dependencies and conditions (a
 * scope waits for every scope of a lower ring). Scopes of one ring run side by side.
 * Everything the steps decide lives in the project's CLI (tested); the YAML only wires it.
 */
import { Document, isMap, isSeq, YAMLMap } from "yaml";
import { SHARED_SCOPE, STATE_SCOPE } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { applySlots, DEPENDENCY_WAVES } from "./rollout";

export type ScopeClass = "state" | "shared" | "test" | "production";

export interface PipelineScope {
  /** The state scope: an environment token (`at22`, `prod`, `dev`) or `shared`. */
  readonly scope: string;
  readonly class: ScopeClass;
  /** 0 state, 1 shared, 2 test, 3 production: a ring waits for every stage of the rings before it. */
  readonly ring: number;
  /** What the scope holds, for display names. */
  readonly holds: readonly string[];
}

export interface PipelineOptions {
  /** The branch whose commits are applied; every other run only plans. */
  readonly mainBranch: string;
  /**
   * The agent pool. Self-hosted: the state storage firewall and the AKS API servers admit only
   * the agents' egress ranges (`state.allowedIpRanges`, `apiServerAuthorizedIpRanges`).
   */
  readonly pool: string;
  readonly nodeVersion: string;
  /** Terraform, downloaded and checked against HashiCorp's SHA256SUMS (1.12+: Azure DevOps OIDC in the azurerm backend). */
  readonly terraformVersion: string;
  /**
   * Apply wave slots per scope when a command is run outside the pipeline (the pipeline passes
   * the count of `applySlots`). More dependency waves fail the Build stage, saying so.
   */
  readonly waveSlots: number;
  /** Most plan legs per scope: a stage holds at most 256 jobs, and the stage has four more. */
  readonly planMaxJobs: number;
  /** When the nightly drift check runs (UTC). */
  readonly driftCron: string;
}

export const PIPELINE_DEFAULTS: PipelineOptions = {
  mainBranch: "main",
  pool: "fleet-agents",
  nodeVersion: "20.x",
  terraformVersion: "1.12.2",
  waveSlots: DEPENDENCY_WAVES,
  planMaxJobs: 250,
  driftCron: "0 3 * * *",
};

/** The file the generator writes, relative to the project root. */
export const PIPELINE_FILE = "azure-pipelines.yml";

/** The committed templates the generated file extends (every file here is validated with it). */
export const PIPELINE_TEMPLATES_DIR = "pipeline/templates";
export const PIPELINE_TEMPLATE = `${PIPELINE_TEMPLATES_DIR}/fleet.yml`;

/** Names shared by the generated YAML, the CLI steps and the README set-up. */
export const PIPELINE_NAMES = {
  buildStage: "build",
  planStage: (scope: string) => `plan_${scope}`,
  applyStage: (scope: string) => `apply_${scope}`,
  /** The Azure DevOps Environment holding the scope's approvals and exclusive lock. */
  environment: (scope: string) => `fleet-${scope}`,
  /** Workload identity federation service connections: plan reads, apply writes. */
  serviceConnection: (scope: string, kind: "plan" | "apply") => `fleet-${scope}-${kind}`,
  /** The Build output variable holding the scope's plan matrix (`<name>_waves`: the wave count). */
  legsVariable: (scope: string) => `legs_${scope}`,
  /** Lightweight git tags recording what was applied: `applied/<scope>/<build id>`. */
  appliedTagPrefix: (scope: string) => `applied/${scope}/`,
  cdktfArtifact: "cdktf-out",
  affectedArtifact: "affected",
} as const;

const SCOPE_NAME = /^[A-Za-z0-9_]+$/;

/** The `planAll` run parameter, as a compile-time template expression. */
export const PLAN_ALL_EXPRESSION = `\${{ parameters.planAll }}`;

/**
 * The fleet's state scopes in promotion order: `state`, `shared`, then the test scopes (registry
 * environments in `environments.json` order, then Studio's in `fleet.yaml` order), then the
 * production scopes. A scope holding any production environment is a production scope.
 */
export function promotionOrder(
  fleet: Pick<Fleet, "environments" | "studios" | "stateScopes">,
): PipelineScope[] {
  const found = new Map<string, { production: boolean; holds: string[] }>();
  const add = (scope: string, production: boolean, what: string) => {
    const entry = found.get(scope) ?? { production: false, holds: [] };
    entry.production ||= production;
    entry.holds.push(what);
    found.set(scope, entry);
  };
  for (const e of fleet.environments) add(e.token, e.type === "production", `Apps and Platform ${e.name}`);
  for (const s of fleet.studios) {
    add(s.environment.token, s.environment.type === "production", `Studio ${s.environment.name}`);
  }
  const scopes: PipelineScope[] = [
    { scope: STATE_SCOPE, class: "state", ring: 0, holds: ["state containers"] },
    { scope: SHARED_SCOPE, class: "shared", ring: 1, holds: ["org registries"] },
  ];
  for (const production of [false, true]) {
    for (const [scope, e] of found) {
      if (e.production !== production) continue;
      scopes.push({
        scope,
        class: production ? "production" : "test",
        ring: production ? 3 : 2,
        holds: e.holds,
      });
    }
  }
  const listed = new Set(scopes.map((s) => s.scope));
  const missing = fleet.stateScopes.filter((s) => !listed.has(s));
  const extra = [...listed].filter((s) => !fleet.stateScopes.includes(s));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `the pipeline's scopes (${[...listed].join(", ")}) differ from the fleet's state scopes (${fleet.stateScopes.join(", ")})`,
    );
  }
  for (const s of scopes) {
    if (!SCOPE_NAME.test(s.scope)) {
      throw new Error(`state scope "${s.scope}" cannot name a stage: use letters, digits and _ only`);
    }
  }
  return scopes;
}

type PipelineFleet = Pick<Fleet, "environments" | "studios" | "stateScopes" | "settings">;

/** A scope as the templates take it: a scope waits for every scope of a lower ring. */
export interface TemplateScope {
  readonly scope: string;
  readonly class: ScopeClass;
  readonly ring: number;
  readonly holds: string;
}

export function templateScopes(scopes: readonly PipelineScope[]): TemplateScope[] {
  return scopes.map((s) => ({ scope: s.scope, class: s.class, ring: s.ring, holds: s.holds.join(", ") }));
}

/** The root pipeline as a plain object: triggers, the planAll parameter and the extended template. */
export function buildPipeline(fleet: PipelineFleet, options: PipelineOptions = PIPELINE_DEFAULTS) {
  const main = options.mainBranch;
  return {
    trigger: { batch: true, branches: { include: [main] } },
    pr: { branches: { include: [main] } },
    schedules: [
      {
        cron: options.driftCron,
        displayName: "Nightly drift check (plans every stack, applies nothing)",
        branches: { include: [main] },
        always: true,
        batch: true,
      },
    ],
    parameters: [
      {
        name: "planAll",
        displayName: "Plan every stack, not only the affected ones (first run, recovery)",
        type: "boolean",
        default: false,
      },
    ],
    lockBehavior: "sequential",
    pool: { name: options.pool },
    variables: [
      { name: "NODE_VERSION", value: options.nodeVersion },
      { name: "TERRAFORM_VERSION", value: options.terraformVersion },
      { name: "npm_config_cache", value: "$(Pipeline.Workspace)/.npm" },
      { name: "CHECKPOINT_DISABLE", value: "1" },
      { name: "FLEET_CLI", value: "$(Pipeline.Workspace)/fleet-cli/fleet.cjs" },
    ],
    extends: {
      template: PIPELINE_TEMPLATE,
      parameters: {
        planAll: PLAN_ALL_EXPRESSION,
        mainBranch: main,
        slots: applySlots(fleet.settings),
        scopes: templateScopes(promotionOrder(fleet)),
      },
    },
  };
}

export const PIPELINE_HEADER = [
  " Generated by `npm run pipeline` from the fleet definition (environments/) and cli/pipeline/pipeline.ts:",
  " the fleet's state scopes in promotion order and the apply slots. Everything else is in",
  " pipeline/templates/ (committed, reviewed). Do not edit by hand: run `npm run pipeline`.",
  " Set-up in Azure DevOps (service connections, environments, required template): README.md, Pipeline.",
];

/** The generated `azure-pipelines.yml` text: one line per scope and slot. */
export function renderPipeline(fleet: PipelineFleet, options: PipelineOptions = PIPELINE_DEFAULTS): string {
  const doc = new Document(buildPipeline(fleet, options));
  doc.commentBefore = PIPELINE_HEADER.join("\n");
  const parameters = doc.getIn(["extends", "parameters"]);
  if (isMap(parameters)) {
    for (const key of ["slots", "scopes"]) {
      const list = parameters.get(key, true);
      if (isSeq(list)) for (const item of list.items) if (item instanceof YAMLMap) item.flow = true;
    }
  }
  return doc.toString({ lineWidth: 0 });
}
