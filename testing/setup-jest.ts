import { Testing } from "cdktf";

// Registers cdktf's jest matchers (toHaveResourceWithProperties, toHaveProvider, ...).
Testing.setupJest();
