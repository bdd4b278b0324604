// "Closed by default" (issue 16): the checks a production render must pass
// beyond policy.mjs. Exits 1, listing every failure, when the render
//   - carries a demo API key or its digest (any api_key_sha256 of the
//     repository's config/*.json, in any object, Secret data decoded), or
//     mounts a credential-bearing rule file (intake.json, routing_rules.json,
//     callers.json) from anything but a Secret;
//   - has a Kafka listener without TLS or without authentication, no
//     `authorization: simple`, a service without its KafkaUser, a KafkaUser
//     whose ACLs differ from KAFKA_ACLS (docs/security.md, "Least-privilege
//     topic ACLs"; the table there is checked against KAFKA_ACLS too), or a
//     service or scaler that does not log in as its own user over TLS;
//   - has a Redis without an ACL file, a default user that is not off, a
//     service user whose key patterns differ from REDIS_KEYS, or a service
//     that does not log in as its own user with a password from a Secret;
//   - has a service without gRPC and HTTPS TLS from a cert-manager
//     Certificate, HTTP client auth `require` (the kubelet presents no
//     certificate), a probe or a scrape over plain HTTP;
//   - references a Secret nobody makes: not rendered, not a Certificate's,
//     not Strimzi's, and not created by a `kubectl create secret` command in
//     docs/operating.md; or renders one of the operator's, or takes
//     intake's contact-id key from anything but a Secret.
//   kubectl kustomize deploy/k8s/overlays/prod | node closed.mjs prod <repo root>
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

export const SERVICES = ["intake", "scoring", "routing", "nurture", "notifier"];
// The services KEDA scales on their main group's lag; the notifier runs a
// fixed replica count (deploy/k8s/base/notifier.yaml).
export const SCALED_SERVICES = SERVICES.filter((s) => s !== "notifier");

// docs/security.md, "Least-privilege topic ACLs": what each Kafka principal
// reads and writes. Every service also gets Read on its consumer groups
// (prefix `leadflow-<service>-`) and IdempotentWrite on the cluster; the
// autoscaler only describes the services' input topics and main groups.
export const KAFKA_ACLS = {
  "leadflow-intake": {
    read: ["leads.submitted", "accounts.changes", "accounts.contacts", "privacy.erasure"],
    write: ["leads.accepted", "accounts.contacts", "leads.rejected", "engagement.events", "privacy.erasure"],
  },
  "leadflow-scoring": {
    read: ["leads.accepted", "engagement.events", "privacy.erasure"],
    write: ["leads.scored", "leads.rejected"],
  },
  "leadflow-routing": {
    read: ["leads.scored", "sales.feedback", "engagement.events", "privacy.erasure", "leads.assigned",
      "leads.nurture", "accounts.inbound", "leads.rejected", "reps.availability", "deals.stalls",
      "leads.cohorts", "reps.out-of-office"],
    // every team's own feedback topic, sales.feedback.<team>
    readPrefix: ["sales.feedback."],
    write: ["leads.assigned", "leads.nurture", "accounts.inbound", "sales.feedback", "leads.rejected",
      "reps.availability", "leads.discarded", "deals.stages", "deals.stalls", "leads.cohorts",
      "sla.escalations", "reps.out-of-office"],
  },
  "leadflow-nurture": {
    read: ["accounts.changes", "leads.nurture", "accounts.inbound", "leads.assigned", "engagement.events",
      "sales.feedback", "privacy.erasure", "nurture.touches"],
    write: ["nurture.touches", "accounts.notifications", "leads.rejected"],
  },
  "leadflow-notifier": {
    read: ["leads.assigned", "deals.stalls", "sla.escalations", "accounts.notifications"],
    write: ["notifications.dead", "leads.rejected"],
  },
  "leadflow-keda": {
    describe: ["leads.submitted", "leads.accepted", "leads.scored", "leads.nurture", "accounts.inbound"],
    describeGroups: SCALED_SERVICES.map((s) => `leadflow-${s}-main`),
  },
};

