import { DataAzurermDnsZone } from "@cdktf/provider-azurerm/lib/data-azurerm-dns-zone";
import { DnsARecord } from "@cdktf/provider-azurerm/lib/dns-a-record";
import { DnsCaaRecord } from "@cdktf/provider-azurerm/lib/dns-caa-record";
import { DnsNsRecord } from "@cdktf/provider-azurerm/lib/dns-ns-record";
import { DnsZone } from "@cdktf/provider-azurerm/lib/dns-zone";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { DnsZoneWithIngress, type DnsZoneWithIngressProps } from "../../constructs/dns";
import { StaticPublicIp } from "../../constructs/network";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function zoneProps(overrides: Partial<DnsZoneWithIngressProps> = {}): DnsZoneWithIngressProps {
  return {
    name: "ttd.apps.at22.altinn.cloud",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    ingressIpAddress: "20.100.1.2",
    tags: TAGS,
    ...overrides,
  };
}

function synthZone(props: DnsZoneWithIngressProps = zoneProps(), stack: TerraformStack = newStack()) {
  new DnsZoneWithIngress(stack, "dns", props);
  return synthStack(stack);
}

function failsWith(props: DnsZoneWithIngressProps, message: RegExp): void {
  expect(() => new DnsZoneWithIngress(newStack(), "dns", props)).toThrow(ConstructValidationError);
  expect(() => new DnsZoneWithIngress(newStack(), "dns", props)).toThrow(message);
}

const delegation = { parentZoneName: "apps.at22.altinn.cloud", parentResourceGroupName: "dns-rg" };

