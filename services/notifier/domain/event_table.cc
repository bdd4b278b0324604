#include "notifier/domain/event_table.h"

#include "common/kafka/topics.h"

namespace leadflow::notifier {

std::vector<std::string> EventTable::Topics() const {
  std::vector<std::string> topics;
  for (const auto& s : sources_) topics.push_back(s.topic);
  return topics;
}

const EventSource* EventTable::Find(const std::string& topic) const {
  for (const auto& s : sources_) {
    if (s.topic == topic) return &s;
  }
  return nullptr;
}

const EventTable& DefaultEventTable() {
  static const EventTable kTable({
      {topics::kLeadsAssigned, DecodeLeadAssigned},
      {topics::kDealsStalls, DecodeDealStalled},
      {topics::kSlaEscalations, DecodeSlaEscalation},
      {topics::kAccountsNotifications, DecodeAccountNotification},
  });
  return kTable;
}

}  // namespace leadflow::notifier
