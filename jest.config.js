/**
 * Jest runs TypeScript through SWC (transpile only, fast); type checking is `tsc --noEmit`
 * in `npm run check`, which `npm test` runs first. See README "Toolchain".
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
    ],
  },
  setupFilesAfterEnv: ["<rootDir>/testing/setup-jest.ts"],
  // One synthesis of the committed fleet, shared by the test files that read the full output.
  globalSetup: "<rootDir>/testing/global-setup.ts",
  globalTeardown: "<rootDir>/testing/global-teardown.ts",
  reporters: ["default", "<rootDir>/testing/summary-reporter.js"],
  testTimeout: 120000,
};
