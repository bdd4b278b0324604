// Test helpers: a small NurtureConfig built in code (never the shipped file).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>

#include "leadflow/config/v1/nurture_config.pb.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture::testutil {

namespace cv1 = leadflow::common::v1;

inline void AddContent(leadflow::config::v1::NurtureConfig& c, const std::string& id,
                       cv1::Relationship audience, const std::string& topic,
                       cv1::NewsType type = cv1::ANALYTICS, bool pitch = false,
                       bool event = false) {
  auto* item = c.add_catalogue();
  item->set_content_id(id);
  item->set_title(id);
  item->set_audience(audience);
  item->set_topic(topic);
  item->set_news_type(type);
  item->set_product_pitch(pitch);
  item->set_event(event);
}

inline void AddStep(leadflow::config::v1::Track* t, const std::string& content, int delay_hours,
                    cv1::Channel channel = cv1::EMAIL) {
  auto* s = t->add_steps();
  s->set_content_id(content);
  s->set_delay_hours(delay_hours);
  s->set_channel(channel);
}

// A yearly programme of `track` (window 14 days), appended to c.programmes.
inline leadflow::config::v1::Programme* AddProgramme(leadflow::config::v1::NurtureConfig& c,
                                                     const std::string& id,
                                                     const std::string& track) {
  auto* p = c.add_programmes();
  p->set_programme_id(id);
  p->set_period_days(365);
  p->set_enrol_window_days(14);
  p->set_track_id(track);
  return p;
}

// Tracks (index: id):
//  0 "p-status-quo"  PROSPECT prio 100, stages [STATUS_QUO]: analytics x2
//  1 "p-economic"    PROSPECT prio 50, ECONOMIC at PROBLEM_AWARE/READY_TO_BUY: roi, webinar, pitch
//  2 "p-general"     PROSPECT prio 0, any: analytics (0h), results (24h), analytics-2 (48h)
//  3 "c-general"     CUSTOMER prio 0, any: customer update, survey
// Campaign "roi-webinar" serves both audiences: p-webinar and c-webinar.
inline leadflow::config::v1::NurtureConfig SampleConfig() {
  leadflow::config::v1::NurtureConfig c;
  c.set_version("nurture-test-1");
  AddContent(c, "p-analytics", cv1::PROSPECT, "analytics");
  AddContent(c, "p-analytics-2", cv1::PROSPECT, "analytics");
  AddContent(c, "p-results", cv1::PROSPECT, "company_results", cv1::YEAR_RESULTS);
  AddContent(c, "p-roi-case", cv1::PROSPECT, "roi", cv1::PROJECT_COMPLETION);
  AddContent(c, "p-webinar", cv1::PROSPECT, "roi", cv1::SPECIAL_PROJECT, false, true);
  AddContent(c, "p-pilot", cv1::PROSPECT, "roi", cv1::SPECIAL_PROJECT, true);
  AddContent(c, "p-partnership", cv1::PROSPECT, "standards", cv1::PARTNERSHIP);
  AddContent(c, "c-update", cv1::CUSTOMER, "product_updates", cv1::NEW_PRODUCT);
  AddContent(c, "c-survey", cv1::CUSTOMER, "satisfaction", cv1::SPECIAL_PROJECT);
  // 9: a weak item, sendable only with its client benefit.
  AddContent(c, "p-weak-integration", cv1::PROSPECT, "standards", cv1::NEW_PRODUCT);
  c.mutable_catalogue(9)->set_weak(true);
  c.mutable_catalogue(9)->set_client_benefit("no changes to your accounting system");
  // 10: the customer variant of the ROI webinar campaign (p-webinar is the prospect one).
  AddContent(c, "c-webinar", cv1::CUSTOMER, "roi", cv1::SPECIAL_PROJECT, false, true);
  c.mutable_catalogue(4)->set_campaign_id("roi-webinar");
  c.mutable_catalogue(10)->set_campaign_id("roi-webinar");
  auto* camp = c.add_campaigns();
  camp->set_campaign_id("roi-webinar");
  camp->add_audiences(cv1::PROSPECT);
  camp->add_audiences(cv1::CUSTOMER);

  auto* sq = c.add_tracks();
  sq->set_track_id("p-status-quo");
  sq->set_audience(cv1::PROSPECT);
  sq->set_priority(100);
  sq->mutable_selector()->add_buyer_stages(cv1::STATUS_QUO);
  AddStep(sq, "p-analytics", 0);
  AddStep(sq, "p-analytics-2", 168);

  auto* eco = c.add_tracks();
  eco->set_track_id("p-economic");
  eco->set_audience(cv1::PROSPECT);
  eco->set_priority(50);
  eco->mutable_selector()->add_buyer_classes(cv1::ECONOMIC);
  eco->mutable_selector()->add_buyer_stages(cv1::PROBLEM_AWARE);
  eco->mutable_selector()->add_buyer_stages(cv1::READY_TO_BUY);
  AddStep(eco, "p-roi-case", 0);
  AddStep(eco, "p-webinar", 120, cv1::WEBINAR_INVITATION);
  AddStep(eco, "p-pilot", 168, cv1::SPECIAL_OFFER_WITH_CALL);

  auto* gen = c.add_tracks();
  gen->set_track_id("p-general");
  gen->set_audience(cv1::PROSPECT);
  gen->set_priority(0);
  AddStep(gen, "p-analytics", 0);
  AddStep(gen, "p-results", 24);
  AddStep(gen, "p-analytics-2", 24);

  auto* cust = c.add_tracks();
  cust->set_track_id("c-general");
  cust->set_audience(cv1::CUSTOMER);
  AddStep(cust, "c-update", 0);
  AddStep(cust, "c-survey", 336, cv1::QUESTIONNAIRE);

  c.mutable_caps()->set_per_day(1);
  c.mutable_caps()->set_per_week(3);
  c.mutable_quiet_hours()->set_start_hour(21);
  c.mutable_quiet_hours()->set_end_hour(9);
  c.mutable_quiet_hours()->set_default_time_zone("Europe/Moscow");
  c.set_max_event_share(0.34);
  return c;
}

inline std::shared_ptr<const NurturePolicy> MustPolicy(leadflow::config::v1::NurtureConfig c) {
  auto p = NurturePolicy::Create(std::move(c));
  if (!p.ok()) throw std::runtime_error(p.status().message());
  return *p;
}

}  // namespace leadflow::nurture::testutil
