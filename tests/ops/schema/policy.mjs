// leadflow's own rules for the rendered manifests (stdin), beyond the schemas:
// every service has its Deployment, Service, ServiceAccount, PodDisruptionBudget
// and ScaledObject (the notifier: a fixed replica count and no ScaledObject); containers run non-root on a read-only root filesystem with
// gRPC health probes and resource requests and limits; readiness and metrics
// on the admin port only (LEADFLOW_ADMIN_PORT, apart from intake's public
// POST /v1/leads port; docs/operating.md "Ports"); Kafka topics keep the
// replication the overlay promises; accounts.changes is compacted; Redis has a
// maxmemory below its limit with noeviction, persistence and its exporter.
//   kubectl kustomize deploy/k8s/overlays/prod | node policy.mjs prod 3 2
import { parseAllDocuments } from "yaml";

const [label = "stdin", wantReplicas = "3", wantIsr = "2"] = process.argv.slice(2);
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const objs = parseAllDocuments(Buffer.concat(chunks).toString("utf8")).map((d) => d.toJS()).filter(Boolean);
const by = (kind) => objs.filter((o) => o.kind === kind);
const find = (kind, name) => by(kind).find((o) => o.metadata.name === name || o.metadata.name.startsWith(name + "-"));
const bad = [];
const check = (ok, what) => { if (!ok) bad.push(what); };

// The business-rule files without credentials are in the rules ConfigMap the
// services mount (config/kustomization.yaml; prod replaces intake.json and
// routing_rules.json, which hold API key hashes, by the operator's Secrets):
// a service without its file exits at start.
const rules = find("ConfigMap", "leadflow-rules");
check(rules, "ConfigMap leadflow-rules missing");
for (const file of ["scoring_model.json", "nurture.json", "notifier.json"]) {
  check(rules?.data?.[file] !== undefined, `ConfigMap leadflow-rules: no ${file}`);
}

