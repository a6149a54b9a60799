import {
  appsNames,
  checkName,
  NAMING_RULES,
  type NamingRuleKey,
  orgNames,
  stackIds,
} from "../../constructs/naming";

describe("Altinn naming conventions", () => {
  test("Apps environment names follow Altinn's public names", () => {
    expect(appsNames("ttd", "tt02", "tt02.altinn.no", "norwayeast")).toEqual({
      resourceGroup: "altinnapps-ttd-tt02-rg",
      monitorResourceGroup: "monitor-ttd-tt02-rg",
      cluster: "ttd-tt02-aks",
      dnsPrefix: "ttd-tt02",
      nodeResourceGroup: "MC_altinnapps-ttd-tt02-rg_ttd-tt02-aks_norwayeast",
      virtualNetwork: "altinnapps-ttd-tt02-vnet",
      storageAccount: "ttdaltinntt02strg01",
      appsDataContainer: "ttd-tt02-appsdata-blob-db",
      keyVault: "ttd-tt02-keyvault",
      logAnalyticsWorkspace: "application-ttd-tt02-law",
      dataCollectionEndpoint: "ttd-tt02-dce",
      applicationInsights: "ttd-tt02-ai",
      ingressPublicIp: "ttd-tt02-ingress-pip4",
      dnsZone: "ttd.apps.tt02.altinn.no",
      runtimeOperatorIdentity: "ttd-tt02-runtime-operator-id",
      runtimeGatewayIdentity: "ttd-tt02-runtime-gateway-id",
      operatorsResourceGroup: "altinnapps-ttd-tt02-operators-rg",
      serviceOperatorIdentity: "ttd-tt02-aso-id",
      operatorsRole: "altinnapps-ttd-tt02-operators",
      configSyncServer: "altinn-ttd-tt02-opsync-psql",
    });
  });

  test("an org's registry is shared by all its environments", () => {
    expect(orgNames("brg")).toEqual({
      resourceGroup: "altinnapps-brg-acr-rg",
      registry: "brgaltinnregistry01",
    });
  });

  test("stack ids", () => {
    expect(stackIds.org("brg")).toBe("org-brg");
    expect(stackIds.apps("brg", "prod")).toBe("apps-brg-prod");
    expect(stackIds.appsK8s("brg", "prod")).toBe("apps-brg-prod-k8s");
  });
});

describe("Azure naming rules", () => {
  const cases: [NamingRuleKey, string[], string[]][] = [
    ["storageAccount", ["ttdaltinntt02strg01", "abc"], ["ab", "TTDaltinn", "ttd-altinn", "a".repeat(25)]],
    [
      "blobContainer",
      ["ttd-tt02-appsdata-blob-db", "abc"],
      ["ab", "-abc", "abc-", "a--b", "Abc", "a".repeat(64)],
    ],
    ["keyVault", ["ttd-tt02-keyvault", "kv1"], ["1kv", "kv-", "k--v", "kv", "a".repeat(25), "kv_1"]],
    ["containerRegistry", ["ttdaltinnregistry01", "abcde"], ["abcd", "ttd-registry", "a".repeat(51)]],
    ["aksCluster", ["ttd-tt02-aks", "a"], ["-a", "a-", "a.b", "a".repeat(64)]],
    ["aksDnsPrefix", ["ttd-tt02", "1abc"], ["-a", "a-", "a.b", "a_b", "a".repeat(55)]],
    ["aksNodePool", ["syspool", "workpool2"], ["SysPool", "1pool", "work-pool", "abcdefghijklm"]],
    ["aksNodeResourceGroup", ["MC_rg_aks_norwayeast"], ["M".repeat(81), "MC_rg."]],
    ["resourceGroup", ["altinnapps-ttd-tt02-rg", "rg(1)"], ["rg.", "", "a".repeat(91)]],
    ["virtualNetwork", ["altinnapps-ttd-tt02-vnet", "v_"], ["a", "-vnet", "vnet-", "a".repeat(65)]],
    ["logAnalyticsWorkspace", ["application-ttd-tt02-law"], ["law", "-law1", "law1-", "a".repeat(64)]],
    ["dataCollectionEndpoint", ["ttd-tt02-dce", "dce"], ["ab", "-dce", "dce-", "d_ce", "a".repeat(45)]],
    ["userAssignedIdentity", ["ttd-tt02-runtime-operator-id"], ["id", "-abc", "a".repeat(129)]],
    ["publicIp", ["ttd-tt02-ingress-pip4"], ["-pip", "pip-", "a".repeat(81)]],
    ["dnsZone", ["ttd.apps.tt02.altinn.no"], ["altinn", "a..b", "-a.b", "A.b"]],
    ["postgresqlServer", ["platform-tt02-psql"], ["ab", "-abc", "abc-", "Abc"]],
    ["cosmosDbAccount", ["platform-tt02-cosmos"], ["ab", "-abc", "Abc", "a".repeat(45)]],
    ["apiManagement", ["platform-tt02-apim"], ["1apim", "apim-", "a".repeat(51)]],
    ["applicationInsights", ["ttd-tt02-ai"], ["ai.", "a/b", ""]],
  ];

  test.each(cases)("%s accepts valid names and rejects invalid ones", (rule, valid, invalid) => {
    for (const name of valid) expect([name, checkName(NAMING_RULES[rule], name)]).toEqual([name, undefined]);
    for (const name of invalid)
      expect([name, checkName(NAMING_RULES[rule], name)]).not.toEqual([name, undefined]);
  });

  test("messages name the resource type and the offending value", () => {
    expect(checkName(NAMING_RULES.storageAccount, "ttd-altinn")).toMatch(
      /storage account names allow .*"ttd-altinn"/,
    );
    expect(checkName(NAMING_RULES.keyVault, "k--v")).toMatch(/consecutive hyphens/);
    expect(checkName(NAMING_RULES.storageAccount, "a".repeat(25))).toMatch(/3-24 characters/);
  });

  test("every rule is covered by a test case", () => {
    expect(cases.map((c) => c[0]).sort()).toEqual(Object.keys(NAMING_RULES).sort());
  });
});
