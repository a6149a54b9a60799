/**
 * The supporting services a bundle can switch on, in the order it installs them. Its own module
 * so the fleet's settings schema can name them without loading the services' constructs.
 */
export const SERVICE_NAMES = [
  "nginx",
  "certManager",
  "postgresql",
  "redis",
  "prometheus",
  "loki",
  "grafana",
  "keto",
  "kratos",
  "hydra",
  "oathkeeper",
  "argocd",
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];