// docs/security.md, "Redis: AUTH and ACL users": each service's key patterns.
export const REDIS_KEYS = {
  "leadflow-intake": ["lf:{intake}:*"],
  "leadflow-scoring": ["lf:{scoring}:*", "lf:scoring:*"],
  "leadflow-routing": ["lf:{routing}:*"],
  "leadflow-nurture": ["lf:{nurture}:*"],
  // The runtime only PINGs Redis for readiness; the notifier keeps no key.
  "leadflow-notifier": [],
};

// Rule files that hold caller credentials (API-key digests, caller lists).
const CREDENTIAL_FILES = { intake: ["intake.json"], routing: ["routing_rules.json"] };
const CALLERS_FILE_SERVICES = ["scoring", "nurture"];
// Secret values a service takes straight from env.
const SECRET_ENV = { intake: ["LEADFLOW_CONTACT_ID_KEY"] };
const STRIMZI_CA = "leadflow-cluster-ca-cert";

// The set of ACL entries "type:name:pattern:operation" a principal must have.
export function expectedAcls(principal) {
  const t = KAFKA_ACLS[principal];
  const out = new Set();
  for (const topic of t.read || []) out.add(`topic:${topic}:literal:Read`);
  for (const prefix of t.readPrefix || []) out.add(`topic:${prefix}:prefix:Read`);
  for (const topic of t.write || []) out.add(`topic:${topic}:literal:Write`);
  for (const topic of t.describe || []) out.add(`topic:${topic}:literal:Describe`);
  for (const group of t.describeGroups || []) out.add(`group:${group}:literal:Describe`);
  if (SERVICES.some((s) => principal === `leadflow-${s}`)) {
    out.add(`group:${principal}-:prefix:Read`);
    out.add("cluster:kafka-cluster:literal:IdempotentWrite");
  }
  return out;
}

export function actualAcls(user) {
  const out = new Set();
  for (const acl of user.spec?.authorization?.acls || []) {
    const r = acl.resource || {};
    const name = r.type === "cluster" ? "kafka-cluster" : r.name;
    const ops = acl.operations || (acl.operation ? [acl.operation] : []);
    const deny = acl.type === "deny" ? "deny:" : "";
    const host = acl.host && acl.host !== "*" ? `@${acl.host}` : "";
    for (const op of ops) out.add(`${deny}${r.type}:${name}:${r.patternType || "literal"}:${op}${host}`);
  }
  return out;
}

// Every api_key_sha256 value in the repository's config/*.json.
export function demoDigests(root) {
  const found = new Set();
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) {
        if (k === "api_key_sha256" && typeof x === "string" && x) found.add(x.toLowerCase());
        else walk(x);
      }
    }
  };
  const dir = join(root, "config");
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    walk(JSON.parse(readFileSync(join(dir, f), "utf8")));
  }
  return found;
}

// The Secrets docs/operating.md tells the operator to create.
export function documentedSecrets(root) {
  const text = readFileSync(join(root, "docs/operating.md"), "utf8");
  return new Set([...text.matchAll(/kubectl (?:-n \S+ )?create secret (?:generic|tls) ([a-z0-9.-]+)/g)].map((m) => m[1]));
}

// The principal's rows of docs/security.md's ACL table, as topic sets.
export function docsAclTable(root) {
  const text = readFileSync(join(root, "docs/security.md"), "utf8");
  const rows = {};
  for (const line of text.split("\n")) {
    const m = /^\| `(leadflow-[a-z]+)`[^|]*\|([^|]*)\|([^|]*)\|([^|]*)\|/.exec(line);
    if (!m) continue;
    const topics = (cell) => [...cell.matchAll(/`([a-z]+\.[a-z.-]+)`/g)].map((x) => x[1]).sort();
    const groups = (cell) => [...cell.matchAll(/`(leadflow-[a-z]+-[a-z]+)`/g)].map((x) => x[1]).sort();
    rows[m[1]] = { read: topics(m[2]), write: topics(m[3]), describe: topics(m[4]), describeGroups: groups(m[4]) };
  }
  return rows;
}

