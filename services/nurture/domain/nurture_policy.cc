#include "nurture/domain/nurture_policy.h"

#include <algorithm>
#include <set>

#include "nurture/domain/send_window.h"

namespace leadflow::nurture {
namespace {

namespace cv1 = leadflow::common::v1;
using leadflow::config::v1::NurtureConfig;

Status Err(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("nurture config: " + where + ": " + what);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

template <typename Repeated, typename T>
bool ContainsOrEmpty(const Repeated& list, const T& v) {
  return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

bool IsAudience(cv1::Relationship r) { return r == cv1::PROSPECT || r == cv1::CUSTOMER; }

// The query's coverage is known and misses at least one of `classes`.
template <typename Repeated>
bool MissesOneOf(const TrackQuery& q, const Repeated& classes) {
  if (!q.coverage_known) return false;
  for (const auto cls : classes) {
    if (std::find(q.missing_buyer_classes.begin(), q.missing_buyer_classes.end(), cls) !=
        q.missing_buyer_classes.end()) {
      return true;
    }
  }
  return false;
}

// Campaigns: every audience a campaign serves has its own variant.
Status CheckCampaignList(const NurtureConfig& c,
                         std::map<std::string, std::set<cv1::Relationship>>& campaign_audiences) {
  for (int i = 0; i < c.campaigns_size(); ++i) {
    const auto& camp = c.campaigns(i);
    const std::string f = "campaigns[" + std::to_string(i) + "] " + Quote(camp.campaign_id());
    if (camp.campaign_id().empty()) return Err(f, "campaign_id must not be empty");
    if (camp.audiences().empty()) return Err(f, "audiences must list PROSPECT and/or CUSTOMER");
    std::set<cv1::Relationship> audiences;
    for (int a : camp.audiences()) {
      const auto r = static_cast<cv1::Relationship>(a);
      if (!IsAudience(r)) return Err(f, "audiences may only be PROSPECT or CUSTOMER");
      if (!audiences.insert(r).second) return Err(f, "audience listed twice");
    }
    if (!campaign_audiences.emplace(camp.campaign_id(), audiences).second) {
      return Err(f, "duplicate campaign_id");
    }
  }
  return Status::Ok();
}

// Each catalogue item of a campaign is a variant for an audience the campaign
// serves, and each audience it serves has a variant.
Status CheckCampaigns(const NurtureConfig& c) {
  std::map<std::string, std::set<cv1::Relationship>> campaign_audiences;
  if (Status s = CheckCampaignList(c, campaign_audiences); !s.ok()) return s;
  std::map<std::string, std::set<cv1::Relationship>> variants;
  for (int i = 0; i < c.catalogue_size(); ++i) {
    const auto& item = c.catalogue(i);
    if (item.campaign_id().empty()) continue;
    const std::string f = "catalogue[" + std::to_string(i) + "] " + Quote(item.content_id());
    auto it = campaign_audiences.find(item.campaign_id());
    if (it == campaign_audiences.end()) {
      return Err(f, "campaign_id " + Quote(item.campaign_id()) + " is not declared in campaigns");
    }
    if (it->second.count(item.audience()) == 0) {
      return Err(f, "is a " + cv1::Relationship_Name(item.audience()) + " variant of campaign " +
                        Quote(item.campaign_id()) + ", which does not serve that audience");
    }
    variants[item.campaign_id()].insert(item.audience());
  }
  for (int i = 0; i < c.campaigns_size(); ++i) {
    const auto& camp = c.campaigns(i);
    for (int a : camp.audiences()) {
      const auto r = static_cast<cv1::Relationship>(a);
      if (variants[camp.campaign_id()].count(r) == 0) {
        return Err("campaigns[" + std::to_string(i) + "] " + Quote(camp.campaign_id()),
                   "serves " + cv1::Relationship_Name(r) +
                       " but has no variant for it (a campaign for both audiences needs a "
                       "separate variant for each)");
      }
    }
  }
  return Status::Ok();
}

Status CheckOptInTopics(const NurtureConfig& c, std::set<std::string>& opt_in_topics) {
  for (int i = 0; i < c.customer_opt_in_topics_size(); ++i) {
    const std::string& topic = c.customer_opt_in_topics(i);
    const std::string f = "customer_opt_in_topics[" + std::to_string(i) + "]";
    if (topic.empty()) return Err(f, "must not be empty");
    if (!opt_in_topics.insert(topic).second)
      return Err(f, "topic " + Quote(topic) + " listed twice");
  }
  return Status::Ok();
}

// No selector list names an UNSPECIFIED value; only prospect tracks select
// rejection reasons (sales sends back prospects only).
Status CheckSelector(const leadflow::config::v1::Track& track, const std::string& tf) {
  const auto& sel = track.selector();
  for (auto s : sel.segments()) {
    if (s == cv1::SEGMENT_UNSPECIFIED) return Err(tf, "selector.segments has SEGMENT_UNSPECIFIED");
  }
  for (auto b : sel.buyer_classes()) {
    if (b == cv1::BUYER_CLASS_UNSPECIFIED) {
      return Err(tf, "selector.buyer_classes has BUYER_CLASS_UNSPECIFIED");
    }
  }
  for (auto r : sel.decision_roles()) {
    if (r == cv1::DECISION_ROLE_UNSPECIFIED) {
      return Err(tf, "selector.decision_roles has DECISION_ROLE_UNSPECIFIED");
    }
  }
  for (auto st : sel.buyer_stages()) {
    if (st == cv1::BUYER_STAGE_UNSPECIFIED) {
      return Err(tf, "selector.buyer_stages has BUYER_STAGE_UNSPECIFIED");
    }
  }
  for (int i = 0; i < sel.rejection_reasons_size(); ++i) {
    if (sel.rejection_reasons(i) == cv1::REASON_UNSPECIFIED) {
      return Err(tf, "selector.rejection_reasons has REASON_UNSPECIFIED");
    }
  }
  for (int i = 0; i < sel.missing_buyer_classes_size(); ++i) {
    if (sel.missing_buyer_classes(i) == cv1::BUYER_CLASS_UNSPECIFIED) {
      return Err(tf, "selector.missing_buyer_classes has BUYER_CLASS_UNSPECIFIED");
    }
  }
  if (sel.rejection_reasons_size() > 0 && track.audience() != cv1::PROSPECT) {
    return Err(tf,
               "selector.rejection_reasons is for PROSPECT tracks only (sales sends back "
               "prospects only)");
  }
  return Status::Ok();
}

Status CheckBothBasesHaveTracks(const NurtureConfig& c) {
  for (auto audience : {cv1::PROSPECT, cv1::CUSTOMER}) {
    bool any = false;
    for (const auto& track : c.tracks()) any = any || track.audience() == audience;
    if (!any) {
      return Err("tracks", "no " + cv1::Relationship_Name(audience) +
                               " track: both bases need their own tracks");
    }
  }
  return Status::Ok();
}

Status CheckCaps(const NurtureConfig& c) {
  if (!c.has_caps()) return Err("caps", "must be set");
  if (c.caps().per_day() <= 0) return Err("caps.per_day", "must be > 0");
  if (c.caps().per_week() <= 0) return Err("caps.per_week", "must be > 0");
  if (c.caps().per_week() < c.caps().per_day()) {
    return Err("caps.per_week", "must be >= caps.per_day");
  }
  return Status::Ok();
}

Status CheckQuietHours(const NurtureConfig& c) {
  if (!c.has_quiet_hours()) return Err("quiet_hours", "must be set");
  const auto& q = c.quiet_hours();
  if (q.start_hour() < 0 || q.start_hour() > 23)
    return Err("quiet_hours.start_hour", "must be in 0..23");
  if (q.end_hour() < 0 || q.end_hour() > 23) return Err("quiet_hours.end_hour", "must be in 0..23");
  if (q.default_time_zone().empty()) return Err("quiet_hours.default_time_zone", "must be set");
  if (!IsKnownTimeZone(q.default_time_zone())) {
    return Err("quiet_hours.default_time_zone",
               "unknown time zone " + Quote(q.default_time_zone()));
  }
  return Status::Ok();
}

}  // namespace

bool IsWebsiteOnly(cv1::NewsType type) {
  switch (type) {
    case cv1::NEW_DIVISION:
    case cv1::PROJECT_START:
    case cv1::PARTNERSHIP:
    case cv1::APPOINTMENT:
    case cv1::EVENT_REPORT:
    case cv1::RATING:
      return true;
    default:
      return false;
  }
}

// Validation, step by step (each returns the first error it meets, worded
// "nurture config: <field>: <what>"). The order is the error order.
StatusOr<std::shared_ptr<const NurturePolicy>> NurturePolicy::Create(NurtureConfig config) {
  auto p = std::shared_ptr<NurturePolicy>(new NurturePolicy());
  p->config_ = std::move(config);
  const NurtureConfig& c = p->config_;
  if (c.version().empty()) return Err("version", "must not be empty");
  if (Status s = p->IndexCatalogue(); !s.ok()) return s;
  if (Status s = CheckCampaigns(c); !s.ok()) return s;
  std::set<std::string> opt_in_topics;
  if (Status s = CheckOptInTopics(c, opt_in_topics); !s.ok()) return s;
  if (c.max_event_share() <= 0 || c.max_event_share() > 1) {
    return Err("max_event_share", "must be in (0, 1]");
  }
  if (c.tracks_size() == 0) return Err("tracks", "at least one track is required");
  for (int t = 0; t < c.tracks_size(); ++t) {
    if (Status s = p->IndexTrack(t, opt_in_topics); !s.ok()) return s;
  }
  if (Status s = CheckBothBasesHaveTracks(c); !s.ok()) return s;
  for (int i = 0; i < c.programmes_size(); ++i) {
    if (Status s = p->IndexProgramme(i); !s.ok()) return s;
  }
  if (!c.programmes().empty() && c.programme_scan_seconds() < 0) {
    return Err("programme_scan_seconds", "must be >= 0 (0: the default, 3600)");
  }
  if (Status s = CheckCaps(c); !s.ok()) return s;
  if (Status s = CheckQuietHours(c); !s.ok()) return s;
  return std::shared_ptr<const NurturePolicy>(p);
}

// Every catalogue item: an id, one audience, a topic (topics are
// suppressible) and a news type.
Status NurturePolicy::IndexCatalogue() {
  const NurtureConfig& c = config_;
  for (int i = 0; i < c.catalogue_size(); ++i) {
    const auto& item = c.catalogue(i);
    const std::string f = "catalogue[" + std::to_string(i) + "] " + Quote(item.content_id());
    if (item.content_id().empty()) return Err(f, "content_id must not be empty");
    if (!content_index_.emplace(item.content_id(), i).second) {
      return Err(f, "duplicate content_id");
    }
    if (!IsAudience(item.audience())) {
      return Err(f, "audience must be PROSPECT or CUSTOMER (each variant declares one audience)");
    }
    if (item.topic().empty()) return Err(f, "topic must be set (topics are suppressible)");
    if (item.news_type() == cv1::NEWS_TYPE_UNSPECIFIED) return Err(f, "news_type must be set");
  }
  return Status::Ok();
}

// One track: its id and audience, its selector, its opt-in intents, each
// step, and its share of events.
Status NurturePolicy::IndexTrack(int t, const std::set<std::string>& opt_in_topics) {
  const NurtureConfig& c = config_;
  const auto& track = c.tracks(t);
  const std::string tf = "tracks[" + std::to_string(t) + "] " + Quote(track.track_id());
  if (track.track_id().empty()) return Err(tf, "track_id must not be empty");
  if (!track_index_.emplace(track.track_id(), t).second) return Err(tf, "duplicate track_id");
  if (!IsAudience(track.audience())) {
    return Err(tf, "audience must be exactly one of PROSPECT or CUSTOMER, got " +
                       cv1::Relationship_Name(track.audience()));
  }
  if (Status s = CheckSelector(track, tf); !s.ok()) return s;
  for (int i = 0; i < track.opt_in_intents_size(); ++i) {
    if (track.opt_in_intents(i).empty()) {
      return Err(tf, "opt_in_intents[" + std::to_string(i) + "] must not be empty");
    }
  }
  if (track.steps_size() == 0) return Err(tf, "has no steps");
  int events = 0;
  for (int s = 0; s < track.steps_size(); ++s) {
    if (Status st = CheckStep(track, tf, s, opt_in_topics); !st.ok()) return st;
    if (FindContent(track.steps(s).content_id())->event()) ++events;
  }
  const double share = static_cast<double>(events) / track.steps_size();
  if (share > c.max_event_share() + 1e-9) {
    return Err(tf, "events are " + std::to_string(events) + " of " +
                       std::to_string(track.steps_size()) + " steps, above max_event_share " +
                       std::to_string(c.max_event_share()));
  }
  return Status::Ok();
}

// One step of a track: its content is in the catalogue, of the track's
// audience, pushable, opt-in where its topic asks for it, with a benefit
// when weak, no pitch at status quo, a channel and a delay.
Status NurturePolicy::CheckStep(const leadflow::config::v1::Track& track, const std::string& tf,
                                int s, const std::set<std::string>& opt_in_topics) const {
  const auto& step = track.steps(s);
  const auto& sel = track.selector();
  const bool opt_in = track.opt_in_intents_size() > 0;
  // A contact who asked for the track is not at status quo about it.
  const bool reaches_status_quo =
      !opt_in &&
      (sel.buyer_stages().empty() || std::find(sel.buyer_stages().begin(), sel.buyer_stages().end(),
                                               cv1::STATUS_QUO) != sel.buyer_stages().end());
  const std::string sf =
      tf + ": steps[" + std::to_string(s) + "] content " + Quote(step.content_id());
  const auto* item = FindContent(step.content_id());
  if (item == nullptr) return Err(sf, "is not in the catalogue");
  if (item->audience() != track.audience()) {
    return Err(sf, "has audience " + cv1::Relationship_Name(item->audience()) + ", the track " +
                       cv1::Relationship_Name(track.audience()) + " (audiences never mix)");
  }
  if (IsWebsiteOnly(item->news_type())) {
    return Err(sf, "is website-only news (" + cv1::NewsType_Name(item->news_type()) +
                       "), never pushed in a track");
  }
  if (track.audience() == cv1::CUSTOMER && !opt_in && opt_in_topics.count(item->topic()) > 0) {
    return Err(sf, "has topic " + Quote(item->topic()) +
                       ", which is in customer_opt_in_topics: a customer track carrying it "
                       "must be opt-in (set opt_in_intents)");
  }
  if (item->weak() && item->client_benefit().empty()) {
    return Err(sf, "is a weak item without a client_benefit");
  }
  if (item->product_pitch() && reaches_status_quo) {
    return Err(sf,
               std::string("is a product pitch, but the track ") +
                   (sel.buyer_stages().empty() ? "selects any buyer stage" : "selects STATUS_QUO") +
                   " (no pitch at status quo)");
  }
  if (step.channel() == cv1::CHANNEL_UNSPECIFIED) return Err(sf, "channel must be set");
  if (step.delay_hours() < 0) return Err(sf, "delay_hours must be >= 0");
  return Status::Ok();
}

// One programme: an id that cannot break a touch id, a period and enrol
// window, and customer tracks that are not opt-in.
Status NurturePolicy::IndexProgramme(int i) {
  const auto& prog = config_.programmes(i);
  const std::string f = "programmes[" + std::to_string(i) + "] " + Quote(prog.programme_id());
  if (prog.programme_id().empty()) return Err(f, "programme_id must not be empty");
  if (prog.programme_id().find_first_of(":~") != std::string::npos) {
    return Err(f, "programme_id must not contain ':' or '~' (they separate touch ids)");
  }
  if (!programme_index_.emplace(prog.programme_id(), i).second) {
    return Err(f, "duplicate programme_id");
  }
  if (prog.period_days() <= 0) return Err(f, "period_days must be > 0");
  if (prog.enrol_window_days() <= 0 || prog.enrol_window_days() > prog.period_days()) {
    return Err(f, "enrol_window_days must be in 1..period_days");
  }
  if (prog.track_id().empty()) return Err(f, "track_id must be set");
  if (!prog.small_base_track_id().empty() && prog.large_base_min_accounts() <= 0) {
    return Err(f, "large_base_min_accounts must be > 0 when small_base_track_id is set");
  }
  if (prog.large_base_min_accounts() < 0) return Err(f, "large_base_min_accounts must be >= 0");
  for (const auto& [field, id] : {std::pair<std::string, std::string>{"track_id", prog.track_id()},
                                  {"small_base_track_id", prog.small_base_track_id()}}) {
    if (id.empty()) continue;
    const auto* track = FindTrack(id);
    if (track == nullptr) return Err(f, field + " " + Quote(id) + " is not a track");
    if (track->audience() != cv1::CUSTOMER) {
      return Err(f, field + " " + Quote(id) + " has audience " +
                        cv1::Relationship_Name(track->audience()) +
                        ": programmes are for customers only");
    }
    if (track->opt_in_intents_size() > 0) {
      return Err(f, field + " " + Quote(id) +
                        " is opt-in: a programme would push it to customers who did not ask");
    }
  }
  return Status::Ok();
}

const leadflow::config::v1::ContentItem* NurturePolicy::FindContent(
    const std::string& content_id) const {
  auto it = content_index_.find(content_id);
  return it == content_index_.end() ? nullptr : &config_.catalogue(it->second);
}

const leadflow::config::v1::Track* NurturePolicy::FindTrack(const std::string& track_id) const {
  auto it = track_index_.find(track_id);
  return it == track_index_.end() ? nullptr : &config_.tracks(it->second);
}

const leadflow::config::v1::Programme* NurturePolicy::FindProgramme(
    const std::string& programme_id) const {
  auto it = programme_index_.find(programme_id);
  return it == programme_index_.end() ? nullptr : &config_.programmes(it->second);
}

const leadflow::config::v1::Track* NurturePolicy::SelectTrack(const TrackQuery& q) const {
  // A lead sent back for a reason some track lists goes there first
  // (account development); otherwise it is nurtured like any other.
  if (q.rejection_reason != cv1::REASON_UNSPECIFIED) {
    if (const auto* track = BestTrack(q, /*for_reason=*/true)) return track;
  }
  return BestTrack(q, /*for_reason=*/false);
}

const leadflow::config::v1::Track* NurturePolicy::BestTrack(const TrackQuery& q,
                                                            bool for_reason) const {
  const leadflow::config::v1::Track* best = nullptr;
  for (const auto& track : config_.tracks()) {
    if (track.audience() != q.audience) continue;
    if (track.opt_in_intents_size() > 0 &&
        (q.intent.empty() || std::find(track.opt_in_intents().begin(), track.opt_in_intents().end(),
                                       q.intent) == track.opt_in_intents().end())) {
      continue;  // opt-in: only for a contact who asked
    }
    const auto& sel = track.selector();
    const auto& reasons = sel.rejection_reasons();
    if (for_reason != !reasons.empty()) continue;
    if (for_reason &&
        std::find(reasons.begin(), reasons.end(), q.rejection_reason) == reasons.end()) {
      continue;  // account development for another reason
    }
    if (!sel.missing_buyer_classes().empty() && !MissesOneOf(q, sel.missing_buyer_classes())) {
      continue;  // aimed at a buyer class the account has (or may have: unknown)
    }
    if (!ContainsOrEmpty(sel.segments(), q.segment) ||
        !ContainsOrEmpty(sel.buyer_classes(), q.buyer_class) ||
        !ContainsOrEmpty(sel.decision_roles(), q.decision_role) ||
        !ContainsOrEmpty(sel.buyer_stages(), q.buyer_stage)) {
      continue;
    }
    if (best == nullptr || track.priority() > best->priority()) best = &track;
  }
  return best;
}

}  // namespace leadflow::nurture
