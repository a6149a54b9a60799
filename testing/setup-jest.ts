import { Testing } from "cdktf";
import { removeFleetFixtures } from "./fleet-fixture";

// Registers cdktf's jest matchers (toHaveResourceWithProperties, toHaveProvider, ...).
Testing.setupJest();

// Fixture fleet directories live in the OS temp dir; remove them when each test file is done.
afterAll(() => removeFleetFixtures());
