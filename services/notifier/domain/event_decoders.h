// Decoders from the events leadflow already publishes to notifications. Pure
// functions; each returns nullopt for an event nobody is told about (e.g. a
// TOUCH_SENT, a lead that went to nurture) and kInvalidArgument for bytes that
// are not the topic's message. Ids only: account keys (which may be an
// email), names, emails, phones and free text are never copied
// (docs/notifier.md, "What leaves").
#pragma once

#include <optional>
#include <string>

#include "common/util/status.h"
#include "notifier/domain/notification.h"

namespace leadflow::notifier {

using DecodeResult = StatusOr<std::optional<Notification>>;

// leads.assigned (routing.v1.LeadAssigned): ASSIGNED / NAMED_OWNER /
// REASSIGNED tell the rep and the team; QUEUED tells the team.
DecodeResult DecodeLeadAssigned(const std::string& payload);

// deals.stalls (routing.v1.DealStalled): tells the owner rep and the team
// (its lead). The stall's lead id and version identify it.
DecodeResult DecodeDealStalled(const std::string& payload);

// sla.escalations (routing.v1.SlaEscalation, docs/domain-rules.md §5): a
// REMINDER tells the rep; an ESCALATION tells the team (its lead) and the
// rep; a REASSIGNED step tells nobody (leads.assigned's REASSIGNED already
// tells the new rep and the team). The lead id, step and due time identify it.
DecodeResult DecodeSlaEscalation(const std::string& payload);

// accounts.notifications (nurture.v1.AccountNotification): CUSTOMER_RESPONDED,
// ACCOUNT_DEVELOPMENT and SINGLE_CONTACT tell the account owner; TOUCH_SENT
// tells nobody (it would be one message per nurture email).
DecodeResult DecodeAccountNotification(const std::string& payload);

}  // namespace leadflow::notifier
