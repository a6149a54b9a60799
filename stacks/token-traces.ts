/**
 * cdktf records a full stack trace for every token it creates (every reference between
 * resources), only to print it if that token later fails to resolve. With thousands of
 * resources that is most of the time spent building the fleet (hashicorp/terraform-cdk#3892):
 * 320 stacks build in about 0.8 s without it instead of 3.3 s. The recording is switched off
 * for the app; set FLEET_TOKEN_STACK_TRACES=1 to keep it while debugging a token error.
 */
// The module object itself (not an import namespace copy), so the replacement is seen by cdktf.
import stackTrace = require("cdktf/lib/tokens/private/stack-trace");

export function disableTokenStackTraces(env: NodeJS.ProcessEnv = process.env): void {
  if (env.FLEET_TOKEN_STACK_TRACES === "1") return;
  // cdktf looks the function up on its module at every call, so replacing it here is enough.
  (stackTrace as { captureStackTrace: (below?: unknown) => string[] }).captureStackTrace = () => [];
}
