/**
 * `azure-pipelines.yml`, generated from the fleet definition (`npm run pipeline`).
 *
 * The stages follow the fleet's state scopes (`fleet.stateScopes`), in promotion rings:
 *
 * | ring | scopes | why first |
 * |---|---|---|
 * | 0 | `state` (the `state-scopes` stack: every other scope's state container and access) | a new scope's stacks cannot even `terraform init` before their container exists |
 * | 1 | `shared` (the `org-<org>` registries) | every `apps-<org>-<env>` stack grants its cluster AcrPull on its org's registry |
 * | 2 | test scopes: `environments.json` order (`at22 … tt02`), then Studio's (`dev`, `staging`) | a change is applied to every test environment before production |
 * | 3 | production scopes (`prod`: Apps, Platform and Studio production) | |
 *
 * Each scope has a plan stage and an apply stage. A stage of ring N waits for every plan and
 * apply stage of the rings before it (Skipped counts as passed, Failed and rejected do not), so
 * a failed test environment stops production. Scopes of one ring run side by side.
 *
 * - Build: `npm ci`, `npm test`, `npm run synth`, then `npm run pipeline -- prepare` (affected
 *   stacks per scope against the PR's target, or the scope's last applied commit on main; every
 *   stack on the nightly schedule; the configuration diff as the run summary; one plan matrix
 *   per scope as an output variable). `cdktf.out` and the affected lists are artifacts.
 * - Plan stage: `discover` re-publishes the scope's matrix (a matrix must come from a job of the
 *   same stage), `plan` fans out over it (`npm run plan`, saved plans published per leg),
 *   `collect` reads every leg's results (`npm run pipeline -- collect`): run summary, drift,
 *   failures, and the apply matrix in dependency waves.
 * - Apply stage (main only, when something changed): `approve` is a deployment job on the Azure
 *   DevOps Environment `fleet-<scope>`, whose approvals and exclusive lock gate the whole stage
 *   (deployment jobs cannot take a matrix); `apply_w<i>` apply the saved plans wave by wave;
 *   `record` tags the commit `applied/<scope>/<build id>` when the scope is fully applied.
 *
 * Everything the steps decide lives in the project's CLI (tested); this file only wires it.
 */
import { Document } from "yaml";
import { SHARED_SCOPE, STATE_SCOPE } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { DEPENDENCY_WAVES } from "./rollout";

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
  /** Matrix legs of one job running at once (each takes a parallel job of the organisation). */
  readonly maxParallel: number;
  /**
   * Apply wave jobs per apply stage: the most dependency waves one scope may have (today 3:
   * clusters, then what reads them, then apps -k8s). More fails the Build stage, saying so.
   */
  readonly waveSlots: number;
  /** Most plan legs per scope: a stage holds at most 256 jobs, and the stage has four more. */
  readonly planMaxJobs: number;
  /** When the nightly drift check runs (UTC). */
  readonly driftCron: string;
  readonly planTimeoutMinutes: number;
  readonly applyTimeoutMinutes: number;
}

export const PIPELINE_DEFAULTS: PipelineOptions = {
  mainBranch: "main",
  pool: "fleet-agents",
  nodeVersion: "20.x",
  terraformVersion: "1.12.2",
  maxParallel: 32,
  waveSlots: DEPENDENCY_WAVES,
  planMaxJobs: 250,
  driftCron: "0 3 * * *",
  planTimeoutMinutes: 90,
  applyTimeoutMinutes: 180,
};

/** The file the generator writes, relative to the project root. */
export const PIPELINE_FILE = "azure-pipelines.yml";

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

type Node = Record<string, unknown>;

const PASSED = "'Succeeded', 'SucceededWithIssues', 'Skipped'";
const BUILD_OK = `in(dependencies.${PIPELINE_NAMES.buildStage}.result, 'Succeeded', 'SucceededWithIssues')`;

