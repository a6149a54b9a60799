/**
 * Issue 14, "A missing Environment is created without checks": `pipeline check-environments`
 * asks the Azure DevOps REST API (Environments - List, Check Configurations - List) whether each
 * scope's Environment `fleet-<scope>` exists with an Approval check, against a local fake of the
 * two endpoints, and exits 1 naming each Environment to fix.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { main as pipelineMain } from "../../cli/pipeline/command";
import { APPROVAL_CHECK } from "../../cli/pipeline/environment-check";
import { captureIO } from "../cli/fixtures";

const TOKEN = "job-access-token";

interface FakeEnvironment {
  readonly id: number;
  readonly name: string;
  readonly checks: readonly { id: string; name: string }[];
}

const LOCK = { id: "2ef31ad6-baa0-403a-8b45-2cbc9b4e5563", name: "ExclusiveLock" };
const APPROVAL = { id: APPROVAL_CHECK.id.toUpperCase(), name: "Approval" };

describe("pipeline check-environments against a fake Azure DevOps", () => {
  let server: Server;
  let base: string;
  let environments: FakeEnvironment[] = [];
  const requests: { path: string; query: string; auth?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      requests.push({
        path: url.pathname,
        query: url.search,
        ...(req.headers.authorization ? { auth: req.headers.authorization } : {}),
      });
      res.setHeader("content-type", "application/json");
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        res.statusCode = 401;
        res.end("{}");
        return;
      }
      if (url.pathname === "/altinn/Fleet%20Infra/_apis/distributedtask/environments") {
        const name = url.searchParams.get("name");
        const value = environments
          .filter((e) => name === null || e.name === name)
          .map(({ id, name }) => ({ id, name }));
        res.end(JSON.stringify({ count: value.length, value }));
        return;
      }
      if (url.pathname === "/altinn/Fleet%20Infra/_apis/pipelines/checks/configurations") {
        const env = environments.find((e) => String(e.id) === url.searchParams.get("resourceId"));
        const value = (env?.checks ?? []).map((type, i) => ({
          id: i + 1,
          type,
          resource: { type: "environment", id: String(env!.id) },
        }));
        res.end(JSON.stringify({ count: value.length, value }));
        return;
      }
      res.statusCode = 404;
      res.end("{}");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/altinn/`;
  });

  afterAll(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  const run = async (scopes: string, env: NodeJS.ProcessEnv = {}) => {
    const io = captureIO(process.cwd(), undefined, {
      SYSTEM_COLLECTIONURI: base,
      SYSTEM_TEAMPROJECT: "Fleet Infra",
      SYSTEM_ACCESSTOKEN: TOKEN,
      ...env,
    });
    const code = await pipelineMain(["check-environments", "--scopes", scopes, "--ado"], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  test("every Environment exists with an Approval check: exit 0, the job token as bearer token", async () => {
    environments = [
      { id: 7, name: "fleet-at22", checks: [LOCK, APPROVAL] },
      { id: 8, name: "fleet-prod", checks: [APPROVAL] },
    ];
    requests.length = 0;
    const r = await run("at22,prod");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("[check-environments] fleet-at22: exists, with an Approval check");
    expect(r.stdout).toContain("check-environments: 2 Environment(s), 0 to fix → exit 0");
    expect(requests.every((q) => q.auth === `Bearer ${TOKEN}`)).toBe(true);
    expect(requests.map((q) => `${q.path.split("/_apis/")[1]}${q.query}`)).toEqual([
      "distributedtask/environments?name=fleet-at22&api-version=7.1",
      "pipelines/checks/configurations?resourceType=environment&resourceId=7&api-version=7.1-preview.1",
      "distributedtask/environments?name=fleet-prod&api-version=7.1",
      "pipelines/checks/configurations?resourceType=environment&resourceId=8&api-version=7.1-preview.1",
    ]);
  });

  test("a missing Environment and one without an Approval check: exit 1, one error each with the fix", async () => {
    environments = [
      { id: 7, name: "fleet-at22", checks: [LOCK] },
      { id: 8, name: "fleet-prod", checks: [APPROVAL] },
    ];
    const r = await run("at22,at23,prod");
    expect(r.code).toBe(1);
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatch(/^error: Environment fleet-at22 has no Approval check: .* Fix: .*Approvals/);
    expect(errors[1]).toMatch(
      /^error: Environment fleet-at23 does not exist .*would create it without checks.* Fix: create it .*Approvals check/,
    );
    expect(r.stdout.match(/^##vso\[task\.logissue type=error\]/gm)).toHaveLength(2);
    expect(r.stdout).toContain("check-environments: 3 Environment(s), 2 to fix → exit 1");
  });

  test("a token the API refuses is an error naming the permission, not a missing Environment", async () => {
    const r = await run("at22", { SYSTEM_ACCESSTOKEN: "wrong" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: GET \/altinn\/Fleet%20Infra\/_apis\/distributedtask\/environments answered 401 .*Reader role/m,
    );
  });

  test("without the pipeline's variables it says which are missing", async () => {
    const io = captureIO(process.cwd(), undefined, {});
    expect(await pipelineMain(["check-environments", "--scopes", "at22"], io)).toBe(1);
    expect(io.stderr()).toMatch(
      /^error: SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT, SYSTEM_ACCESSTOKEN not set: .*\$\(System\.AccessToken\)/m,
    );
  });
});
