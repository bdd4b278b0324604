#!/usr/bin/env python3
"""Writes the generated deploy files:
  - the five Grafana dashboards, deploy/grafana/dashboards/*.json;
  - deploy/k8s/base/monitoring/prometheusrule.yaml, the PrometheusRule holding
    the groups of deploy/prometheus/leadflow.rules.yml.

The outputs are committed; this script is their source, so every panel has the
same shape (datasource variable, units, legends) and the cluster runs the same
rules that promtool and the ops test check. The ops test runs `--check` (fails
when a committed file differs) and every panel query against a real Prometheus.
  python3 deploy/generate.py           write
  python3 deploy/generate.py --check   compare only
"""

import json
import os
import sys

DEPLOY = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(DEPLOY, "grafana", "dashboards")
RULES = os.path.join(DEPLOY, "prometheus", "leadflow.rules.yml")
PROMETHEUS_RULE = os.path.join(DEPLOY, "k8s", "base", "monitoring", "prometheusrule.yaml")
DS = {"type": "prometheus", "uid": "${datasource}"}
RI = "$__rate_interval"


def target(expr, legend="", ref="A", instant=False):
    t = {"datasource": DS, "expr": expr, "legendFormat": legend, "refId": ref}
    if instant:
        t["instant"] = True
        t["range"] = False
    return t


def panel(kind, title, targets, x, y, w=12, h=8, unit="short", description="", **extra):
    p = {
        "type": kind, "title": title, "description": description, "datasource": DS,
        "gridPos": {"x": x, "y": y, "w": w, "h": h},
        "targets": [target(*t) if isinstance(t, tuple) else t for t in targets],
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {},
    }
    for i, t in enumerate(p["targets"]):
        t["refId"] = chr(ord("A") + i)
    if kind == "timeseries":
        p["fieldConfig"]["defaults"]["custom"] = {"drawStyle": "line", "lineWidth": 2,
                                                  "fillOpacity": 10, "showPoints": "never"}
        p["options"] = {"legend": {"displayMode": "list", "placement": "bottom"},
                        "tooltip": {"mode": "multi"}}
    if kind == "bargauge":
        p["options"] = {"orientation": "horizontal", "displayMode": "gradient",
                        "reduceOptions": {"calcs": ["lastNotNull"], "values": False}}
    if kind == "stat":
        p["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "values": False},
                        "colorMode": "value", "graphMode": "area", "textMode": "auto"}
    for k, v in extra.items():
        if k == "thresholds":
            p["fieldConfig"]["defaults"]["thresholds"] = {"mode": "absolute", "steps": v}
            p["fieldConfig"]["defaults"]["color"] = {"mode": "thresholds"}
        elif k in ("min", "max"):
            p["fieldConfig"]["defaults"][k] = v
        elif k == "options":
            p["options"].update(v)
        else:
            p[k] = v
    return p


def dashboard(uid, title, description, panels):
    for i, p in enumerate(panels, start=1):
        p["id"] = i
    return {
        "uid": uid, "title": title, "description": description,
        "tags": ["leadflow"], "timezone": "browser", "schemaVersion": 38, "version": 1,
        "editable": True, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": [{
            "name": "datasource", "label": "Prometheus", "type": "datasource",
            "query": "prometheus", "current": {}, "hide": 0}]},
        "annotations": {"list": []},
        "links": [{"title": "leadflow", "type": "dashboards", "tags": ["leadflow"],
                   "asDropdown": True}],
        "panels": panels,
    }


