import { UNKNOWN } from "../attributes";
import { fail, PASS, UNKNOWN_VERDICT } from "../checks";
import type { RulePack } from "../rule";

const CAA = "azurerm_dns_caa_record";

export const DNS_PACK: RulePack = {
  name: "dns",
  description: "Public DNS (RFC 8659 CAA); zones themselves are guarded by SAFE-001",
  rules: [
    {
      id: "AZ-DNS-001",
      title: "CAA records name the certificate authorities allowed to issue",
      pack: "dns",
      resourceTypes: [CAA],
      severity: "medium",
      environments: "all",
      sources: [
        {
          name: "RFC 8659: DNS Certification Authority Authorization (CAA)",
          url: "https://www.rfc-editor.org/rfc/rfc8659",
        },
      ],
      why: "Without an issue property any public CA may issue certificates for the zone, widening mis-issuance risk.",
      fix: 'Give the record at least one { tag = "issue", value = "<ca domain>" } (DnsZoneWithIngress: caaIssuers).',
      check: (r) => {
        const records = r.blocks("record");
        if (records === UNKNOWN) return UNKNOWN_VERDICT;
        const issue = records.filter((rec) => {
          const tag = rec.str("tag");
          return tag === "issue" || tag === UNKNOWN;
        });
        if (issue.some((rec) => rec.str("tag") === UNKNOWN || rec.str("value") === UNKNOWN))
          return UNKNOWN_VERDICT;
        const named = issue.filter((rec) => {
          const value = rec.str("value");
          // ";" forbids issuance altogether, which restricts issuance too.
          return typeof value === "string" && value.trim() !== "";
        });
        return named.length > 0 ? PASS : fail("no issue property names a CA");
      },
    },
  ],
};
