/**
 * Pod Security Admission labels of a namespace, once for Traefik, the supporting services and the
 * operators' namespaces. The API server enforces one level and reports (audit log, `kubectl`
 * warnings) against another (https://kubernetes.io/docs/concepts/security/pod-security-admission/).
 */

/** Pod Security Standard of a namespace. */
export type PodSecurityLevel = "restricted" | "baseline" | "privileged";

/** Pod Security Admission levels of a namespace: enforced, and reported (audit and warn). */
export interface NamespacePodSecurity {
  /** Level the API server enforces. */
  readonly enforce: PodSecurityLevel;
  /**
   * Level reported in audit logs and `kubectl` warnings, usually stricter than `enforce`.
   * @default - the enforced level
   */
  readonly report?: PodSecurityLevel;
}

/** The label keys Pod Security Admission reads (the policy pack checks the enforce label). */
export const POD_SECURITY_LABELS = {
  enforce: "pod-security.kubernetes.io/enforce",
  audit: "pod-security.kubernetes.io/audit",
  warn: "pod-security.kubernetes.io/warn",
} as const;

/** Namespace labels for Pod Security Admission. */
export function podSecurityNamespaceLabels(security: NamespacePodSecurity): Record<string, string> {
  const report = security.report ?? security.enforce;
  return {
    [POD_SECURITY_LABELS.enforce]: security.enforce,
    [POD_SECURITY_LABELS.audit]: report,
    [POD_SECURITY_LABELS.warn]: report,
  };
}