def lead_flow():
    recv = "leadflow_intake_leads_received_total"
    return dashboard("leadflow-lead-flow", "leadflow / Lead flow",
                     "Inbound volume by source, accepted and rejected, duplicates, customers vs prospects.", [
        panel("timeseries", "Inbound by source",
              [(f"sum by (source) (rate({recv}[{RI}]))", "{{source}}")], 0, 0, unit="reqps",
              description="Lead submissions per second by source (all outcomes)."),
        panel("timeseries", "Accepted, rejected and duplicate",
              [(f"sum by (outcome) (rate({recv}[{RI}]))", "{{outcome}}")], 12, 0, unit="reqps"),
        panel("bargauge", "Rejections by reason",
              [(f"sum by (reason) (increase(leadflow_intake_rejections_total[$__range]))",
                "{{reason}}")], 0, 8, description="Rejected submissions in the range (each one is on leads.rejected)."),
        panel("timeseries", "Duplicates by source",
              [(f'sum by (source) (rate({recv}{{outcome="duplicate"}}[{RI}]))', "{{source}}")],
              12, 8, unit="reqps", description="Repeat submissions, recorded as FORM_RESUBMITTED engagement."),
        panel("piechart", "Customers and prospects",
              [(f'sum(increase(leadflow_routing_decisions_total{{outcome="CUSTOMER_INBOUND"}}[$__range]))',
                "customer"),
               (f'sum(increase(leadflow_routing_decisions_total{{outcome=~"ASSIGNED|QUEUED|NURTURE|DISQUALIFIED"}}[$__range]))',
                "prospect")], 0, 16,
              description="First routing decisions: customers go to their account owner, prospects to sales or nurture.",
              options={"reduceOptions": {"calcs": ["lastNotNull"], "values": False},
                       "pieType": "donut", "legend": {"displayMode": "table", "placement": "right", "values": ["value", "percent"]}}),
        panel("timeseries", "Dead-lettered (leads.rejected) by reason",
              [(f'sum by (reason) (rate({{__name__=~"leadflow_.+_dead_lettered_total"}}[{RI}]))',
                "{{reason}}")], 12, 16, unit="reqps"),
        panel("stat", "Registry view (accounts)",
              [("max(leadflow_intake_registry_accounts)", "accounts")], 0, 24, w=6, h=5),
        panel("stat", "Registry view age",
              [("max(leadflow_intake_registry_lag_seconds)", "age")], 6, 24, w=6, h=5, unit="s",
              description="Age of the last accounts.changes record intake applied."),
    ])