function checkout(options: { full?: boolean; push?: boolean } = {}): Node {
  return {
    checkout: "self",
    fetchDepth: options.full ? 0 : 1,
    ...(options.full ? { fetchTags: true } : {}),
    ...(options.push ? { persistCredentials: true } : {}),
  };
}

function node(): Node[] {
  return [
    {
      task: "NodeTool@0",
      displayName: "Node.js $(NODE_VERSION)",
      inputs: { versionSpec: "$(NODE_VERSION)" },
    },
    {
      task: "Cache@2",
      displayName: "npm cache",
      inputs: {
        key: 'npm | "$(Agent.OS)" | package-lock.json',
        restoreKeys: 'npm | "$(Agent.OS)"',
        path: "$(npm_config_cache)",
      },
    },
    { bash: "npm ci --no-audit --no-fund", displayName: "npm ci" },
  ];
}

function download(displayName: string, artifactName: string, targetPath: string, itemPattern?: string): Node {
  return {
    task: "DownloadPipelineArtifact@2",
    displayName,
    inputs: {
      buildType: "current",
      ...(artifactName !== "" ? { artifactName } : {}),
      ...(itemPattern !== undefined ? { itemPattern } : {}),
      targetPath,
    },
  };
}

function publish(displayName: string, targetPath: string, artifact: string, condition: string): Node {
  return {
    task: "PublishPipelineArtifact@1",
    displayName,
    condition,
    inputs: { targetPath, artifact, publishLocation: "pipeline" },
  };
}

const CDKTF_OUT = "$(System.DefaultWorkingDirectory)/cdktf.out";

/** Installs the pinned Terraform and fills a read-only provider mirror (both cached per agent). */
export const TERRAFORM_SETUP_SCRIPT = `set -euo pipefail
tools="$(Pipeline.Workspace)/.terraform-tools"
version="$(TERRAFORM_VERSION)"
if [ ! -x "$tools/bin/terraform" ]; then
  # The pinned release, checked against HashiCorp's published checksums.
  tmp="$(mktemp -d)"
  zip="terraform_\${version}_linux_amd64.zip"
  curl -fsSL -o "$tmp/$zip" "https://releases.hashicorp.com/terraform/\${version}/$zip"
  curl -fsSL -o "$tmp/SHA256SUMS" "https://releases.hashicorp.com/terraform/\${version}/terraform_\${version}_SHA256SUMS"
  (cd "$tmp" && grep " $zip\\$" SHA256SUMS | sha256sum -c -)
  mkdir -p "$tools/bin"
  unzip -o -q "$tmp/$zip" terraform -d "$tools/bin"
fi
if [ "\${TOOLS_RESTORED:-false}" != "true" ]; then
  # Cache miss: mirror the exact provider versions the stacks require, once per agent.
  for dir in .pipeline/providers/*/; do
    "$tools/bin/terraform" -chdir="$dir" providers mirror -platform=linux_amd64 "$tools/mirror"
  done
fi
# Every terraform init installs from the read-only mirror only: no shared plugin cache, no
# concurrent writes, no registry downloads while planning or applying.
cat > "$tools/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$tools/mirror"
    include = ["registry.terraform.io/*/*"]
  }
}
EOF
echo "##vso[task.setvariable variable=TERRAFORM_BINARY]$tools/bin/terraform"
echo "##vso[task.setvariable variable=TF_CLI_CONFIG_FILE]$tools/terraformrc"
"$tools/bin/terraform" version`;

function terraformSetup(): Node[] {
  return [
    {
      bash: "npm run --silent pipeline -- providers --cdktf-out cdktf.out --out .pipeline/providers",
      displayName: "Provider versions the stacks require",
    },
    {
      task: "Cache@2",
      displayName: "Terraform and provider mirror cache",
      inputs: {
        key: 'terraform | "$(Agent.OS)" | "$(TERRAFORM_VERSION)" | .pipeline/providers/versions.json',
        path: "$(Pipeline.Workspace)/.terraform-tools",
        cacheHitVar: "TERRAFORM_TOOLS_RESTORED",
      },
    },
    {
      bash: TERRAFORM_SETUP_SCRIPT,
      displayName: "Terraform $(TERRAFORM_VERSION) and the provider mirror",
      env: { TOOLS_RESTORED: "$(TERRAFORM_TOOLS_RESTORED)" },
    },
  ];
}

