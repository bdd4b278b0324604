// What nurture tells an account's owner on accounts.notifications (keyed by
// the account): the messages, built in one place.
#pragma once

#include <optional>

#include "common/kafka/producer.h"
#include "leadflow/accounts/v1/accounts.pb.h"
#include "leadflow/nurture/v1/nurture.pb.h"

namespace leadflow::nurture {

// `n` as a record of accounts.notifications.
kafka::OutgoingMessage NotificationMessage(const leadflow::nurture::v1::AccountNotification& n);

// TOUCH_SENT: the owner hears of every customer touch (the account as the
// registry view has it, else the touch's account key).
kafka::OutgoingMessage TouchSentNotification(
    const leadflow::nurture::v1::Touch& touch,
    const std::optional<leadflow::accounts::v1::AccountState>& account);

}  // namespace leadflow::nurture