def funnel():
    scored = "leadflow_scoring_leads_scored_total"
    bands = [{"color": "red", "value": None}, {"color": "orange", "value": 0.03},
             {"color": "green", "value": 0.04}, {"color": "blue", "value": 0.05}]
    return dashboard("leadflow-funnel", "leadflow / Funnel",
                     "MQL rate, conversion to deal against the 3/4/5% bands, disqualification reasons, deal bands.", [
        panel("timeseries", "MQL rate (share of scored leads)",
              [(f'sum(rate({scored}{{outcome="mql"}}[{RI}])) / sum(rate({scored}[{RI}]))', "MQL share")],
              0, 0, unit="percentunit",
              description="Scored leads that are MQLs. A quality signal only: the volume-up, "
                          "conversion-down alert reads deal conversion by cohort (next panel)."),
        panel("bargauge", "Lead-to-deal conversion by submission cohort, against the configured bands",
              [("max by (cohort, segment) (leadflow_routing_cohort_conversion_ratio)",
                "{{cohort}} {{segment}}"),
               ("max by (band) (leadflow_routing_conversion_band_ratio)", "band: {{band}}")],
              12, 0, unit="percentunit",
              description="Deals won from the prospect leads first submitted in a month (UTC) / "
                          "those leads, per segment, for the last 18 months: with year-long "
                          "cycles a young cohort is still converting. The band rows are "
                          "routing_rules.json funnel (shipped 3 % weak, 4 % average, 5 % "
                          "excellent), read from routing's gauges, not coloured here."),
        panel("bargauge", "Disqualification reasons",
              [("sum by (reason) (increase(leadflow_scoring_disqualifications_total[$__range]))",
                "{{reason}}")], 0, 8),
        panel("piechart", "Deal-size bands",
              [("sum by (band) (increase(leadflow_scoring_deal_bands_total[$__range]))", "{{band}}")],
              12, 8, description="Scored leads by expected deal: small (<20 mln RUB), standard (20-50), large (50+).",
              options={"reduceOptions": {"calcs": ["lastNotNull"], "values": False},
                       "pieType": "donut", "legend": {"displayMode": "table", "placement": "right", "values": ["value", "percent"]}}),
        panel("timeseries", "Scored by outcome and segment",
              [(f"sum by (outcome, segment) (rate({scored}[{RI}]))", "{{segment}} {{outcome}}")],
              0, 16, unit="reqps"),
        panel("bargauge", "Sales handoffs: accepted, rejected (with reason), closed",
              [("sum by (kind, reason) (increase(leadflow_routing_feedback_total[$__range]))",
                "{{kind}} {{reason}}")], 12, 16),
        panel("bargauge", "Deals lost by reason",
              [("sum by (reason) (increase(leadflow_routing_deals_lost_total[$__range]))",
                "{{reason}}")], 0, 24,
              description="Deals closed LOST in the range by loss reason code (price, competitor, "
                          "tender lost, no budget, timing, no decision, and the protected "
                          "BUDGET_TOO_SMALL, RIGID_SPEC, TAILORED_FOR_COMPETITOR); UNSPECIFIED "
                          "while require_loss_reason is off. Competitor names and tender reasons "
                          "stay on sales.feedback (docs/domain-rules.md)."),
        panel("bargauge", "Open pipeline value by team and segment (and weighted by stage probability)",
              [("max by (team, segment) (leadflow_routing_pipeline_value_rub)",
                "{{team}} {{segment}} open"),
               ("max by (team, segment) (leadflow_routing_pipeline_value_weighted_rub)",
                "{{team}} {{segment}} weighted")], 12, 24, unit="currencyRUB",
              description="Deal value of the open deals in a stage, and that value times each "
                          "stage's win probability (routing_rules deal_stages). Summed from "
                          "routing's Redis state every 5 s; every replica reports the same "
                          "totals, hence max, not sum."),
        panel("bargauge", "Volume against conversion: the compared cohorts, by segment",
              [("max by (segment, cohort) (leadflow_routing_cohort_compared_conversion_ratio)",
                "{{segment}} {{cohort}}")], 0, 32, unit="percentunit",
              description="The newest cohort at least funnel.compare_at_age_months old (latest) "
                          "and the month before it (previous), each by the deals won by that "
                          "age. LeadflowVolumeUpConversionDown fires when latest has "
                          "funnel.volume_rise_pct more leads and converts less."),
        panel("bargauge", "Marketing's share of won deals and revenue (12 months), against its yardstick",
              [("max by (measure) (leadflow_routing_marketing_won_share_ratio)", "{{measure}}"),
               ("max by (measure) (leadflow_routing_marketing_yardstick_ratio)",
                "yardstick: {{measure}}")], 12, 32, unit="percentunit",
              description="Won deals (new clients) and their revenue from marketing-sourced "
                          "leads (intake's sources[].marketing) / all won, over the last 12 "
                          "months. The yardstick rows are routing_rules.json funnel (shipped: "
                          "up to 20 % of new clients, no more than 2 % of revenue)."),
        panel("bargauge", "Won revenue by source and campaign (12 months)",
              [("max by (marketing_sourced, source, campaign) (leadflow_routing_won_revenue_rub)",
                "{{source}} / {{campaign}} (marketing: {{marketing_sourced}})")], 0, 40, w=24,
              unit="currencyRUB",
              description="Revenue of the deals won in the last 12 months by the lead's source "
                          "and campaign (intake's campaigns; unknown ones as other). The value "
                          "is the deal's value in its last stage, else the lead's expected "
                          "deal."),
    ])


