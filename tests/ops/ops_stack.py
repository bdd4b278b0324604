"""A leadflow stack with a real Prometheus scraping it, and sample traffic.

Used by tests/ops/dashboards_test.py (part of ctest) and scripts/dashboard-pictures.
Starts redis-server, leadflow-devkafka and the four real service binaries on
free loopback ports (like scripts/demo), then the Debian `prometheus` server
scraping every service each second and evaluating deploy/prometheus/*.rules.yml.
Traffic goes in through the public interfaces: accounts.changes and
leads.submitted (leadflow-cli), intake gRPC (leadflow-cli submit-grpc), and
sales.feedback / engagement.events (protobuf encoded with protoc, produced
with kcat). Python standard library only (Debian's python3).
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SERVICES = ("intake", "scoring", "routing", "nurture")
# Nurture's schedule starts on Monday 2026-11-23 21:30 Moscow, inside the quiet
# hours (21-9), at 1800x: first touches are held (suppressed: QUIET_HOURS), go
# out ~23 s later at 09:00, and the per-day cap holds later steps. The outcome
# never depends on the wall clock.
NURTURE_TIME_START_MS = "1795458600000"
NURTURE_TIME_SCALE = "1800"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready within {seconds} s")


class OpsStack:
    """The stack. Use as a context manager; every child gets SIGTERM on exit."""

    def __init__(self, bin_dir, workdir=None, scrape_interval="1s", keep=False):
        self.bin_dir = bin_dir
        self.keep = keep
        self.dir = workdir or tempfile.mkdtemp(prefix="leadflow-ops-")
        os.makedirs(self.dir, exist_ok=True)
        self.scrape_interval = scrape_interval
        self.procs = {}
        self.spawned = {}  # name -> (argv, env), for restart()
        self.ports = {}
        self.brokers = None
        self.prometheus_url = None
        self._answered = set()  # leads that already got sales feedback
        self._answer_count = 0
        self._pending = {}      # topic -> [(key, payload)] until flush()

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _spawn(self, name, argv, env=None):
        log = open(os.path.join(self.dir, name + ".log"), "ab")
        self.spawned[name] = (argv, env)
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                            env=full_env, cwd=self.dir)

    def log_tail(self, name, lines=20):
        try:
            with open(os.path.join(self.dir, name + ".log"), "rb") as f:
                return b"\n".join(f.read().splitlines()[-lines:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        codes = {}
        for name in list(SERVICES) + ["prometheus", "devkafka", "redis"]:
            p = self.procs.get(name)
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in self.procs.items():
            try:
                codes[name] = p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                codes[name] = p.wait()
        self.procs = {}
        if not self.keep:
            shutil.rmtree(self.dir, ignore_errors=True)
        return codes

    def _config_dir(self):
        """config/ with a tight key-accounts team: capacity runs out and the SLA
        expires within the test (1 business minute, working hours all day)."""
        cfg = os.path.join(self.dir, "config")
        shutil.copytree(os.path.join(ROOT, "config"), cfg)
        path = os.path.join(cfg, "routing_rules.json")
        with open(path, encoding="utf-8") as f:
            rules = json.load(f)
        for team in rules["teams"]:
            for rep in team["reps"]:
                rep["hours"]["start_hour"] = 0
                rep["hours"]["end_hour"] = 24
                rep["hours"]["weekdays"] = [1, 2, 3, 4, 5, 6, 7]
            if "business_hours" in team:
                team["business_hours"].update(start_hour=0, end_hour=24,
                                              weekdays=[1, 2, 3, 4, 5, 6, 7])
            team["sla_business_minutes"] = 1
            if "sla_ladder" in team:  # re-assign at the deadline, within the test
                team["sla_ladder"]["reassign_grace_business_minutes"] = 0
            if team["team_id"] == "key-accounts":
                for rep in team["reps"]:
                    rep["max_open_leads"] = 1
                    rep["daily_cap"] = 1
        rules.setdefault("scheduler", {})["sla_retry_seconds"] = 5
        with open(path, "w", encoding="utf-8") as f:
            json.dump(rules, f, ensure_ascii=False, indent=1)
        return cfg

    def _start(self):
        redis_port = free_port()
        self._spawn("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", self.dir])
        info = os.path.join(self.dir, "kafka.json")
        self._spawn("devkafka", [os.path.join(self.bin_dir, "leadflow-devkafka"), "--brokers", "3",
                                 "--info-file", info])
        wait_for(lambda: os.path.exists(info) and os.path.getsize(info) > 0, 20, "devkafka")
        time.sleep(0.1)
        with open(info) as f:
            self.brokers = json.load(f)["bootstrap"]
        self.redis_url = f"redis://127.0.0.1:{redis_port}"
        cfg = self._config_dir()
        for svc in SERVICES:
            env = {
                "LEADFLOW_KAFKA_BROKERS": self.brokers, "LEADFLOW_REDIS_URL": self.redis_url,
                # A fixed admin port (/metrics), so a restarted service is the
                # same scrape target; the public HTTP port (intake only) is any.
                "LEADFLOW_ADMIN_PORT": str(free_port()), "LEADFLOW_HTTP_PORT": "0",
                "LEADFLOW_GRPC_PORT": "0",
                "LEADFLOW_BIND_ADDRESS": "127.0.0.1", "LEADFLOW_CONFIG_DIR": cfg,
                "LEADFLOW_CONTACT_ID_KEY": "leadflow-ops-test-contact-id-key-not-a-secret",
                "LEADFLOW_READY_FILE": os.path.join(self.dir, svc + ".ready"),
                "LEADFLOW_INSTANCE_ID": svc + "-0",
            }
            if svc == "nurture":
                env["LEADFLOW_NURTURE_TIME_SCALE"] = NURTURE_TIME_SCALE
                env["LEADFLOW_NURTURE_TIME_START_MS"] = NURTURE_TIME_START_MS
            self._spawn(svc, [os.path.join(self.bin_dir, "leadflow-" + svc)], env)
        for svc in SERVICES:
            self._wait_ready(svc)
        self._start_prometheus()

    def _wait_ready(self, svc):
        ready = os.path.join(self.dir, svc + ".ready")
        try:
            wait_for(lambda: os.path.exists(ready) and os.path.getsize(ready) > 0, 40, svc)
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{self.log_tail(svc)}") from None
        time.sleep(0.05)
        with open(ready) as f:
            self.ports[svc] = json.load(f)

    def restart(self, svc):
        """SIGTERM one service, then start it again with the same environment
        (same admin port); returns the exit code of the stopped process."""
        p = self.procs[svc]
        p.send_signal(signal.SIGTERM)
        code = p.wait(timeout=30)
        ready = os.path.join(self.dir, svc + ".ready")
        if os.path.exists(ready):
            os.remove(ready)
        argv, env = self.spawned[svc]
        self._spawn(svc, argv, env)
        self._wait_ready(svc)
        return code

    def metrics_url(self, svc):
        return f"http://127.0.0.1:{self.ports[svc]['admin_port']}/metrics"

    def _start_prometheus(self):
        port = free_port()
        rules = sorted(os.path.join(ROOT, "deploy", "prometheus", f)
                       for f in os.listdir(os.path.join(ROOT, "deploy", "prometheus"))
                       if f.endswith(".rules.yml"))
        lines = ["global:", f"  scrape_interval: {self.scrape_interval}",
                 f"  evaluation_interval: {self.scrape_interval}", "rule_files:"]
        lines += [f"  - {r}" for r in rules]
        lines.append("scrape_configs:")
        for svc in SERVICES:
            # The same job and labels the ServiceMonitor gives in Kubernetes.
            lines += [f"  - job_name: leadflow-{svc}", "    static_configs:",
                      f"      - targets: ['127.0.0.1:{self.ports[svc]['admin_port']}']",
                      "        labels:", f"          service: leadflow-{svc}",
                      f"          pod: leadflow-{svc}-0", "          namespace: leadflow"]
        conf = os.path.join(self.dir, "prometheus.yml")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.prometheus_config = conf
        self._spawn("prometheus", ["prometheus", f"--config.file={conf}",
                                   f"--storage.tsdb.path={os.path.join(self.dir, 'tsdb')}",
                                   f"--web.listen-address=127.0.0.1:{port}",
                                   "--storage.tsdb.retention.time=1d", "--log.level=warn"])
        self.prometheus_url = f"http://127.0.0.1:{port}"

        def up():
            try:
                r = self.query("up")
                return len(r) == len(SERVICES) and all(s["value"][1] == "1" for s in r)
            except OSError:
                return False
        try:
            wait_for(up, 30, "prometheus scraping all four services")
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{self.log_tail('prometheus')}") from None

    # -- Prometheus HTTP API ----------------------------------------------
    def api(self, path, **params):
        url = f"{self.prometheus_url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        if body.get("status") != "success":
            raise RuntimeError(f"prometheus {path} {params}: {body}")
        return body["data"]

    def query(self, expr):
        return self.api("query", query=expr)["result"]

    def query_range(self, expr, start, end, step):
        return self.api("query_range", query=expr, start=start, end=end, step=step)["result"]

    # -- traffic -----------------------------------------------------------
    def cli(self, *args):
        subprocess.run([os.path.join(self.bin_dir, "leadflow-cli"), *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)

    def submit_samples(self, grpc_leads=3):
        self.cli("publish-accounts", "--brokers", self.brokers,
                 os.path.join(ROOT, "config", "accounts.sample.jsonl"))
        time.sleep(1.0)  # let intake's registry view load before leads arrive
        self.cli("submit", "--brokers", self.brokers, os.path.join(ROOT, "samples", "leads.jsonl"))
        for i in range(grpc_leads):
            lead = {"source_id": "web-form-main", "email": f"it.director{i}@rostelecom.ru",
                    "full_name": "Ольга Смирнова", "job_title": "ИТ-директор",
                    "company_name": "Ростелеком", "inn": "7707049388", "industry": "telecom",
                    "headcount": 130000, "annual_revenue_rub": "580000000000",
                    "it_budget_rub": "12000000000", "region": "RU-MOW",
                    "expected_deal_rub": "80000000", "intent": "request_proposal",
                    "consent": True,
                    "answers": {"budget": "over_50m", "need": "urgent", "timeline": "1_3m"}}
            self.cli("submit-grpc", "--intake",
                     f"127.0.0.1:{self.ports['intake']['grpc_port']}", "--api-key",
                     "demo-key-web", json.dumps(lead, ensure_ascii=False))

    def submit_wave(self, wave):
        """samples/leads.jsonl again as new people (every email prefixed with
        w<wave>.), so a wave is new leads rather than duplicates."""
        path = os.path.join(self.dir, f"wave{wave}.jsonl")
        with open(os.path.join(ROOT, "samples", "leads.jsonl"), encoding="utf-8") as src, \
                open(path, "w", encoding="utf-8") as dst:
            for line in src:
                try:
                    ev = json.loads(line)
                except ValueError:
                    dst.write(line)  # the deliberately malformed samples stay malformed
                    continue
                if isinstance(ev, dict) and isinstance(ev.get("email"), str) and "@" in ev["email"]:
                    ev["email"] = f"w{wave}." + ev["email"]
                dst.write(json.dumps(ev, ensure_ascii=False) + "\n")
        self.cli("submit", "--brokers", self.brokers, path)

    def resubmit_samples(self):
        """The same form events again: intake counts them as duplicates."""
        self.cli("submit", "--brokers", self.brokers, os.path.join(ROOT, "samples", "leads.jsonl"))

    def _protoc(self, mode, message, data):
        return subprocess.run(["protoc", f"-I{os.path.join(ROOT, 'proto')}", "-I/usr/include",
                               f"--{mode}={message}",
                               "leadflow/routing/v1/routing.proto",
                               "leadflow/engagement/v1/engagement.proto"],
                              input=data, capture_output=True, check=True, cwd=ROOT).stdout

    def consume(self, topic, timeout=10):
        """Every message on `topic` so far (payload bytes), through kcat."""
        out = subprocess.run(["kcat", "-C", "-b", self.brokers, "-t", topic, "-o", "beginning",
                              "-e", "-q", "-f", "%R%s"], capture_output=True, timeout=timeout,
                             check=True).stdout
        msgs, i = [], 0
        while i + 4 <= len(out):
            n = int.from_bytes(out[i:i + 4], "big")
            msgs.append(out[i + 4:i + 4 + n])
            i += 4 + n
        return msgs

    # Binary protobuf payloads may hold any byte, newlines included: records go
    # to one kcat call per topic, split by delimiters no payload contains.
    _MSG_DELIM = "<<leadflow-ops-record>>"
    _KEY_DELIM = "<<leadflow-ops-key>>"

    def produce(self, topic, key, payload):
        """Queues one record; flush() sends every queued record."""
        self._pending.setdefault(topic, []).append((key, payload))

    def flush(self):
        for topic, records in self._pending.items():
            data = b"".join(k.encode() + self._KEY_DELIM.encode() + p + self._MSG_DELIM.encode()
                            for k, p in records)
            subprocess.run(["kcat", "-P", "-b", self.brokers, "-t", topic, "-D", self._MSG_DELIM,
                            "-K", self._KEY_DELIM], input=data, check=True, timeout=30,
                           capture_output=True)
        self._pending = {}

    def assignments(self):
        """(lead_id, rep_id, account_key, team) of every leads.assigned record so far."""
        out = []
        for m in self.consume("leads.assigned"):
            text = self._protoc("decode", "leadflow.routing.v1.LeadAssigned", m).decode()
            lead = re.search(r'lead_id: "([^"]+)"', text)
            rep = re.search(r'rep_id: "([^"]+)"', text)
            acct = re.search(r'account_key: "([^"]+)"', text)
            team = re.search(r'\bteam: "([^"]+)"', text)
            if lead and rep:
                out.append((lead.group(1), rep.group(1), acct.group(1) if acct else "",
                            team.group(1) if team else ""))
        return out

    def feedback(self, lead_id, rep_id, team, kind, extra=""):
        """As the team's sales tool: on the team's own sales.feedback.<team>."""
        now = int(time.time())
        text = (f'lead_id: "{lead_id}" rep_id: "{rep_id}" kind: {kind} {extra} '
                f'at {{ seconds: {now} }}')
        payload = self._protoc("encode", "leadflow.routing.v1.SalesFeedback", text.encode())
        self.produce("sales.feedback." + team, lead_id, payload)

    def engagement(self, lead_id, account_key, event_type, n):
        now = int(time.time())
        text = (f'event_id: "ev-{lead_id}-{n}" lead_id: "{lead_id}" account_key: "{account_key}" '
                f'contact_id: "c-{lead_id}" type: {event_type} occurred_at {{ seconds: {now} }} '
                f'source_id: "email-tool"')
        payload = self._protoc("encode", "leadflow.engagement.v1.EngagementEvent", text.encode())
        self.produce("engagement.events", f"c-{lead_id}", payload)

    # Sales answers per assigned lead, cycled: Accept, reJect (BUDGET_TOO_SMALL),
    # Won, Lost (to a competitor, named), or No answer (the SLA expires and
    # routing re-assigns). The shipped config requires a coded loss reason
    # (config/README.md, require_loss_reason): a LOST without one is refused.
    FEEDBACK = {
        "A": ("ACCEPT", ""),
        "J": ("REJECT", "reject_reason: BUDGET_TOO_SMALL"),
        "W": ("CLOSE", "outcome: WON"),
        "L": ("CLOSE", 'outcome: LOST loss_reason: LOST_TO_COMPETITOR '
                       'loss_detail: "Acme Integration"'),
    }

    def sales_feedback_round(self, pattern="AJWLN"):
        """Answers every assignment not answered yet, cycling through `pattern`,
        with an EMAIL_OPENED engagement event for each answered lead."""
        seen = {}
        for lead, rep, acct, team in self.assignments():
            seen[lead] = (rep, acct, team)
        fresh = sorted((k, v) for k, v in seen.items() if k not in self._answered)
        for lead, (rep, acct, team) in fresh:
            self._answered.add(lead)
            answer = pattern[self._answer_count % len(pattern)]
            self._answer_count += 1
            if answer == "N":
                continue
            kind, extra = self.FEEDBACK[answer]
            self.feedback(lead, rep, team, kind, extra)
            self.engagement(lead, acct, "EMAIL_OPENED", 1)
        self.flush()
        return len(fresh)

    def nurture_contacts(self):
        """(lead_id, contact_id, account_key) of every leads.nurture record so far."""
        out = []
        for m in self.consume("leads.nurture"):
            text = self._protoc("decode", "leadflow.routing.v1.NurtureRequested", m).decode()
            lead = re.search(r'lead_id: "([^"]+)"', text)
            contact = re.search(r'contact_id: "([^"]+)"', text)
            acct = re.search(r'account_key: "([^"]+)"', text)
            if lead and contact:
                out.append((lead.group(1), contact.group(1), acct.group(1) if acct else ""))
        return out

    def unsubscribe(self, lead_id, contact_id, account_key):
        now = int(time.time())
        text = (f'event_id: "unsub-{lead_id}" lead_id: "{lead_id}" account_key: "{account_key}" '
                f'contact_id: "{contact_id}" type: UNSUBSCRIBED occurred_at {{ seconds: {now} }} '
                f'source_id: "email-tool"')
        payload = self._protoc("encode", "leadflow.engagement.v1.EngagementEvent", text.encode())
        self.produce("engagement.events", contact_id, payload)

    def poison(self, topic="sales.feedback"):
        """Bytes that are no protobuf: consumers dead-letter them (errors_total,
        dead_lettered_total) and move on."""
        self.produce(topic, "poison", b"\xff\xfe\xfd not a protobuf message")
        self.flush()