for (const svc of ["intake", "scoring", "routing", "nurture", "notifier"]) {
  const name = `leadflow-${svc}`;
  // The notifier is not scaled on lag (deploy/k8s/base/notifier.yaml).
  const scaled = svc !== "notifier";
  const dep = find("Deployment", name);
  check(dep, `${name}: Deployment missing`);
  if (!dep) continue;
  if (scaled) check(dep.spec.replicas === undefined, `${name}: Deployment sets replicas (KEDA owns them)`);
  else check(dep.spec.replicas >= 1, `${name}: Deployment sets no replicas (no ScaledObject owns them)`);
  const pod = dep.spec.template.spec;
  check(pod.securityContext?.runAsNonRoot === true, `${name}: pod not runAsNonRoot`);
  check(pod.serviceAccountName === name, `${name}: serviceAccountName`);
  for (const c of pod.containers) {
    check(c.securityContext?.readOnlyRootFilesystem === true, `${name}/${c.name}: root filesystem writable`);
    check(c.securityContext?.allowPrivilegeEscalation === false, `${name}/${c.name}: privilege escalation`);
    // On the admin port: a saturated gRPC server (its thread and stream caps)
    // must not fail liveness and restart a busy pod.
    check(c.livenessProbe?.httpGet?.path === "/healthz" && c.livenessProbe?.httpGet?.port === "admin",
          `${name}/${c.name}: liveness is not /healthz on the admin port`);
    check(c.startupProbe?.httpGet?.path === "/healthz" && c.startupProbe?.httpGet?.port === "admin",
          `${name}/${c.name}: startup is not /healthz on the admin port`);
    check(c.readinessProbe, `${name}/${c.name}: no readiness probe`);
    const ports = Object.fromEntries((c.ports || []).map((p) => [p.name, p.containerPort]));
    const env = Object.fromEntries((c.env || []).filter((e) => "value" in e).map((e) => [e.name, e.value]));
    check(ports.admin && String(ports.admin) === env.LEADFLOW_ADMIN_PORT,
      `${name}/${c.name}: no container port "admin" equal to LEADFLOW_ADMIN_PORT`);
    check(c.readinessProbe?.httpGet?.path === "/readyz" && c.readinessProbe?.httpGet?.port === "admin",
      `${name}/${c.name}: readiness is not GET /readyz on the admin port`);
    // Only intake serves public HTTP (POST /v1/leads); the others open no such port.
    check((svc === "intake") === (ports.http !== undefined),
      `${name}/${c.name}: ${svc === "intake" ? "no" : "a"} public http port`);
    check(ports.http === undefined || (String(ports.http) === env.LEADFLOW_HTTP_PORT && ports.http !== ports.admin),
      `${name}/${c.name}: http port does not match LEADFLOW_HTTP_PORT or is the admin port`);
    check(dep.spec.template.metadata.annotations?.["prometheus.io/port"] === String(ports.admin),
      `${name}: prometheus.io/port is not the admin port`);
    check(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${name}/${c.name}: requests`);
    check(c.resources?.limits?.cpu && c.resources?.limits?.memory, `${name}/${c.name}: limits`);
    check(!c.image.endsWith(":latest"), `${name}/${c.name}: image tag latest`);
  }
  const service = find("Service", name);
  check(service, `${name}: Service missing`);
  check(service && service.spec.ports.some((p) => p.name === "admin" && p.targetPort === "admin"),
    `${name}: Service has no admin port (the ServiceMonitor scrapes it)`);
  check(find("ServiceAccount", name), `${name}: ServiceAccount missing`);
  check(by("PodDisruptionBudget").some((p) => p.spec.selector.matchLabels["app.kubernetes.io/name"] === name),
    `${name}: PodDisruptionBudget missing`);
  const so = find("ScaledObject", name);
  if (!scaled) {
    check(!so, `${name}: a ScaledObject, but the Deployment's replicas are fixed`);
    continue;
  }
  check(so && so.spec.scaleTargetRef.name === name, `${name}: ScaledObject missing`);
  check(so && so.spec.triggers.some((t) => t.type === "kafka" && t.metadata.consumerGroup === `${name}-main`),
    `${name}: ScaledObject does not scale on the lag of ${name}-main`);
  check(so && so.spec.maxReplicaCount <= 6, `${name}: maxReplicaCount above the partition count`);
}
const topics = by("KafkaTopic");
check(topics.length >= 13, `only ${topics.length} KafkaTopics`);
for (const t of topics) {
  check(String(t.spec.replicas) === wantReplicas, `topic ${t.metadata.name}: replicas ${t.spec.replicas}, want ${wantReplicas}`);
  check(String(t.spec.config["min.insync.replicas"]) === wantIsr,
    `topic ${t.metadata.name}: min.insync.replicas ${t.spec.config["min.insync.replicas"]}, want ${wantIsr}`);
  check(t.spec.partitions >= 1, `topic ${t.metadata.name}: partitions`);
}
const changes = topics.find((t) => (t.spec.topicName || t.metadata.name) === "accounts.changes");
check(changes && changes.spec.config["cleanup.policy"] === "compact", "accounts.changes is not compacted");
check(by("Kafka").length === 1 && by("KafkaNodePool").length >= 1, "Strimzi Kafka cluster missing");
check(by("NetworkPolicy").length >= 1, "no NetworkPolicy");
check(by("ServiceMonitor").length === 1 && by("PrometheusRule").length === 1, "monitoring missing");
for (const sm of by("ServiceMonitor")) {
  check(sm.spec.endpoints.every((e) => e.port === "admin" && e.path === "/metrics"),
    `ServiceMonitor ${sm.metadata.name}: scrapes something other than /metrics on the admin port`);
}
// The admin port (probes, metrics) is opened to the monitoring namespaces only.
for (const np of by("NetworkPolicy")) {
  for (const rule of np.spec.ingress || []) {
    if (!(rule.ports || []).some((p) => p.port === 8081 || p.port === "admin")) continue;
    check((rule.from || []).length > 0 &&
      rule.from.every((f) => f.namespaceSelector?.matchLabels?.["leadflow.io/monitoring"] === "true"),
      `NetworkPolicy ${np.metadata.name}: opens the admin port 8081 beyond the monitoring namespaces`);
  }
}
check(by("ConfigMap").filter((c) => c.metadata.labels?.grafana_dashboard === "1").length === 5,
  "the five Grafana dashboard ConfigMaps are missing");
// The base's credentials Secret, wherever a Deployment still reads it (prod
// reads its own; closed.mjs checks every Secret prod references).
check(!by("Deployment").some((d) => JSON.stringify(d).includes('"leadflow-credentials')) ||
  by("Secret").some((s) => s.metadata.name.startsWith("leadflow-credentials")), "credentials Secret missing");
check(find("StatefulSet", "leadflow-redis") || process.env.LEADFLOW_EXTERNAL_REDIS, "Redis missing");

// Redis: a memory ceiling below the container's limit that refuses writes
// instead of evicting keys (docs/state.md), the append-only file, and the
// exporter the Redis memory alerts read.
const bytes = (v, units) => {
  const m = /^([0-9.]+)\s*([A-Za-z]*)$/.exec(String(v ?? ""));
  return m && m[2].toLowerCase() in units ? Number(m[1]) * units[m[2].toLowerCase()] : NaN;
};
const redisUnits = { "": 1, k: 1e3, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };
const k8sUnits = { "": 1, k: 1e3, ki: 1024, m: 1e6, mi: 1024 ** 2, g: 1e9, gi: 1024 ** 3 };
const redis = find("StatefulSet", "leadflow-redis");
if (redis) {
  const pod = redis.spec.template.spec;
  const server = pod.containers.find((c) => c.name === "redis");
  const args = (server?.args ?? []).map(String);
  const arg = (flag) => (args.indexOf(flag) >= 0 ? args[args.indexOf(flag) + 1] : undefined);
  const maxmemory = bytes(arg("--maxmemory"), redisUnits);
  const limit = bytes(server?.resources?.limits?.memory, k8sUnits);
  check(maxmemory > 0, "leadflow-redis: no --maxmemory");
  check(maxmemory <= 0.75 * limit,
    `leadflow-redis: --maxmemory ${arg("--maxmemory")} leaves under 25% of the ${server?.resources?.limits?.memory} limit as headroom`);
  check(arg("--maxmemory-policy") === "noeviction", "leadflow-redis: maxmemory-policy is not noeviction");
  check(arg("--appendonly") === "yes", "leadflow-redis: append-only file off");
  check(pod.containers.some((c) => String(c.image).includes("redis_exporter")),
    "leadflow-redis: no redis_exporter (the Redis memory alerts read it)");
  for (const c of pod.containers) {
    check(c.securityContext?.readOnlyRootFilesystem === true, `leadflow-redis/${c.name}: root filesystem writable`);
    check(c.securityContext?.allowPrivilegeEscalation === false, `leadflow-redis/${c.name}: privilege escalation`);
    check(c.resources?.limits?.cpu && c.resources?.limits?.memory, `leadflow-redis/${c.name}: limits`);
    check(!String(c.image).endsWith(":latest"), `leadflow-redis/${c.name}: image tag latest`);
  }
}

if (bad.length) {
  console.error(`${label}: ${bad.length} policy failures:\n  ` + bad.join("\n  "));
  process.exit(1);
}
console.log(`${label}: policy OK (${objs.length} objects)`);