def routing():
    stl = "leadflow_routing_speed_to_lead_seconds_bucket"
    qs = [(f"histogram_quantile({q}, sum by (le) (rate({stl}[{RI}])))", f"p{int(q * 100)}")
          for q in (0.5, 0.95, 0.99)]
    return dashboard("leadflow-routing", "leadflow / Routing",
                     "Speed to lead, decisions by team, rep load against capacity, queues and SLA breaches.", [
        panel("timeseries", "Speed to lead p50 / p95 / p99", qs, 0, 0, unit="s",
              description="Time from first submission to the routing decision."),
        panel("timeseries", "Decisions by team",
              [("sum by (team) (rate(leadflow_routing_decisions_total[%s]))" % RI, "{{team}}")],
              12, 0, unit="reqps"),
        panel("bargauge", "Rep load against capacity",
              [("max by (team, rep) (leadflow_routing_rep_open_leads) / max by (team, rep) (leadflow_routing_rep_capacity_leads)",
                "{{team}}/{{rep}}")], 0, 8, h=12, unit="percentunit",
              thresholds=[{"color": "green", "value": None}, {"color": "orange", "value": 0.8},
                          {"color": "red", "value": 1}],
              min=0, max=1),
        panel("timeseries", "Queue depth by team",
              [("max by (team) (leadflow_routing_queue_depth)", "{{team}}")], 12, 8,
              description="Qualified leads waiting for capacity (overflow: QUEUE)."),
        panel("timeseries", "SLA breaches by team",
              [("sum by (team, kind) (increase(leadflow_routing_sla_breaches_total[%s]))" % RI,
                "{{team}} {{kind}}")], 12, 16, h=4),
        panel("timeseries", "Decisions by outcome",
              [("sum by (outcome) (rate(leadflow_routing_decisions_total[%s]))" % RI, "{{outcome}}")],
              0, 20, unit="reqps"),
        panel("timeseries", "Re-assignments after SLA expiry",
              [("sum by (team) (increase(leadflow_routing_reassignments_total[%s]))" % RI, "{{team}}")],
              12, 20),
        panel("bargauge", "Fairness: each rep's share of its team's assignments (1 d) against its weight share",
              [("max by (team, rep) (leadflow:rep_assignment_share:1d)", "{{team}}/{{rep}} share"),
               ("max by (team, rep) (leadflow_routing_rep_weight_share_ratio)", "{{team}}/{{rep}} weight")],
              0, 28, w=24, h=12, unit="percentunit",
              description="Round-robin assignments (ASSIGNED, REASSIGNED; named owners' not counted) "
                          "of each rep over the last day / its team's, next to the rep's weight / "
                          "the team's weights. LeadflowRepShareOffWeight fires past "
                          "routing_rules.json fairness.tolerance_pct (shipped 10 points)."),
    ])


def nurture():
    return dashboard("leadflow-nurture", "leadflow / Nurture",
                     "Touches sent and suppressed, exits, and the customer/prospect wall.", [
        panel("stat", "Audience violations (must be 0)",
              [("sum(leadflow_audience_violations_total)", "violations")], 0, 0, w=8, h=8,
              description="Blocked attempts to mix customers and prospects. Anything above 0 is a bug: LeadflowAudienceViolation pages.",
              thresholds=[{"color": "green", "value": None}, {"color": "red", "value": 1}],
              options={"colorMode": "background", "graphMode": "none", "textMode": "value"}),
        panel("timeseries", "Touches by outcome",
              [("sum by (outcome) (rate(leadflow_nurture_touches_total[%s]))" % RI, "{{outcome}}")],
              8, 0, w=16, unit="reqps"),
        panel("bargauge", "Suppressed touches by reason",
              [('sum by (reason) (increase(leadflow_nurture_touches_total{outcome="suppressed"}[$__range]))',
                "{{reason}}")], 0, 8),
        panel("bargauge", "Exits by reason",
              [("sum by (reason) (increase(leadflow_nurture_exits_total[$__range]))", "{{reason}}")],
              12, 8),
        panel("bargauge", "Enrolments by track",
              [("sum by (track) (increase(leadflow_nurture_enrolments_total[$__range]))", "{{track}}")],
              0, 16, w=24),
    ])


