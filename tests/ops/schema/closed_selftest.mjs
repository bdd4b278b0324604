// closed.mjs can fail: the prod render (stdin) must pass it, and each
// mutation below, one way an overlay could open up again, must make it fail
// with the named message. Exit 1 otherwise.
//   kubectl kustomize deploy/k8s/overlays/prod | node closed_selftest.mjs <repo root>
import { parseAllDocuments } from "yaml";
import { checkClosed, demoDigests, documentedSecrets, docsAclTable } from "./closed.mjs";

const root = process.argv[2] || "../../..";
const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const render = parseAllDocuments(Buffer.concat(chunks).toString("utf8")).map((d) => d.toJS()).filter(Boolean);
const ctx = { digests: demoDigests(root), documented: documentedSecrets(root), docsTable: docsAclTable(root) };
const [someDigest] = ctx.digests;

const strip = (n) => n.replace(/-[a-z0-9]{10}$/, "");
const one = (objs, kind, name) => objs.find((o) => o.kind === kind && (o.metadata.name === name || strip(o.metadata.name) === name));
const container = (objs, svc) => one(objs, "Deployment", `leadflow-${svc}`).spec.template.spec.containers[0];
const env = (objs, svc, name) => container(objs, svc).env.find((e) => e.name === name);
const redisAcl = (objs) => objs.find((o) => o.kind === "ConfigMap" && o.data?.["users.acl"]);