/**
 * Exports the azurerm provider's and backend's workload identity federation settings from the
 * AzureCLI@2 task (addSpnToEnvironment): the service connection's client and tenant, and its id
 * for ID-token refresh with the job's access token (ARM_OIDC_REQUEST_TOKEN, mapped in `env`).
 */
export function armEnvironmentScript(): string {
  return `export ARM_USE_OIDC=true ARM_USE_AZUREAD=true ARM_USE_CLI=false
export ARM_CLIENT_ID="\${AZURESUBSCRIPTION_CLIENT_ID:-$servicePrincipalId}"
export ARM_TENANT_ID="\${AZURESUBSCRIPTION_TENANT_ID:-$tenantId}"
export ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID="\${AZURESUBSCRIPTION_SERVICE_CONNECTION_ID:-}"
export ARM_OIDC_AZURE_SERVICE_CONNECTION_ID="$ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"
if [ -z "$ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID" ]; then
  echo "##vso[task.logissue type=error]the AzureCLI task did not expose the service connection id (AZURESUBSCRIPTION_SERVICE_CONNECTION_ID): update the agent"
  exit 1
fi`;
}

function azureCli(
  scope: string,
  kind: "plan" | "apply",
  displayName: string,
  script: string,
  extra: Node = {},
): Node {
  return {
    task: "AzureCLI@2",
    displayName,
    ...extra,
    inputs: {
      azureSubscription: PIPELINE_NAMES.serviceConnection(scope, kind),
      scriptType: "bash",
      scriptLocation: "inlineScript",
      addSpnToEnvironment: true,
      inlineScript: `set -euo pipefail\n${armEnvironmentScript()}\n${script}`,
    },
    // No ARM_SUBSCRIPTION_ID: every provider and backend names its subscription (fleet.yaml
    // `subscriptions`).
    env: { ARM_OIDC_REQUEST_TOKEN: "$(System.AccessToken)" },
  };
}

/** The git tag step: `applied/<scope>/<build id>` on the commit this run applied (lightweight, never moved). */
export function recordScript(scope: string): string {
  return `set -euo pipefail
tag="${PIPELINE_NAMES.appliedTagPrefix(scope)}$(Build.BuildId)"
git tag -f "$tag" "$(Build.SourceVersion)"
git push origin "refs/tags/$tag"
echo "recorded $tag at $(Build.SourceVersion): the next run compares ${scope} with this commit"`;
}

function recordSteps(scope: string): Node[] {
  return [
    checkout({ push: true }),
    { bash: recordScript(scope), displayName: `Record the applied commit (${scope})` },
  ];
}

function buildStage(options: PipelineOptions): Node {
  const staging = "$(Build.ArtifactStagingDirectory)/affected";
  return {
    stage: PIPELINE_NAMES.buildStage,
    displayName: "Build: test, synthesize, affected stacks",
    jobs: [
      {
        job: "build",
        displayName: "Build",
        timeoutInMinutes: 60,
        steps: [
          checkout({ full: true }),
          ...node(),
          { bash: "npm test", displayName: "npm test" },
          { bash: "npm run synth", displayName: "npm run synth" },
          {
            bash: `npm run --silent pipeline -- prepare --out "${staging}" --main-branch ${options.mainBranch} --max-jobs ${options.planMaxJobs} --wave-slots ${options.waveSlots} --plan-all "${PLAN_ALL_EXPRESSION}" --ado`,
            name: "prepare",
            displayName: "Affected stacks, configuration diff and plan matrices",
          },
          { publish: "cdktf.out", artifact: PIPELINE_NAMES.cdktfArtifact, displayName: "Publish cdktf.out" },
          {
            publish: staging,
            artifact: PIPELINE_NAMES.affectedArtifact,
            displayName: "Publish the affected stacks",
          },
        ],
      },
    ],
  };
}