def platform():
    def m(what):
        return '{__name__=~"leadflow_.+_%s"}' % what
    return dashboard("leadflow-platform", "leadflow / Platform",
                     "Consumer lag, throughput, processing latency, errors, dead letters and restarts of every service.", [
        panel("timeseries", "Consumer lag by service and topic",
              [("sum by (job, topic) (clamp_min(%s, 0))" % m("consumer_lag_messages"), "{{job}} {{topic}}")],
              0, 0, description="Sum over partitions of librdkafka's consumer_lag; KEDA scales on it."),
        panel("timeseries", "Consumed and produced per second",
              [("sum by (job) (rate(%s[%s]))" % (m("messages_consumed_total"), RI), "{{job}} in"),
               ("sum by (job) (rate(%s[%s]))" % (m("messages_produced_total"), RI), "{{job}} out")],
              12, 0, unit="reqps"),
        panel("timeseries", "Processing latency p95",
              [("histogram_quantile(0.95, sum by (job, le) (rate(%s[%s])))"
                % (m("processing_seconds_bucket"), RI), "{{job}}")], 0, 8, unit="s"),
        panel("timeseries", "Errors by service and reason",
              [("sum by (job, reason) (increase(%s[%s]))" % (m("errors_total"), RI),
                "{{job}} {{reason}}")], 12, 8),
        panel("timeseries", "Dead-lettered by service and reason",
              [("sum by (job, reason) (increase(%s[%s]))" % (m("dead_lettered_total"), RI),
                "{{job}} {{reason}}")], 0, 16),
        panel("bargauge", "Restarts (process start time changes)",
              [("sum by (job) (changes(%s[$__range]))" % m("process_start_time_seconds"),
                "{{job}}")], 12, 16,
              thresholds=[{"color": "green", "value": None}, {"color": "red", "value": 1}]),
        panel("table", "Build info and scrape health",
              [("max by (job, version) (%s)" % m("build_info"), "", "A", True),
               ('min by (job) (up{job=~"leadflow-.+"})', "", "B", True)], 0, 24, w=24, h=6),
    ])


DASHBOARDS = {"lead-flow": lead_flow, "funnel": funnel, "routing": routing,
              "nurture": nurture, "platform": platform}


def prometheus_rule():
    with open(RULES, encoding="utf-8") as f:
        text = f.read()
    groups = text[text.index("groups:"):]
    head = ("# GENERATED by deploy/generate.py from deploy/prometheus/leadflow.rules.yml; do not edit.\n"
            "apiVersion: monitoring.coreos.com/v1\n"
            "kind: PrometheusRule\n"
            "metadata:\n"
            "  name: leadflow\n"
            "  labels:\n"
            "    app.kubernetes.io/name: leadflow\n"
            "    # The kube-prometheus-stack default ruleSelector.\n"
            "    release: prometheus\n"
            "spec:\n")
    return head + "".join(("  " + line) if line.strip() else line
                          for line in groups.splitlines(keepends=True))


def render():
    out = {os.path.join(OUT, f"{name}.json"): json.dumps(fn(), indent=2, ensure_ascii=False) + "\n"
           for name, fn in DASHBOARDS.items()}
    out[PROMETHEUS_RULE] = prometheus_rule()
    return out


if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    stale = []
    for path, text in render().items():
        try:
            with open(path, encoding="utf-8") as f:
                current = f.read()
        except OSError:
            current = None
        if current == text:
            continue
        if check:
            stale.append(os.path.relpath(path, os.path.dirname(DEPLOY)))
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {os.path.relpath(path, os.path.dirname(DEPLOY))}", file=sys.stderr)
    if stale:
        print("out of date (run python3 deploy/generate.py): " + ", ".join(stale))
        sys.exit(1)
