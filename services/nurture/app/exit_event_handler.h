// The exits (docs/domain-rules.md §6, §7): leads.assigned, engagement.events
// and sales.feedback, one record at a time.
//  - leads.assigned: handed to sales (MQL assigned), the contact leaves every
//    nurture track, but an enrolment routing decided on after the assignment
//    (a protected rejection sent the lead back) is kept.
//  - sales.feedback: an acceptance ends the lead's nurture (a rejection with a
//    protected reason comes back from routing on leads.nurture).
//  - engagement.events: a reply or a booked meeting exits the contact's
//    enrolments; an unsubscribe or withdrawn consent unsubscribes the contact.
//    A reply or booked meeting (a questionnaire answer is a reply to
//    questionnaire content) of a CUSTOMER account is also told to its owner on
//    accounts.notifications (CUSTOMER_RESPONDED), after the registry view
//    confirms the account is a customer (kUnavailable while the view is not
//    ready: the event is retried, never guessed).
// Thread-safe as far as its stores are.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/kafka/consumer_loop.h"
#include "common/registry/account_registry.h"
#include "leadflow/engagement/v1/engagement.pb.h"
#include "nurture/app/enrolment_exits.h"
#include "nurture/app/nurture_metrics.h"
#include "nurture/app/nurture_store.h"
#include "nurture/domain/nurture_policy.h"

namespace leadflow::nurture {

class ExitEventHandler {
 public:
  ExitEventHandler(std::shared_ptr<const NurturePolicy> policy, NurtureStore& store,
                   registry::AccountRegistry& registry, NurtureMetrics& metrics,
                   EnrolmentExits& exits)
      : policy_(std::move(policy)),
        store_(store),
        registry_(registry),
        metrics_(metrics),
        exits_(exits) {}

  Status Handle(const kafka::ConsumedMessage& message, std::vector<kafka::OutgoingMessage>& out);

 private:
  Status OnLeadAssigned(const kafka::ConsumedMessage& message);
  Status OnSalesFeedback(const kafka::ConsumedMessage& message);
  Status OnEngagement(const kafka::ConsumedMessage& message,
                      std::vector<kafka::OutgoingMessage>& out);
  // A CUSTOMER_RESPONDED notification for an engagement event of a customer
  // account (none for a prospect or an unknown account).
  Status NotifyResponse(const leadflow::engagement::v1::EngagementEvent& ev,
                        const std::string& contact, std::vector<kafka::OutgoingMessage>& out);
  // Whose account an engagement is: the event's, else the programme
  // recipient's, else the account of one of the contact's enrolments ("": none).
  StatusOr<std::string> AccountOf(const leadflow::engagement::v1::EngagementEvent& ev,
                                  const std::string& contact);

  std::shared_ptr<const NurturePolicy> policy_;
  NurtureStore& store_;
  registry::AccountRegistry& registry_;
  NurtureMetrics& metrics_;
  EnrolmentExits& exits_;
};

}  // namespace leadflow::nurture