function ringDependencies(scopes: readonly PipelineScope[], ring: number): string[] {
  return scopes
    .filter((s) => s.ring < ring)
    .flatMap((s) => [PIPELINE_NAMES.planStage(s.scope), PIPELINE_NAMES.applyStage(s.scope)]);
}

function planStage(s: PipelineScope, scopes: readonly PipelineScope[], options: PipelineOptions): Node {
  const { scope } = s;
  const earlier = ringDependencies(scopes, s.ring);
  const legs = PIPELINE_NAMES.legsVariable(scope);
  const plans = "$(System.DefaultWorkingDirectory)/plans";
  const staging = "$(Build.ArtifactStagingDirectory)";
  const planScript = `rc=0
npm run --silent plan -- --stack $STACKS --out-dir plans --no-state-lock || rc=$?
# 0 no changes, 2 changes (both fine here), 1 a stack failed: collect decides what that means.
echo "npm run plan exited $rc"
if [ "$rc" -eq 1 ]; then exit 1; fi`;
  return {
    stage: PIPELINE_NAMES.planStage(scope),
    displayName: `Plan ${scope} (${s.holds.join(", ")})`,
    dependsOn: [PIPELINE_NAMES.buildStage, ...earlier],
    condition: [
      "and(not(canceled())",
      BUILD_OK,
      ...earlier.map((d) => `in(dependencies.${d}.result, ${PASSED})`),
      `ne(dependencies.${PIPELINE_NAMES.buildStage}.outputs['build.prepare.${legs}_waves'], '0'))`,
    ].join(", "),
    jobs: [
      {
        job: "discover",
        displayName: "Plan legs",
        variables: {
          plan_legs: `$[ stageDependencies.${PIPELINE_NAMES.buildStage}.build.outputs['prepare.${legs}'] ]`,
        },
        steps: [
          { checkout: "none" },
          {
            bash: `empty='{}'\necho "##vso[task.setvariable variable=legs;isOutput=true]\${PLAN_LEGS:-$empty}"`,
            name: "m",
            displayName: "Publish the plan matrix",
            env: { PLAN_LEGS: "$(plan_legs)" },
          },
        ],
      },
      {
        job: "plan",
        displayName: "Plan",
        dependsOn: "discover",
        condition: "and(succeeded(), ne(dependencies.discover.outputs['m.legs'], '{}'))",
        timeoutInMinutes: options.planTimeoutMinutes,
        strategy: {
          matrix: "$[ dependencies.discover.outputs['m.legs'] ]",
          maxParallel: options.maxParallel,
        },
        steps: [
          checkout(),
          ...node(),
          download("Download cdktf.out", PIPELINE_NAMES.cdktfArtifact, CDKTF_OUT),
          ...terraformSetup(),
          azureCli(scope, "plan", "terraform plan (saved)", planScript, { continueOnError: true }),
          {
            bash: `npm run --silent pipeline -- leg --phase plan --scope ${scope} --out-dir plans --staging "${staging}/leg"`,
            displayName: "Stage the plan and its results",
            condition: "succeededOrFailed()",
          },
          publish(
            "Publish the saved plans (secret: resolved values)",
            plans,
            "$(PLAN_ARTIFACT)",
            "and(succeededOrFailed(), ne(variables['PLAN_ARTIFACT'], ''))",
          ),
          publish(
            "Publish the plan results",
            `${staging}/leg/result`,
            "$(RESULT_ARTIFACT)",
            "and(succeededOrFailed(), ne(variables['RESULT_ARTIFACT'], ''))",
          ),
        ],
      },
      {
        job: "collect",
        displayName: "Plan summary and apply matrix",
        dependsOn: ["discover", "plan"],
        condition:
          "and(not(canceled()), eq(dependencies.discover.result, 'Succeeded'), ne(dependencies.discover.outputs['m.legs'], '{}'))",
        variables: { plan_legs: "$[ dependencies.discover.outputs['m.legs'] ]" },
        steps: [
          checkout(),
          ...node(),
          download("Download the manifest", PIPELINE_NAMES.cdktfArtifact, CDKTF_OUT, "manifest.json"),
          download(
            "Download the affected stacks",
            PIPELINE_NAMES.affectedArtifact,
            "$(Pipeline.Workspace)/affected",
          ),
          download("Download the plan results", "", "$(Pipeline.Workspace)/results", `result_${scope}_*/**`),
          {
            bash: `npm run --silent pipeline -- collect --scope ${scope} --results "$(Pipeline.Workspace)/results" --affected "$(Pipeline.Workspace)/affected" --wave-slots ${options.waveSlots} --out "${staging}/decisions" --ado`,
            name: "c",
            displayName: "Summarize the plans, decide what to apply",
            env: { PLAN_LEGS: "$(plan_legs)" },
          },
          publish(
            "Publish the apply decisions",
            `${staging}/decisions`,
            "$(DECISIONS_ARTIFACT)",
            "and(succeededOrFailed(), ne(variables['DECISIONS_ARTIFACT'], ''))",
          ),
        ],
      },
      {
        job: "record",
        displayName: "Record: nothing to apply",
        dependsOn: "collect",
        condition: "and(succeeded(), eq(dependencies.collect.outputs['c.markClean'], 'true'))",
        steps: recordSteps(scope),
      },
    ],
  };
}