// [what, mutate(objs), a substring of the failure it must cause]
const MUTATIONS = [
  ["a rule ConfigMap with a demo digest", (o) => o.push({ kind: "ConfigMap", metadata: { name: "extra" },
    data: { "sources.json": `{"api_key_sha256": "${someDigest}"}` } }), "demo key digest"],
  ["a Secret with a demo key", (o) => o.push({ kind: "Secret", metadata: { name: "keys" },
    data: { k: Buffer.from("demo-key-privacy").toString("base64") } }), "carries a demo API key"],
  ["intake.json in a ConfigMap", (o) => { redisAcl(o).data["intake.json"] = "{}"; }, "holds intake.json"],
  ["a plaintext listener", (o) => { one(o, "Kafka", "leadflow").spec.kafka.listeners.push(
    { name: "plain", port: 9092, type: "internal", tls: false }); }, "plaintext"],
  ["a listener without authentication", (o) => { delete one(o, "Kafka", "leadflow").spec.kafka.listeners[0].authentication; },
    "no authentication"],
  ["no simple authorization", (o) => { delete one(o, "Kafka", "leadflow").spec.kafka.authorization; }, "authorization is not simple"],
  ["a service without its KafkaUser", (o) => o.splice(o.indexOf(one(o, "KafkaUser", "leadflow-routing")), 1),
    "KafkaUser leadflow-routing: missing"],
  ["an ACL beyond the table", (o) => one(o, "KafkaUser", "leadflow-nurture").spec.authorization.acls.push(
    { resource: { type: "topic", name: "leads.scored", patternType: "literal" }, operations: ["Write"] }),
    "extra topic:leads.scored:literal:Write"],
  ["an ACL missing from the table", (o) => { const u = one(o, "KafkaUser", "leadflow-intake");
    u.spec.authorization.acls = u.spec.authorization.acls.filter((a) => a.resource.name !== "privacy.erasure"); },
    "missing topic:privacy.erasure:literal:Read"],
  ["a wildcard ACL", (o) => one(o, "KafkaUser", "leadflow-scoring").spec.authorization.acls.push(
    { resource: { type: "topic", name: "leads", patternType: "prefix" }, operations: ["All"] }), "extra topic:leads:prefix:All"],
  ["a KafkaUser outside the table", (o) => o.push({ kind: "KafkaUser", metadata: { name: "leadflow-admin" },
    spec: { authentication: { type: "scram-sha-512" } } }), "leadflow-admin: not in the ACL table"],
  ["the docs table drifting", (o, c) => { c.docsTable = structuredClone(c.docsTable);
    c.docsTable["leadflow-scoring"].write.push("leads.assigned"); }, "docs/security.md ACL table: leadflow-scoring write"],
  ["a service logging in as another", (o) => { const e = env(o, "nurture", "LEADFLOW_KAFKA_PROPERTIES");
    e.value = e.value.replace("sasl.username=leadflow-nurture", "sasl.username=leadflow-routing"); }, "Kafka user is leadflow-routing"],
  ["the Kafka password defined after its use", (o) => { const c = container(o, "intake");
    const i = c.env.findIndex((e) => e.name === "LEADFLOW_KAFKA_PASSWORD"); c.env.push(c.env.splice(i, 1)[0]); },
    "the Kafka password is not $(VAR) of an earlier env var"],
  ["the plaintext Kafka port", (o) => { for (const c of o.filter((x) => x.kind === "ConfigMap" && x.data?.LEADFLOW_KAFKA_BROKERS)) {
    c.data.LEADFLOW_KAFKA_BROKERS = "leadflow-kafka-bootstrap:9092"; } }, "is not an authenticated TLS listener"],
  ["KEDA without authentication", (o) => { delete one(o, "ScaledObject", "leadflow-routing").spec.triggers[0].authenticationRef; },
    "ScaledObject leadflow-routing: no TriggerAuthentication"],
  ["Redis without an ACL file", (o) => { const r = one(o, "StatefulSet", "leadflow-redis").spec.template.spec.containers[0];
    r.args = r.args.filter((a) => a !== "--aclfile" && a !== "/acl/users.acl"); }, "no --aclfile or --requirepass"],
  ["the default Redis user on", (o) => { const m = redisAcl(o);
    m.data["users.acl"] = m.data["users.acl"].replace("user default off", "user default on nopass ~* +@all"); },
    "the default user is not off"],
  ["a Redis user with every key", (o) => { const m = redisAcl(o);
    m.data["users.acl"] = m.data["users.acl"].replace("~lf:{routing}:*", "~*"); }, "leadflow-routing keys"],
  ["a Redis user without a password", (o) => { const m = redisAcl(o);
    m.data["users.acl"] = m.data["users.acl"].replace(/#\{\{leadflow-nurture\}\}/, "nopass"); }, "leadflow-nurture has no password"],
  ["a Redis URL without a password", (o) => { env(o, "scoring", "LEADFLOW_REDIS_URL").value = "redis://leadflow-redis:6379"; },
    "leadflow-scoring: LEADFLOW_REDIS_URL does not log in"],
  ["gRPC without TLS", (o) => { const c = container(o, "routing");
    c.env = c.env.filter((e) => e.name !== "LEADFLOW_TLS_CERT_FILE"); }, "leadflow-routing: LEADFLOW_TLS_CERT_FILE (unset)"],
  ["HTTPS without TLS", (o) => { const c = container(o, "intake");
    c.env = c.env.filter((e) => e.name !== "LEADFLOW_HTTP_TLS_KEY_FILE"); }, "leadflow-intake: LEADFLOW_HTTP_TLS_KEY_FILE (unset)"],
  ["gRPC without client certificates", (o) => { const c = container(o, "nurture");
    c.env = c.env.filter((e) => e.name !== "LEADFLOW_TLS_CLIENT_CA_FILE"); }, "leadflow-nurture: gRPC does not verify client"],
  ["HTTP client auth require", (o) => { container(o, "scoring").env.push(
    { name: "LEADFLOW_HTTP_TLS_CLIENT_AUTH", value: "require" }); }, "the kubelet's probes"],
  ["a plain-HTTP probe", (o) => { delete container(o, "intake").readinessProbe.httpGet.scheme; }, "readinessProbe is plain HTTP"],
  ["a plain-HTTP scrape", (o) => { delete o.find((x) => x.kind === "ServiceMonitor").spec.endpoints[0].scheme; },
    "without https and a CA"],
  ["routing's rules from the ConfigMap", (o) => { const d = one(o, "Deployment", "leadflow-routing");
    d.spec.template.spec.volumes[0] = { name: "rules", configMap: { name: "leadflow-rules" } };
    one(o, "ConfigMap", "leadflow-rules").data["routing_rules.json"] = "{}"; },
    "leadflow-routing: routing_rules.json (/etc/leadflow/routing_rules.json) is not read from a Secret"],
  ["callers.json from the repository", (o) => { env(o, "scoring", "LEADFLOW_CALLERS_FILE").value = "/etc/other/callers.json"; },
    "leadflow-scoring: LEADFLOW_CALLERS_FILE (/etc/other/callers.json) is not read from a Secret"],
  ["the contact-id key in the manifest", (o) => { const e = env(o, "intake", "LEADFLOW_CONTACT_ID_KEY");
    delete e.valueFrom; e.value = "x".repeat(40); }, "leadflow-intake: LEADFLOW_CONTACT_ID_KEY is not from a Secret"],
  ["an operator's Secret rendered from the repository", (o) => o.push({ kind: "Secret",
    metadata: { name: "leadflow-contact-id-key" }, data: { LEADFLOW_CONTACT_ID_KEY: "eA==" } }),
    "Secret/leadflow-contact-id-key: rendered from the repository"],
  ["a Secret nobody makes", (o) => { container(o, "routing").env.push({ name: "X",
    valueFrom: { secretKeyRef: { name: "leadflow-mystery", key: "k" } } }); }, "Secret leadflow-mystery is neither"],
  // The notifier (docs/notifier.md): least privilege on Kafka and Redis, and
  // its webhook Secret (envFrom) made by the operator.
  ["the notifier writing an event topic", (o) => one(o, "KafkaUser", "leadflow-notifier").spec.authorization.acls.push(
    { resource: { type: "topic", name: "leads.assigned", patternType: "literal" }, operations: ["Write"] }),
    "extra topic:leads.assigned:literal:Write"],
  ["a notifier Redis user with keys", (o) => { const m = redisAcl(o);
    m.data["users.acl"] = m.data["users.acl"].replace("#{{leadflow-notifier}} resetkeys", "#{{leadflow-notifier}} resetkeys ~lf:{routing}:*"); },
    "leadflow-notifier keys"],
  ["a notifier Redis user with every command", (o) => { const m = redisAcl(o);
    m.data["users.acl"] = m.data["users.acl"].replace(/(user leadflow-notifier .*)-@all \+ping/, "$1+@all"); },
    "leadflow-notifier is not confined"],
  ["the notifier's webhook Secret from nowhere", (o) => {
    container(o, "notifier").envFrom[0].secretRef.name = "leadflow-webhooks-elsewhere"; },
    "Secret leadflow-webhooks-elsewhere is neither"],
  ["the notifier on plaintext Kafka", (o) => { const e = env(o, "notifier", "LEADFLOW_KAFKA_PROPERTIES");
    e.value = e.value.replace("SASL_SSL", "SASL_PLAINTEXT"); }, "leadflow-notifier: LEADFLOW_KAFKA_PROPERTIES is not SASL_SSL"],
];

const failures = [];
const base = checkClosed(structuredClone(render), ctx);
if (base.length) failures.push(`the unmutated render fails: ${base.join("; ")}`);
for (const [what, mutate, want] of MUTATIONS) {
  const objs = structuredClone(render);
  const c = { ...ctx };
  mutate(objs, c);
  const bad = checkClosed(objs, c);
  if (!bad.some((b) => b.includes(want))) {
    failures.push(`${what}: no failure containing "${want}" (got: ${bad.join("; ") || "none"})`);
  }
}
if (failures.length) {
  console.error(`closed_selftest: ${failures.length} of ${MUTATIONS.length} mutations not caught:\n  ` + failures.join("\n  "));
  process.exit(1);
}
console.log(`closed_selftest: all ${MUTATIONS.length} mutations of prod fail closed.mjs`);
