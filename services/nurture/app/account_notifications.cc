#include "nurture/app/account_notifications.h"

#include "common/kafka/topics.h"

namespace leadflow::nurture {

namespace nv1 = leadflow::nurture::v1;

kafka::OutgoingMessage NotificationMessage(const nv1::AccountNotification& n) {
  kafka::OutgoingMessage m;
  m.topic = topics::kAccountsNotifications;
  m.key = n.account_key();
  n.SerializeToString(&m.payload);
  return m;
}

kafka::OutgoingMessage TouchSentNotification(
    const nv1::Touch& t, const std::optional<leadflow::accounts::v1::AccountState>& account) {
  nv1::AccountNotification n;
  n.set_kind(nv1::TOUCH_SENT);
  n.set_programme_id(t.programme_id());
  n.set_account_key(account.has_value() ? account->account_key() : t.account_key());
  n.set_owner_rep_id(account.has_value() ? account->owner_rep_id() : "");
  n.set_contact_id(t.contact_id());
  n.set_touch_id(t.touch_id());
  n.set_track_id(t.track_id());
  n.set_content_id(t.content_id());
  n.set_topic(t.topic());
  n.set_channel(t.channel());
  *n.mutable_at() = t.sent_at();
  return NotificationMessage(n);
}

}  // namespace leadflow::nurture
