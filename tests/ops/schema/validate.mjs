// Validates Kubernetes manifests (multi-document YAML on stdin, e.g. the output
// of `kubectl kustomize`) against the OpenAPI schemas shipped in the
// kubernetes-models packages: core/apps/policy/networking, plus the CRDs of
// KEDA, the Prometheus Operator, Strimzi and cert-manager. A kind without a
// schema is an error, so nothing passes unvalidated. Exit 1 on any failure.
//   kubectl kustomize deploy/k8s/overlays/prod | node validate.mjs [label]
import { parseAllDocuments } from "yaml";

const GROUPS = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  "kafka.strimzi.io/v1beta2": "@kubernetes-models/strimzi-kafka-operator/kafka.strimzi.io/v1beta2",
  "cert-manager.io/v1": "@kubernetes-models/cert-manager/cert-manager.io/v1",
};

const label = process.argv[2] || "stdin";
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const docs = parseAllDocuments(Buffer.concat(chunks).toString("utf8"));
const failures = [];
const counts = {};
for (const d of docs) {
  if (d.errors.length) { failures.push(`YAML: ${d.errors[0].message}`); continue; }
  const obj = d.toJS();
  if (obj == null) continue;
  const id = `${obj.kind}/${obj.metadata?.name} (${obj.apiVersion})`;
  const mod = GROUPS[obj.apiVersion];
  if (!mod) { failures.push(`${id}: no schema for apiVersion ${obj.apiVersion}`); continue; }
  const models = await import(mod);
  const Model = models[obj.kind];
  if (!Model) { failures.push(`${id}: no schema for kind ${obj.kind}`); continue; }
  try {
    new Model(obj).validate();
    counts[obj.kind] = (counts[obj.kind] || 0) + 1;
  } catch (e) {
    failures.push(`${id}: ${e.message}`);
  }
}
const total = Object.values(counts).reduce((a, b) => a + b, 0);
if (failures.length) {
  console.error(`${label}: ${failures.length} invalid:\n  ` + failures.join("\n  "));
  process.exit(1);
}
console.log(`${label}: ${total} objects valid (` +
  Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ") + ")");
