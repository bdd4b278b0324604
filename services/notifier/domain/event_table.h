// The event -> notification table: which topics the notifier consumes and how
// each is decoded (docs/notifier.md). Adding an event (e.g. the SLA reminder
// and escalation events of issue 19.3) is one entry in DefaultEventTable()
// plus its decoder; the consumer subscribes to every topic listed here.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "notifier/domain/event_decoders.h"

namespace leadflow::notifier {

struct EventSource {
  std::string topic;
  std::function<DecodeResult(const std::string& payload)> decode;
};

class EventTable {
 public:
  explicit EventTable(std::vector<EventSource> sources) : sources_(std::move(sources)) {}

  // The topics to subscribe to, in table order.
  std::vector<std::string> Topics() const;
  // The entry for `topic`; nullptr if it is not in the table.
  const EventSource* Find(const std::string& topic) const;

 private:
  std::vector<EventSource> sources_;
};

// leads.assigned, deals.stalls and accounts.notifications.
const EventTable& DefaultEventTable();

}  // namespace leadflow::notifier
