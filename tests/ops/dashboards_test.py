#!/usr/bin/env python3
"""Every Grafana panel shows data from a real Prometheus scraping the real stack.

  dashboards_test.py BIN_DIR

Starts the four service binaries (with redis-server and leadflow-devkafka) and
Debian's `prometheus` scraping each of them every second with the shipped rule
files loaded, sends sample traffic through the public interfaces, and then:
  - `promtool check metrics` passes on every service's /metrics;
  - docs/metrics.md lists every leadflow_* metric the services expose;
  - every target of every panel in deploy/grafana/dashboards/*.json, run through
    the HTTP API (/api/v1/query), returns at least one series; the test fails
    naming each panel that stays empty;
  - the Funnel's loss-reason panel shows the code the sample losses carry, and
    its pipeline panel the accepted deals' value, weighted at their stage's 30 %;
    its cohort panel this month's cohorts with the sample wins and the 3/4/5 %
    bands from routing_rules.json, and its won-revenue panel the web form's wins;
  - after one SIGTERM restart of leadflow-scoring, the Platform restart panel
    shows 1 for it and 0 for the others;
  - every rule of deploy/prometheus/*.rules.yml is loaded and evaluates without
    error, and no alert fires on healthy traffic except the ones the traffic is
    meant to trip (none: LeadflowAudienceViolation must stay silent).
Exit status 0 on success. Grafana variables are replaced as Grafana would for a
5-minute range: $__rate_interval -> 1m, $__range -> 5m.
"""

import glob
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ops_stack import ROOT, SERVICES, OpsStack  # noqa: E402

GRAFANA_VARS = {"$__rate_interval": "1m", "$__range": "5m", "$__interval": "15s"}


def panel_queries():
    """(dashboard file, panel title, expr) for every target of every panel."""
    out = []
    for path in sorted(glob.glob(os.path.join(ROOT, "deploy", "grafana", "dashboards", "*.json"))):
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
        for p in dash["panels"]:
            for t in p.get("targets", []):
                expr = t["expr"]
                for k, v in GRAFANA_VARS.items():
                    expr = expr.replace(k, v)
                out.append((os.path.basename(path), p["title"], expr))
    return out


def documented_metrics():
    """Metric names in docs/metrics.md (`<svc>` expanded to each service)."""
    with open(os.path.join(ROOT, "docs", "metrics.md"), encoding="utf-8") as f:
        text = f.read()
    names = set()
    for name in re.findall(r"`(leadflow_[a-z_<>]+)`", text):
        for svc in SERVICES:
            names.add(name.replace("<svc>", svc))
    return names


