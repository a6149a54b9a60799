import { runMain } from "../cli/shared/command";
import { runDocs } from "../docs-gen/cli";

runMain(runDocs);