describe("DnsZoneWithIngress", () => {
  test("creates the zone with prevent_destroy and the submodule tag", () => {
    expect(synthZone().json).toHaveResourceWithProperties(DnsZone, {
      name: "ttd.apps.at22.altinn.cloud",
      lifecycle: { prevent_destroy: true },
      tags: { ...TAGS, submodule: "dns-zone" },
    });
  });

  test("points the apex and the wildcard at the ingress address with a 300 s TTL", () => {
    const records = Object.values(resourcesOf(synthZone(), DnsARecord.tfResourceType));
    expect(records.map((r) => r.name).sort()).toEqual(["*", "@"]);
    for (const record of records) {
      expect(record).toEqual(
        expect.objectContaining({
          records: ["20.100.1.2"],
          ttl: 300,
          zone_name: expect.stringMatching(/^\$\{azurerm_dns_zone\.dns_zone_[0-9A-F]+\.name\}$/),
        }),
      );
    }
  });

  test("points only the given names at the ingress when the apex belongs to another component", () => {
    const records = Object.entries(
      resourcesOf(
        synthZone(zoneProps({ ingressRecordNames: ["ingress", "*.ingress"] })),
        DnsARecord.tfResourceType,
      ),
    ).map(([key, r]) => [key.replace(/_[0-9A-F]{8}$/, ""), r.name, r.records]);
    expect(records.sort()).toEqual([
      ["dns_a-ingress", "ingress", ["20.100.1.2"]],
      ["dns_a-wildcard-ingress", "*.ingress", ["20.100.1.2"]],
    ]);
  });

  test("delegates child zones from itself, reading their name servers", () => {
    const out = synthZone(
      zoneProps({
        name: "altinn.studio",
        childZones: [{ name: "dev.altinn.studio", resourceGroupName: "altinnstudio-dev-rg" }],
      }),
    );
    const data = Object.values(out.parsed.data?.azurerm_dns_zone ?? {}) as Record<string, unknown>[];
    expect(data).toEqual([
      expect.objectContaining({ name: "dev.altinn.studio", resource_group_name: "altinnstudio-dev-rg" }),
    ]);
    expect(onlyResource(out, DnsNsRecord.tfResourceType)).toMatchObject({
      name: "dev",
      zone_name: expect.stringMatching(/^\$\{azurerm_dns_zone\.dns_zone_/),
      records: expect.stringMatching(
        /^\$\{tolist\(data\.azurerm_dns_zone\.dns_child-zone-dev_[^.]+\.name_servers\)\}$/,
      ),
    });
  });

  test("accepts the ingress address as a reference to a public IP", () => {
    const stack = newStack();
    const ip = new StaticPublicIp(stack, "ingress-ip", {
      name: "ttd-at22-ingress-pip4",
      resourceGroupName: "altinnapps-ttd-at22-rg",
      location: "norwayeast",
      tags: TAGS,
    });
    const synth = synthZone(zoneProps({ ingressIpAddress: ip.ipAddress }), stack);
    expect(synth.json).toHaveResourceWithProperties(DnsARecord, {
      records: [expect.stringMatching(/^\$\{azurerm_public_ip\.ingress-ip_[0-9A-F]+\.ip_address\}$/)],
    });
  });

  test("limits certificate issuance to Let's Encrypt by default", () => {
    expect(onlyResource(synthZone(), DnsCaaRecord.tfResourceType).record).toEqual([
      { flags: 0, tag: "issue", value: "letsencrypt.org" },
      { flags: 0, tag: "issuewild", value: "letsencrypt.org" },
    ]);
  });

  test("takes other issuers, an iodef address and a TTL", () => {
    const synth = synthZone(
      zoneProps({ caaIssuers: ["digicert.com"], caaIodef: "mailto:security@example.org", ttl: 60 }),
    );
    expect(onlyResource(synth, DnsCaaRecord.tfResourceType)).toEqual(
      expect.objectContaining({
        ttl: 60,
        record: [
          { flags: 0, tag: "issue", value: "digicert.com" },
          { flags: 0, tag: "issuewild", value: "digicert.com" },
          { flags: 0, tag: "iodef", value: "mailto:security@example.org" },
        ],
      }),
    );
  });

  test("creates no delegation unless asked", () => {
    const synth = synthZone();
    expect(resourcesOf(synth, DnsNsRecord.tfResourceType)).toEqual({});
    expect(synth.parsed.data).toBeUndefined();
  });

  test("delegates from the parent zone with the zone's name servers", () => {
    const synth = synthZone(zoneProps({ delegation }));
    expect(synth.json).toHaveDataSourceWithProperties(DataAzurermDnsZone, {
      name: "apps.at22.altinn.cloud",
      resource_group_name: "dns-rg",
    });
    expect(onlyResource(synth, DnsNsRecord.tfResourceType)).toEqual(
      expect.objectContaining({
        name: "ttd",
        resource_group_name: "dns-rg",
        ttl: 3600,
        zone_name: expect.stringMatching(/^\$\{data\.azurerm_dns_zone\.dns_parent-zone_[0-9A-F]+\.name\}$/),
        records: expect.stringMatching(
          /^\$\{tolist\(azurerm_dns_zone\.dns_zone_[0-9A-F]+\.name_servers\)\}$/,
        ),
      }),
    );
  });

  test("uses the given provider for the parent zone", () => {
    const stack = newStack();
    const parentProvider = new AzurermProvider(stack, "dns-subscription", {
      features: [{}],
      alias: "dns",
      subscriptionId: "11111111-1111-1111-1111-111111111111",
    });
    const synth = synthZone(zoneProps({ delegation: { ...delegation, provider: parentProvider } }), stack);
    expect(onlyResource(synth, DnsNsRecord.tfResourceType).provider).toBe("azurerm.dns");
  });

  describe("validation", () => {
    test("fails if the zone name is not a DNS name", () => {
      failsWith(zoneProps({ name: "ttd" }), /name: DNS zone names allow/);
      failsWith(zoneProps({ name: "TTD.apps.altinn.cloud" }), /lowercase/);
      failsWith(zoneProps({ name: `${"a".repeat(64)}.altinn.cloud` }), /DNS zone names allow/);
      failsWith(zoneProps({ name: `${"a.".repeat(127)}cloud` }), /1-253 characters/);
    });

    test("fails if the ingress address is not IPv4", () => {
      failsWith(zoneProps({ ingressIpAddress: "ingress.example.org" }), /not an IPv4 address/);
    });

    test("fails if the TTL is not a positive whole number", () => {
      failsWith(zoneProps({ ttl: 0 }), /ttl 0/);
      failsWith(zoneProps({ delegation: { ...delegation, ttl: 1.5 } }), /delegation\.ttl 1\.5/);
    });

    test("fails if the CAA settings are malformed", () => {
      failsWith(zoneProps({ caaIssuers: [] }), /caaIssuers is empty/);
      failsWith(zoneProps({ caaIssuers: ["Let's Encrypt"] }), /not a CA domain/);
      failsWith(zoneProps({ caaIodef: "security@example.org" }), /caaIodef/);
    });

    test("fails if the ingress record names are empty, repeated or not relative names", () => {
      failsWith(zoneProps({ ingressRecordNames: [] }), /ingressRecordNames is empty/);
      failsWith(zoneProps({ ingressRecordNames: ["@", "@"] }), /repeat a name/);
      failsWith(zoneProps({ ingressRecordNames: ["Ingress"] }), /"Ingress" is not a lowercase name/);
      failsWith(
        zoneProps({ ingressRecordNames: ["ingress.ttd.apps.at22.altinn.cloud."] }),
        /not a lowercase name/,
      );
    });

    test("fails if a child zone is not inside the zone", () => {
      failsWith(
        zoneProps({ childZones: [{ name: "dev.altinn.studio", resourceGroupName: "rg" }] }),
        /childZones: "dev.altinn.studio" is not inside zone "ttd.apps.at22.altinn.cloud"/,
      );
    });

    test("fails if the zone is not inside the delegation parent", () => {
      failsWith(
        zoneProps({ delegation: { ...delegation, parentZoneName: "apps.tt02.altinn.no" } }),
        /is not inside/,
      );
      failsWith(zoneProps({ name: "apps.at22.altinn.cloud", delegation }), /is not inside/);
    });
  });
});