def check_generated():
    """The committed dashboards and PrometheusRule are what deploy/generate.py writes."""
    r = subprocess.run([sys.executable, os.path.join(ROOT, "deploy", "generate.py"), "--check"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return [f"deploy/generate.py --check: {r.stdout}{r.stderr}".strip()]
    return []


def main():
    bin_dir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "bin"))
    failures = check_generated()
    queries = panel_queries()
    if len(queries) < 25:
        failures.append(f"only {len(queries)} panel queries found")
    rule_files = glob.glob(os.path.join(ROOT, "deploy", "prometheus", "*.rules.yml"))
    r = subprocess.run(["promtool", "check", "rules", *rule_files], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append(f"promtool check rules:\n{r.stdout}{r.stderr}")

    started = time.time()
    with OpsStack(bin_dir) as s:
        s.submit_samples()
        s.poison("sales.feedback")
        time.sleep(3)
        s.resubmit_samples()
        # Sales feedback needs assignments; wait for routing's first decisions.
        deadline = time.time() + 30
        while time.time() < deadline and not s.assignments():
            time.sleep(1)
        # Losses carry a coded reason (issue 17.3; OpsStack.FEEDBACK "L" sends
        # LOST_TO_COMPETITOR, the competitor's name stays on sales.feedback).
        # Each accepted deal moves on to the proposal stage (30 %) with a value,
        # for the pipeline value panel (issue 17.5).
        accept = s.feedback

        def feedback_then_stage(lead, rep, team, kind, extra=""):
            accept(lead, rep, team, kind, extra)
            if kind == "ACCEPT":
                accept(lead, rep, team, "STAGE", 'stage: "proposal" deal_value_rub: 60000000')
        s.feedback = feedback_then_stage
        fed = s.sales_feedback_round()
        for lead, contact, acct in s.nurture_contacts()[:2]:
            s.unsubscribe(lead, contact, acct)  # nurture exits: unsubscribed
        s.flush()
        print(f"ops: traffic sent, feedback on {fed} assignments "
              f"({time.time() - started:.0f} s)", flush=True)

        for svc in SERVICES:
            text = subprocess.run(["curl", "-sf", s.metrics_url(svc)], capture_output=True,
                                  check=True).stdout
            r = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True)
            if r.returncode != 0:
                failures.append(f"promtool check metrics ({svc}):\n"
                                f"{r.stdout.decode()}{r.stderr.decode()}")

        # Poll until every panel query returns data (SLA breaches take the
        # longest: one business minute after the key-accounts queue forms).
        empty = list(queries)
        deadline = time.time() + 110
        while True:
            still = []
            for q in empty:
                try:
                    if not s.query(q[2]):
                        still.append(q)
                except Exception as e:  # a query Prometheus refuses is a failure
                    failures.append(f"{q[0]} / {q[1]}: query error {e}")
            empty = still
            if not empty or time.time() > deadline:
                break
            time.sleep(2)
        for dash, title, expr in empty:
            failures.append(f"{dash} / {title}: no data for {expr}")
        # The loss-reason panel shows the code the sales tool sent.
        lost_expr = next(q[2] for q in queries if q[1] == "Deals lost by reason")
        lost = {x["metric"].get("reason") for x in s.query(lost_expr)}
        if "LOST_TO_COMPETITOR" not in lost:
            failures.append(f"Funnel / Deals lost by reason: no LOST_TO_COMPETITOR in {lost}")
        # The pipeline panel: 60 mln per deal in proposal, weighted at 30 %.
        pipe = [q[2] for q in queries if q[1].startswith("Open pipeline value")]
        value = {(x["metric"]["team"], x["metric"]["segment"]): float(x["value"][1])
                 for x in s.query(pipe[0])}
        weighted = {(x["metric"]["team"], x["metric"]["segment"]): float(x["value"][1])
                    for x in s.query(pipe[1])}
        if not value or any(v <= 0 or v % 60e6 or abs(weighted.get(k, -1) - 0.3 * v) > 1
                            for k, v in value.items()):
            failures.append(f"Funnel / Open pipeline value: {value} weighted {weighted}")
        # The cohort panel (issue 17.4): this month's cohorts (UTC) with the
        # sample wins in their conversion, and the bands routing_rules.json
        # ships, read from routing's gauges: 3 / 4 / 5 %.
        cohort_q = [q[2] for q in queries if q[1].startswith("Lead-to-deal conversion by submission")]
        month = time.strftime("%Y-%m", time.gmtime())
        conv = {x["metric"].get("segment"): float(x["value"][1]) for x in s.query(cohort_q[0])
                if x["metric"].get("cohort") == month}
        bands = {x["metric"].get("band"): round(float(x["value"][1]), 4) for x in s.query(cohort_q[1])}
        if not conv or not any(0 < v <= 1 for v in conv.values()):
            failures.append(f"Funnel / cohort conversion: no {month} cohort with a won deal in {conv}")
        if bands != {"weak": 0.03, "average": 0.04, "excellent": 0.05}:
            failures.append(f"Funnel / cohort conversion: bands {bands}, not 3/4/5 %")
        # Won revenue by source (issue 17.5): the sample wins, from the web form.
        won_q = next(q[2] for q in queries if q[1].startswith("Won revenue by source"))
        won = {x["metric"].get("source"): float(x["value"][1]) for x in s.query(won_q)}
        if won.get("web-form-main", 0) <= 0:
            failures.append(f"Funnel / Won revenue by source and campaign: {won}")
        print(f"ops: {len(queries) - len(empty)}/{len(queries)} panel queries returned data "
              f"({time.time() - started:.0f} s)", flush=True)

        # The catalogue lists every metric the services expose.
        scraped = {x["metric"]["__name__"] for x in s.query('group by (__name__) ({__name__=~"leadflow_.+"})')}
        scraped = {re.sub(r"_(bucket|sum|count)$", "", n) if n.endswith(("_bucket", "_sum", "_count"))
                   and "seconds" in n else n for n in scraped}
        missing = sorted(scraped - documented_metrics())
        if missing:
            failures.append(f"docs/metrics.md does not list: {', '.join(missing)}")

        # A restart shows on the Platform dashboard's restart panel.
        code = s.restart("scoring")
        if code != 0:
            failures.append(f"leadflow-scoring exited {code} on SIGTERM")
        restarts_expr = next(q[2] for q in queries if q[1].startswith("Restarts"))
        deadline = time.time() + 20
        while time.time() < deadline:
            r = {x["metric"].get("job"): float(x["value"][1]) for x in s.query(restarts_expr)}
            if r.get("leadflow-scoring") == 1 and r.get("leadflow-routing") == 0:
                break
            time.sleep(1)
        else:
            failures.append(f"restart panel after one scoring restart: {r}")

        groups = s.api("rules")["groups"]
        nrules = 0
        for g in groups:
            for rule in g["rules"]:
                nrules += 1
                if rule.get("health") != "ok":
                    failures.append(f"rule {rule['name']}: health {rule.get('health')} "
                                    f"{rule.get('lastError', '')}")
                if rule.get("type") == "alerting" and rule.get("state") == "firing":
                    failures.append(f"alert {rule['name']} fires on healthy sample traffic")
        if nrules < 11:
            failures.append(f"prometheus loaded {nrules} rules, expected 11")
        violations = s.query("sum(leadflow_audience_violations_total)")
        if not violations or float(violations[0]["value"][1]) != 0:
            failures.append(f"audience violations under sample traffic: {violations}")

    if failures:
        print("ops: FAILED\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print(f"ops: OK, {len(queries)} panel queries with data, {nrules} rules healthy "
          f"({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
