/**
 * `npm run pipeline -- check-environments`: every apply stage waits on the Azure DevOps
 * Environment `fleet-<scope>`, and a deployment job that names an Environment that does not exist
 * creates it, without any check, so its approval passes at once (Learn: "Create and target an
 * environment", https://learn.microsoft.com/azure/devops/pipelines/process/environments). This
 * check runs in the build stage of deploy runs, before anything is planned: each Environment must
 * exist and carry an Approval check.
 *
 * REST API (Azure DevOps Services, api-version 7.1):
 * - Environments - List, `GET {collection}/{project}/_apis/distributedtask/environments?name=`
 *   (https://learn.microsoft.com/rest/api/azure/devops/environments/environments/list)
 * - Check Configurations - List, `GET {collection}/{project}/_apis/pipelines/checks/configurations
 *   ?resourceType=environment&resourceId=` (7.1-preview.1;
 *   https://learn.microsoft.com/rest/api/azure/devops/approvalsandchecks/check-configurations/list)
 * with the job's access token (`$(System.AccessToken)`) as a bearer token. The token sees only
 * what the project's build service identity may read: it needs the Reader role on the
 * Environments (README "Set-up in Azure DevOps"), else an existing Environment looks missing.
 */

/** The check type Azure DevOps gives approvals (`type.name` of a check configuration). */
export const APPROVAL_CHECK = { name: "Approval", id: "8c6f20a7-a545-4486-9777-f762fafe0d4d" } as const;

export interface EnvironmentCheckInput {
  /** `SYSTEM_COLLECTIONURI`, e.g. `https://dev.azure.com/altinn/`. */
  readonly collectionUri: string;
  /** `SYSTEM_TEAMPROJECT`. */
  readonly project: string;
  /** `SYSTEM_ACCESSTOKEN`. */
  readonly token: string;
  /** Environment names to check, e.g. `fleet-at22`. */
  readonly environments: readonly string[];
  readonly fetch?: typeof fetch;
}

export interface EnvironmentCheckResult {
  readonly environment: string;
  readonly ok: boolean;
  /** What is wrong and how to fix it (absent when ok). */
  readonly problem?: string;
}

interface Page<T> {
  readonly value?: readonly T[];
}

interface EnvironmentJson {
  readonly id: number;
  readonly name: string;
}

interface CheckConfigurationJson {
  readonly type?: { readonly id?: string; readonly name?: string };
}

function isApproval(c: CheckConfigurationJson): boolean {
  return (
    c.type?.name?.toLowerCase() === APPROVAL_CHECK.name.toLowerCase() ||
    c.type?.id?.toLowerCase() === APPROVAL_CHECK.id
  );
}

/** Checks each Environment; a failing request throws with the URL's path and the status. */
export async function checkEnvironments(input: EnvironmentCheckInput): Promise<EnvironmentCheckResult[]> {
  const doFetch = input.fetch ?? fetch;
  const base = `${input.collectionUri.replace(/\/+$/, "")}/${encodeURIComponent(input.project)}/_apis`;
  const get = async <T>(path: string): Promise<T> => {
    const url = `${base}/${path}`;
    const res = await doFetch(url, {
      headers: { Authorization: `Bearer ${input.token}`, Accept: "application/json" },
    });
    if (!res.ok) {
      const hint =
        res.status === 401 || res.status === 403 || res.status === 203
          ? ": the job's access token may not read it (map SYSTEM_ACCESSTOKEN: $(System.AccessToken); the build service needs the Reader role on Environments)"
          : "";
      throw new Error(`GET ${new URL(url).pathname} answered ${res.status} ${res.statusText}${hint}`);
    }
    return (await res.json()) as T;
  };
  const out: EnvironmentCheckResult[] = [];
  for (const name of input.environments) {
    const found = await get<Page<EnvironmentJson>>(
      `distributedtask/environments?name=${encodeURIComponent(name)}&api-version=7.1`,
    );
    const env = (found.value ?? []).find((e) => e.name.toLowerCase() === name.toLowerCase());
    if (env === undefined) {
      out.push({
        environment: name,
        ok: false,
        problem:
          `Environment ${name} does not exist (or the build service may not read it): a deployment job ` +
          `would create it without checks and its approval would pass at once. Fix: create it in Pipelines > ` +
          `Environments with an Approvals check and an Exclusive lock, and give the project's build service ` +
          `the Reader role on it`,
      });
      continue;
    }
    const checks = await get<Page<CheckConfigurationJson>>(
      `pipelines/checks/configurations?resourceType=environment&resourceId=${env.id}&api-version=7.1-preview.1`,
    );
    if (!(checks.value ?? []).some(isApproval)) {
      out.push({
        environment: name,
        ok: false,
        problem:
          `Environment ${name} has no Approval check: its apply stage would run without anyone approving. ` +
          `Fix: Pipelines > Environments > ${name} > Approvals and checks > Approvals`,
      });
      continue;
    }
    out.push({ environment: name, ok: true });
  }
  return out;
}