function applyStage(s: PipelineScope, options: PipelineOptions): Node {
  const { scope } = s;
  const plan = PIPELINE_NAMES.planStage(scope);
  const waves = [...Array(options.waveSlots).keys()];
  const waveJob = (i: number): Node => {
    const before = i === 0 ? [] : [`apply_w${i - 1}`];
    const applyScript = `rc=0
npm run --silent apply -- --stacks-file "$(Pipeline.Workspace)/decisions/$(ARTIFACT).txt" --out-dir plans --ado || rc=$?
if [ "$rc" -eq 3 ]; then
  echo "##vso[task.logissue type=error]${scope}: a saved plan is stale (the state changed after planning). Run the pipeline again: plan, review, approve."
fi
exit "$rc"`;
    return {
      job: `apply_w${i}`,
      displayName: `Apply wave ${i}`,
      dependsOn: ["approve", "legs", ...before],
      condition: [
        "and(not(canceled())",
        "eq(dependencies.approve.result, 'Succeeded')",
        "eq(dependencies.legs.result, 'Succeeded')",
        ...before.map((b) => `in(dependencies.${b}.result, 'Succeeded', 'Skipped')`),
        `ne(dependencies.legs.outputs['m.wave${i}'], '{}'))`,
      ].join(", "),
      timeoutInMinutes: options.applyTimeoutMinutes,
      strategy: { matrix: `$[ dependencies.legs.outputs['m.wave${i}'] ]`, maxParallel: options.maxParallel },
      steps: [
        checkout(),
        ...node(),
        download("Download cdktf.out", PIPELINE_NAMES.cdktfArtifact, CDKTF_OUT),
        download("Download the saved plans", "$(ARTIFACT)", "$(System.DefaultWorkingDirectory)/plans"),
        download("Download the apply decisions", "$(DECISIONS)", "$(Pipeline.Workspace)/decisions"),
        ...terraformSetup(),
        azureCli(scope, "apply", "terraform apply (saved plans)", applyScript),
        {
          bash: `npm run --silent pipeline -- leg --phase apply --scope ${scope} --out-dir plans --staging "$(Build.ArtifactStagingDirectory)/leg"`,
          displayName: "Stage the apply logs",
          condition: "succeededOrFailed()",
        },
        publish(
          "Publish the apply logs",
          "$(Build.ArtifactStagingDirectory)/leg/applied",
          "$(APPLY_ARTIFACT)",
          "and(succeededOrFailed(), ne(variables['APPLY_ARTIFACT'], ''))",
        ),
      ],
    };
  };
  const fromCollect = (variable: string) => `$[ stageDependencies.${plan}.collect.outputs['c.${variable}'] ]`;
  const legsVariables: Record<string, string> = { complete: fromCollect("complete") };
  for (const i of waves) legsVariables[`w${i}`] = fromCollect(`apply_wave${i}`);
  // An unset wave (collect did not run to the end) becomes an empty matrix: its job is skipped.
  const relay = [
    "empty='{}'",
    `echo "##vso[task.setvariable variable=complete;isOutput=true]\${COMPLETE:-false}"`,
    ...waves.map((i) => `echo "##vso[task.setvariable variable=wave${i};isOutput=true]\${W${i}:-$empty}"`),
  ].join("\n");
  const relayEnv: Record<string, string> = { COMPLETE: "$(complete)" };
  for (const i of waves) relayEnv[`W${i}`] = `$(w${i})`;
  return {
    stage: PIPELINE_NAMES.applyStage(scope),
    displayName: `Apply ${scope} (${s.holds.join(", ")})`,
    dependsOn: [plan],
    condition: [
      "and(not(canceled())",
      `eq(dependencies.${plan}.outputs['collect.c.canApply'], 'true')`,
      `eq(variables['Build.SourceBranch'], 'refs/heads/${options.mainBranch}')`,
      "notIn(variables['Build.Reason'], 'PullRequest', 'Schedule'))",
    ].join(", "),
    jobs: [
      {
        deployment: "approve",
        displayName: `Approval for ${scope}`,
        environment: PIPELINE_NAMES.environment(scope),
        strategy: {
          runOnce: {
            deploy: {
              steps: [
                { download: "none" },
                {
                  bash: `echo "Approved: the saved plans of ${scope} from run $(Build.BuildNumber) ($(Build.SourceVersion)) are applied next."`,
                  displayName: "Approved",
                },
              ],
            },
          },
        },
      },
      {
        job: "legs",
        displayName: "Apply legs",
        variables: legsVariables,
        steps: [
          { checkout: "none" },
          { bash: relay, name: "m", displayName: "Publish the apply matrices", env: relayEnv },
        ],
      },
      ...waves.map(waveJob),
      {
        job: "record",
        displayName: "Record the applied commit",
        dependsOn: ["legs", ...waves.map((i) => `apply_w${i}`)],
        condition: [
          "and(not(canceled())",
          "eq(dependencies.legs.result, 'Succeeded')",
          ...waves.map((i) => `in(dependencies.apply_w${i}.result, 'Succeeded', 'Skipped')`),
          "eq(dependencies.legs.outputs['m.complete'], 'true'))",
        ].join(", "),
        steps: recordSteps(scope),
      },
    ],
  };
}

/** The pipeline as a plain object (key order matters: the first key names a step, job or stage). */
export function buildPipeline(
  fleet: Pick<Fleet, "environments" | "studios" | "stateScopes">,
  options: PipelineOptions = PIPELINE_DEFAULTS,
): Node {
  const scopes = promotionOrder(fleet);
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
    ],
    stages: [
      buildStage(options),
      ...scopes.flatMap((s) => [planStage(s, scopes, options), applyStage(s, options)]),
    ],
  };
}

export const PIPELINE_HEADER = [
  " Generated by `npm run pipeline` from the fleet definition (environments/) and cli/pipeline.ts.",
  " Do not edit by hand: change those, run `npm run pipeline` and commit this file.",
  " Set-up in Azure DevOps (service connections, environments, variable groups): README.md, Pipeline.",
];

/** The generated `azure-pipelines.yml` text. */
export function renderPipeline(
  fleet: Pick<Fleet, "environments" | "studios" | "stateScopes">,
  options: PipelineOptions = PIPELINE_DEFAULTS,
): string {
  const doc = new Document(buildPipeline(fleet, options));
  doc.commentBefore = PIPELINE_HEADER.join("\n");
  return doc.toString({ lineWidth: 0 });
}
