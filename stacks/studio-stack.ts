/**
 * `studio-<env>`: one Altinn Studio environment (dev, staging, prod) on its cluster
 * `studio-<env>-aks`, with the PostgreSQL, storage and Key Vault that Designer and the
 * repositories need: all of it the shared environment's (stacks/shared-environment-stack.ts).
 */
import type { Construct } from "constructs";
import type { Fleet, StudioEnvironment } from "../fleet/model";
import type { BackendKind } from "./fleet-stack";
import { SharedEnvironmentStack } from "./shared-environment-stack";

export interface StudioStackProps {
  readonly fleet: Fleet;
  readonly studio: StudioEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class StudioStack extends SharedEnvironmentStack {
  constructor(scope: Construct, props: StudioStackProps) {
    super(scope, {
      fleet: props.fleet,
      product: "studio",
      shared: props.studio,
      stackId: props.stackId,
      backend: props.backend,
      containers: ["repositories", "designer"],
    });
  }
}