const sorted = (a) => [...new Set(a || [])].sort();
const same = (a, b) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const strip = (name) => name.replace(/-[a-z0-9]{10}$/, "");  // kustomize's content hash

// Where a file path inside a container comes from: {kind, name, key} or null.
// cmData(name) gives a rendered ConfigMap's data; an operator's Secret may
// hold any key, so a Secret without `items` matches every file name.
function fileSource(pod, container, path, cmData) {
  const mounts = (container.volumeMounts || [])
    .filter((m) => path === m.mountPath || path.startsWith(m.mountPath + "/"))
    .sort((a, b) => b.mountPath.length - a.mountPath.length);
  if (!mounts.length) return null;
  const m = mounts[0];
  const rel = m.subPath ? m.subPath : path.slice(m.mountPath.length + 1);
  const vol = (pod.volumes || []).find((v) => v.name === m.name);
  if (!vol) return null;
  const consider = (kind, name, items) => {
    if (items) {
      const it = items.find((i) => i.path === rel);
      return it ? { kind, name, key: it.key } : null;
    }
    if (kind === "ConfigMap") return rel in (cmData(name) || {}) ? { kind, name, key: rel } : null;
    return { kind, name, key: rel };
  };
  if (vol.secret) return consider("Secret", vol.secret.secretName, vol.secret.items);
  if (vol.configMap) return consider("ConfigMap", vol.configMap.name, vol.configMap.items);
  const found = (vol.projected?.sources || []).map((s) =>
    s.secret ? consider("Secret", s.secret.name, s.secret.items)
      : s.configMap ? consider("ConfigMap", s.configMap.name, s.configMap.items) : null).filter(Boolean);
  // A ConfigMap that has the file wins over a Secret that may have it.
  return found.find((f) => f.kind === "ConfigMap") || found[0] || null;
}

export function checkClosed(objs, ctx) {
  const bad = [];
  const check = (ok, what) => { if (!ok) bad.push(what); };
  const by = (kind) => objs.filter((o) => o.kind === kind);
  const find = (kind, name) => by(kind).find((o) => o.metadata.name === name || strip(o.metadata.name) === name);

  // 1. No demo key, digest or credential file from the repository.
  for (const o of objs) {
    const texts = [JSON.stringify(o)];
    if (o.kind === "Secret") {
      for (const v of Object.values(o.data || {})) texts.push(Buffer.from(String(v), "base64").toString("utf8"));
    }
    const text = texts.join("\n").toLowerCase();
    for (const d of ctx.digests) {
      check(!text.includes(d), `${o.kind}/${o.metadata.name}: carries the demo key digest ${d.slice(0, 12)}…`);
    }
    check(!text.includes("demo-key-"), `${o.kind}/${o.metadata.name}: carries a demo API key`);
  }
  for (const cm of by("ConfigMap")) {
    for (const f of ["intake.json", "routing_rules.json", "callers.json"]) {
      check(!(f in (cm.data || {})), `ConfigMap/${cm.metadata.name}: holds ${f}, which holds credentials (use a Secret)`);
    }
  }

  // 2. Kafka: TLS and authentication on every listener, simple authorization.
  const kafka = by("Kafka");
  check(kafka.length === 1, "Kafka: no Strimzi Kafka cluster");
  const listeners = kafka[0]?.spec?.kafka?.listeners || [];
  const authTypes = new Set();
  for (const l of listeners) {
    check(l.tls === true, `Kafka listener ${l.name}: plaintext (tls is not true)`);
    check(["scram-sha-512", "tls"].includes(l.authentication?.type),
      `Kafka listener ${l.name}: no authentication (want scram-sha-512 or tls)`);
    if (l.authentication?.type) authTypes.add(l.authentication.type);
  }
  check(kafka[0]?.spec?.kafka?.authorization?.type === "simple", "Kafka: authorization is not simple (ACLs are not enforced)");
  const tlsPorts = new Set(listeners.filter((l) => l.tls === true && l.authentication).map((l) => String(l.port)));

  // 3. One KafkaUser per principal, ACLs exactly as the table.
  const users = by("KafkaUser");
  for (const principal of Object.keys(KAFKA_ACLS)) {
    const u = users.find((x) => x.metadata.name === principal);
    check(u, `KafkaUser ${principal}: missing`);
    if (!u) continue;
    check(authTypes.has(u.spec?.authentication?.type),
      `KafkaUser ${principal}: authentication ${u.spec?.authentication?.type} matches no listener`);
    check(u.spec?.authorization?.type === "simple", `KafkaUser ${principal}: no simple authorization`);
    const want = expectedAcls(principal), got = actualAcls(u);
    const missing = [...want].filter((a) => !got.has(a)), extra = [...got].filter((a) => !want.has(a));
    check(!missing.length && !extra.length, `KafkaUser ${principal}: ACLs differ from docs/security.md` +
      (missing.length ? `; missing ${missing.join(", ")}` : "") + (extra.length ? `; extra ${extra.join(", ")}` : ""));
  }
  for (const u of users) check(u.metadata.name in KAFKA_ACLS, `KafkaUser ${u.metadata.name}: not in the ACL table`);
  for (const [principal, row] of Object.entries(ctx.docsTable)) {
    const t = KAFKA_ACLS[principal];
    check(t, `docs/security.md ACL table: ${principal} has no KafkaUser here`);
    if (!t) continue;
    for (const col of ["read", "write", "describe", "describeGroups"]) {
      // The docs name a prefix ACL by its prefix, e.g. `sales.feedback.`.
      const want = col === "read" ? [...(t.read || []), ...(t.readPrefix || [])] : t[col];
      check(same(row[col], want),
        `docs/security.md ACL table: ${principal} ${col} [${row[col]}] differs from the test's [${sorted(want)}]`);
    }
  }
  for (const principal of Object.keys(KAFKA_ACLS)) {
    check(ctx.docsTable[principal], `docs/security.md ACL table: no row for ${principal}`);
  }

  // The referenced Secrets; checked for an origin at the end.
  const referenced = [];
  const infra = by("ConfigMap").filter((c) => strip(c.metadata.name) === "leadflow-infra");
  const cmData = (n) => by("ConfigMap").find((m) => m.metadata.name === n || strip(m.metadata.name) === strip(n))?.data;

  for (const svc of SERVICES) {
    const name = `leadflow-${svc}`;
    const dep = find("Deployment", name);
    if (!dep) { bad.push(`${name}: Deployment missing`); continue; }
    const pod = dep.spec.template.spec;
    const c = pod.containers.find((x) => x.name === svc) || pod.containers[0];
    const envs = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
    const value = (n) => {
      const e = envs[n];
      if (!e) return undefined;
      if ("value" in e) return e.value;
      const ref = e.valueFrom?.configMapKeyRef;
      if (ref) return infra.find((m) => strip(m.metadata.name) === strip(ref.name))?.data?.[ref.key];
      return undefined;
    };
    const secretVar = (n) => envs[n]?.valueFrom?.secretKeyRef;
    for (const e of c.env || []) {
      if (e.valueFrom?.secretKeyRef) referenced.push([e.valueFrom.secretKeyRef.name, `${name} env ${e.name}`]);
    }
    for (const e of c.envFrom || []) {
      if (e.secretRef) referenced.push([e.secretRef.name, `${name} envFrom`]);
    }
    for (const v of pod.volumes || []) {
      if (v.secret) referenced.push([v.secret.secretName, `${name} volume ${v.name}`]);
      for (const s of v.projected?.sources || []) if (s.secret) referenced.push([s.secret.name, `${name} volume ${v.name}`]);
    }
    const fromSecret = (path, what) => {
      const src = path ? fileSource(pod, c, path, cmData) : null;
      check(src?.kind === "Secret", `${name}: ${what} (${path ?? "unset"}) is not read from a Secret`);
      return src;
    };

    // Credential-bearing rule files.
    const dir = value("LEADFLOW_CONFIG_DIR") || "config";
    for (const f of CREDENTIAL_FILES[svc] || []) fromSecret(`${dir}/${f}`, f);
    if (CALLERS_FILE_SERVICES.includes(svc)) fromSecret(value("LEADFLOW_CALLERS_FILE"), "LEADFLOW_CALLERS_FILE");
    for (const n of SECRET_ENV[svc] || []) check(secretVar(n), `${name}: ${n} is not from a Secret`);

    // Kafka: SASL_SSL as its own user, the password from the KafkaUser's Secret.
    const props = Object.fromEntries(String(value("LEADFLOW_KAFKA_PROPERTIES") || "").split(";").filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const brokers = String(value("LEADFLOW_KAFKA_BROKERS") || "");
    check(brokers && brokers.split(",").every((b) => tlsPorts.has(b.split(":").pop())),
      `${name}: LEADFLOW_KAFKA_BROKERS "${brokers}" is not an authenticated TLS listener`);
    if (!authTypes.has("tls") || authTypes.has("scram-sha-512")) {
      check(props["security.protocol"] === "SASL_SSL" && props["sasl.mechanisms"] === "SCRAM-SHA-512",
        `${name}: LEADFLOW_KAFKA_PROPERTIES is not SASL_SSL with SCRAM-SHA-512`);
      check(props["sasl.username"] === name, `${name}: Kafka user is ${props["sasl.username"]}, not ${name}`);
      const pw = /^\$\(([A-Z0-9_]+)\)$/.exec(props["sasl.password"] || "");
      const ref = pw && secretVar(pw[1]);
      check(ref && ref.name === name && ref.key === "password" &&
        (c.env || []).findIndex((e) => e.name === pw[1]) < (c.env || []).findIndex((e) => e.name === "LEADFLOW_KAFKA_PROPERTIES"),
        `${name}: the Kafka password is not $(VAR) of an earlier env var from Secret ${name} key password`);
    } else {
      check(props["security.protocol"] === "SSL" && props["ssl.certificate.location"] && props["ssl.key.location"],
        `${name}: LEADFLOW_KAFKA_PROPERTIES is not SSL with a client certificate`);
    }
    const ca = fromSecret(props["ssl.ca.location"], "Kafka's ssl.ca.location");
    check(!ca || ca.name === STRIMZI_CA, `${name}: Kafka's CA is not ${STRIMZI_CA}`);

    // Redis: its own ACL user, the password from a Secret.
    const url = /^redis:\/\/([^:@/]+):\$\(([A-Z0-9_]+)\)@/.exec(String(value("LEADFLOW_REDIS_URL") || ""));
    check(url && url[1] === name, `${name}: LEADFLOW_REDIS_URL does not log in as ACL user ${name} with $(VAR) as password`);
    check(url && secretVar(url[2]) &&
      (c.env || []).findIndex((e) => e.name === url[2]) < (c.env || []).findIndex((e) => e.name === "LEADFLOW_REDIS_URL"),
      `${name}: the Redis password is not an earlier env var from a Secret`);

    // TLS on gRPC and HTTP, from a cert-manager Certificate's Secret.
    for (const prefix of ["LEADFLOW_TLS_", "LEADFLOW_HTTP_TLS_"]) {
      for (const f of ["CERT_FILE", "KEY_FILE"]) {
        const src = fromSecret(value(prefix + f), prefix + f);
        check(!src || by("Certificate").some((cert) => cert.spec.secretName === src.name),
          `${name}: ${prefix + f} is not from a cert-manager Certificate's Secret`);
      }
    }
    check(value("LEADFLOW_TLS_CLIENT_CA_FILE") && ["require", "optional"].includes(value("LEADFLOW_TLS_CLIENT_AUTH")),
      `${name}: gRPC does not verify client certificates (LEADFLOW_TLS_CLIENT_CA_FILE, LEADFLOW_TLS_CLIENT_AUTH)`);
    if (value("LEADFLOW_TLS_CLIENT_CA_FILE")) fromSecret(value("LEADFLOW_TLS_CLIENT_CA_FILE"), "LEADFLOW_TLS_CLIENT_CA_FILE");
    check(value("LEADFLOW_HTTP_TLS_CLIENT_AUTH") !== "require" &&
      !(value("LEADFLOW_HTTP_TLS_CLIENT_CA_FILE") && value("LEADFLOW_HTTP_TLS_CLIENT_AUTH") === undefined),
      `${name}: HTTP client auth is require, so the kubelet's probes (no client certificate) fail`);
    for (const p of ["startupProbe", "livenessProbe", "readinessProbe"]) {
      check(!c[p]?.httpGet || c[p].httpGet.scheme === "HTTPS", `${name}: ${p} is plain HTTP on an HTTPS port`);
    }
  }

  // KEDA logs in to Kafka as its own user over TLS.
  for (const so of by("ScaledObject")) {
    for (const t of so.spec.triggers.filter((x) => x.type === "kafka")) {
      const auth = find("TriggerAuthentication", t.authenticationRef?.name || "");
      check(auth, `ScaledObject ${so.metadata.name}: no TriggerAuthentication`);
      check(t.metadata.tls === "enable" && (t.metadata.sasl === "scram_sha512" || !authTypes.has("scram-sha-512")),
        `ScaledObject ${so.metadata.name}: Kafka trigger without tls: enable and sasl: scram_sha512`);
      check(String(t.metadata.bootstrapServers).split(",").every((b) => tlsPorts.has(b.split(":").pop())),
        `ScaledObject ${so.metadata.name}: bootstrapServers is not an authenticated TLS listener`);
      const params = Object.fromEntries((auth?.spec?.secretTargetRef || []).map((r) => [r.parameter, r]));
      check(params.password?.name === "leadflow-keda" && params.ca?.name === STRIMZI_CA,
        `ScaledObject ${so.metadata.name}: does not log in as leadflow-keda with Strimzi's CA`);
    }
  }
  for (const a of by("TriggerAuthentication")) {
    for (const r of a.spec.secretTargetRef || []) referenced.push([r.name, `TriggerAuthentication ${a.metadata.name}`]);
  }

  // Prometheus scrapes over HTTPS.
  for (const sm of by("ServiceMonitor")) {
    for (const e of sm.spec.endpoints) {
      check(e.scheme === "https" && (e.tlsConfig?.ca?.secret || e.tlsConfig?.caFile),
        `ServiceMonitor ${sm.metadata.name}: scrapes ${e.port} without https and a CA`);
      if (e.tlsConfig?.ca?.secret) referenced.push([e.tlsConfig.ca.secret.name, `ServiceMonitor ${sm.metadata.name}`]);
    }
  }

  // 4. Redis: an ACL file, the default user off, one user per service.
  const redis = find("StatefulSet", "leadflow-redis");
  if (redis) {
    const rpod = redis.spec.template.spec;
    const server = rpod.containers.find((x) => x.name === "redis");
    const args = (server?.args || []).map(String);
    check(args.includes("--aclfile") || args.includes("--requirepass"),
      "leadflow-redis: no --aclfile or --requirepass: anyone may connect");
    const acl = by("ConfigMap").find((m) => "users.acl" in (m.data || {}) &&
      (rpod.volumes || []).some((v) => strip(v.configMap?.name || "") === strip(m.metadata.name)));
    check(args.includes("--requirepass") || acl, "leadflow-redis: no ConfigMap with users.acl mounted in the Redis pod");
    const lines = String(acl?.data?.["users.acl"] || "").split("\n")
      .map((l) => l.trim().split(/\s+/)).filter((w) => w[0] === "user");
    const user = (n) => lines.find((w) => w[1] === n);
    if (acl) {
      const def = user("default");
      check(def && def.includes("off") && !def.includes("nopass"), "leadflow-redis: the default user is not off");
      for (const [u, keys] of Object.entries(REDIS_KEYS)) {
        const w = user(u);
        check(w, `leadflow-redis: no ACL user ${u}`);
        if (!w) continue;
        check(w.includes("on") && w.some((x) => /^[#>]/.test(x)) && !w.includes("nopass"),
          `leadflow-redis: ${u} has no password`);
        check(same(w.filter((x) => x.startsWith("~")).map((x) => x.slice(1)), keys),
          `leadflow-redis: ${u} keys ${w.filter((x) => x.startsWith("~"))} differ from ${keys}`);
        // Confined: -@admin -@dangerous after +@all, or -@all with single
        // commands added back (the notifier's +ping); never every key.
        const onlyCommands = w.includes("-@all") && !w.some((x) => x.startsWith("+@"));
        check((onlyCommands || w.includes("-@dangerous") && w.includes("-@admin")) &&
          !w.some((x) => x === "allkeys" || x === "~*"),
          `leadflow-redis: ${u} is not confined (-@admin -@dangerous, no allkeys)`);
      }
      for (const w of lines) {
        check(w[1] === "default" || w.includes("off") || w.some((x) => /^[#>]/.test(x)) && !w.includes("nopass"),
          `leadflow-redis: ACL user ${w[1]} has no password`);
      }
    }
    for (const ctr of [...(rpod.initContainers || []), ...rpod.containers]) {
      for (const e of ctr.env || []) {
        if (e.valueFrom?.secretKeyRef) referenced.push([e.valueFrom.secretKeyRef.name, `leadflow-redis env ${e.name}`]);
      }
    }
    for (const v of rpod.volumes || []) if (v.secret) referenced.push([v.secret.secretName, `leadflow-redis volume ${v.name}`]);
  }

  // 5. Every referenced Secret has a maker, and those the operator makes are
  // not rendered from the repository as well.
  for (const s of by("Secret")) {
    check(!ctx.documented.has(strip(s.metadata.name)),
      `Secret/${s.metadata.name}: rendered from the repository, but docs/operating.md has the operator create it`);
  }
  const rendered = new Set(by("Secret").map((s) => strip(s.metadata.name)));
  const certs = new Set(by("Certificate").map((c) => c.spec.secretName));
  for (const [secret, where] of referenced) {
    check(rendered.has(strip(secret)) || certs.has(secret) || secret in KAFKA_ACLS || secret === STRIMZI_CA ||
      ctx.documented.has(secret),
      `${where}: Secret ${secret} is neither rendered, a Certificate's, Strimzi's, nor created in docs/operating.md`);
  }
  return bad;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [label = "stdin", root = "../../.."] = process.argv.slice(2);
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const objs = parseAllDocuments(Buffer.concat(chunks).toString("utf8")).map((d) => d.toJS()).filter(Boolean);
  const bad = checkClosed(objs, { digests: demoDigests(root), documented: documentedSecrets(root), docsTable: docsAclTable(root) });
  if (bad.length) {
    console.error(`${label}: ${bad.length} closed-by-default failures:\n  ` + bad.join("\n  "));
    process.exit(1);
  }
  console.log(`${label}: closed by default (${objs.length} objects)`);
}
