#include "intake/domain/account_coverage.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <string_view>
#include <unordered_map>

namespace leadflow::intake {

using leadflow::common::v1::AccountCoverage;
using leadflow::common::v1::BuyerClass;
using leadflow::common::v1::DecisionRole;

namespace {

constexpr BuyerClass kClasses[] = {leadflow::common::v1::ECONOMIC, leadflow::common::v1::TECHNICAL,
                                   leadflow::common::v1::END_USER};

}  // namespace

std::string EncodeContactValue(const KnownContact& contact) {
  std::string out;
  out.push_back(static_cast<char>('0' + (BuyerClass_IsValid(contact.buyer_class)
                                             ? static_cast<int>(contact.buyer_class) % 10
                                             : 0)));
  out.push_back(static_cast<char>('0' + (DecisionRole_IsValid(contact.decision_role)
                                             ? static_cast<int>(contact.decision_role) % 10
                                             : 0)));
  return out;
}

bool DecodeContactValue(const std::string& value, KnownContact* contact) {
  if (value.size() != 2 || value[0] < '0' || value[0] > '9' || value[1] < '0' || value[1] > '9') {
    return false;
  }
  const int cls = value[0] - '0';
  const int role = value[1] - '0';
  if (!leadflow::common::v1::BuyerClass_IsValid(cls) ||
      !leadflow::common::v1::DecisionRole_IsValid(role)) {
    return false;
  }
  contact->buyer_class = static_cast<BuyerClass>(cls);
  contact->decision_role = static_cast<DecisionRole>(role);
  return true;
}

std::optional<std::string> CoverageAccountKey(
    const leadflow::intake::v1::LeadAccepted& lead,
    const std::optional<leadflow::accounts::v1::AccountState>& account) {
  if (account && !account->account_key().empty()) return account->account_key();
  if (lead.company().inn().empty() && lead.company().domain().empty()) return std::nullopt;
  if (lead.meta().account_key().empty()) return std::nullopt;
  return lead.meta().account_key();
}

KnownContact ContactOfLead(const leadflow::intake::v1::LeadAccepted& lead) {
  return KnownContact{lead.contact().contact_id(), lead.contact().buyer_class(),
                      lead.contact().decision_role()};
}

namespace {

// Merges `contact`'s stated class and role into `known` (the same contact id).
void MergeInto(const KnownContact& contact, KnownContact* known) {
  if (contact.buyer_class != leadflow::common::v1::BUYER_CLASS_UNSPECIFIED) {
    known->buyer_class = contact.buyer_class;
  }
  if (contact.decision_role != leadflow::common::v1::DECISION_ROLE_UNSPECIFIED) {
    known->decision_role = contact.decision_role;
  }
}

// MergeContact with `index` (contact id -> position in `contacts`) kept
// alongside: O(1) per contact instead of a scan of `contacts`.
void MergeIndexed(const KnownContact& contact, std::vector<KnownContact>* contacts,
                  std::unordered_map<std::string_view, size_t>* index) {
  if (contact.contact_id.empty()) return;
  auto [at, added] = index->try_emplace(contact.contact_id, contacts->size());
  if (added) {
    contacts->push_back(contact);
  } else {
    MergeInto(contact, &(*contacts)[at->second]);
  }
}

}  // namespace

void MergeContact(const KnownContact& contact, std::vector<KnownContact>* contacts) {
  if (contact.contact_id.empty()) return;
  for (KnownContact& known : *contacts) {
    if (known.contact_id != contact.contact_id) continue;
    MergeInto(contact, &known);
    return;
  }
  contacts->push_back(contact);
}

namespace {

// Adds `sign` (1 or -1) times the contact to the counts.
void Count(const KnownContact& c, int64_t sign, SeenContactsSummary* counts) {
  counts->contacts += sign;
  const int cls = static_cast<int>(c.buyer_class);
  if (cls >= 1 && cls <= 3) counts->per_class[cls] += sign;
  if (c.decision_role == leadflow::common::v1::DECISION_MAKER) counts->decision_makers += sign;
}

AccountCoverage CoverageOfCounts(const SeenContactsSummary& counts) {
  AccountCoverage out;
  out.set_known(true);
  out.set_known_contacts(static_cast<int32_t>(counts.contacts));
  out.set_decision_maker_known(counts.decision_makers > 0);
  for (BuyerClass cls : kClasses) {
    if (counts.per_class[static_cast<int>(cls)] > 0) {
      out.add_engaged_classes(cls);
    } else {
      out.add_missing_classes(cls);
    }
  }
  out.set_complete(out.missing_classes_size() == 0 && out.decision_maker_known());
  return out;
}

// The contacts seen on leads merged by id (MergeContact), with `index`.
std::vector<KnownContact> MergedSeen(const std::vector<KnownContact>& from_leads,
                                     std::unordered_map<std::string_view, size_t>* index) {
  index->reserve(from_leads.size());
  std::vector<KnownContact> contacts;
  contacts.reserve(from_leads.size());
  for (const KnownContact& c : from_leads) MergeIndexed(c, &contacts, index);
  return contacts;
}

}  // namespace

AccountCoverage CoverageOf(const std::vector<KnownContact>& from_leads,
                           const std::vector<KnownContact>& from_crm) {
  return CoverageOfSummary(SummariseSeen(from_leads, from_crm), from_crm);
}

SeenContactsSummary SummariseSeen(const std::vector<KnownContact>& from_leads,
                                  const std::vector<KnownContact>& from_crm) {
  // The index's keys view the inputs' ids, which outlive it.
  std::unordered_map<std::string_view, size_t> index;
  const std::vector<KnownContact> contacts = MergedSeen(from_leads, &index);
  SeenContactsSummary out;
  for (const KnownContact& c : contacts) Count(c, 1, &out);
  for (const KnownContact& c : from_crm) {
    auto at = index.find(c.contact_id);
    if (at != index.end()) out.crm_seen.push_back(contacts[at->second]);
  }
  return out;
}

AccountCoverage CoverageOfSummary(const SeenContactsSummary& seen,
                                  const std::vector<KnownContact>& from_crm) {
  std::unordered_map<std::string_view, const KnownContact*> seen_by_id;
  for (const KnownContact& c : seen.crm_seen) seen_by_id.emplace(c.contact_id, &c);
  SeenContactsSummary counts;
  counts.contacts = seen.contacts;
  std::copy(std::begin(seen.per_class), std::end(seen.per_class), std::begin(counts.per_class));
  counts.decision_makers = seen.decision_makers;
  // The CRM's contacts merged by id over their values seen on leads: a seen
  // contact's counts are replaced by its merged ones.
  std::unordered_map<std::string_view, size_t> index;
  std::vector<KnownContact> merged;
  for (const KnownContact& c : from_crm) {
    if (c.contact_id.empty()) continue;
    auto [at, added] = index.try_emplace(c.contact_id, merged.size());
    if (!added) {
      MergeInto(c, &merged[at->second]);
      continue;
    }
    auto was = seen_by_id.find(c.contact_id);
    if (was == seen_by_id.end()) {
      merged.push_back(c);
      continue;
    }
    merged.push_back(*was->second);
    Count(*was->second, -1, &counts);
    MergeInto(c, &merged.back());
  }
  for (const KnownContact& c : merged) Count(c, 1, &counts);
  return CoverageOfCounts(counts);
}

bool IsStoredContactId(const std::string& id) { return !id.empty() && id[0] != '_'; }

std::vector<KnownContact> CrmContacts(
    const std::optional<leadflow::accounts::v1::AccountState>& account) {
  std::vector<KnownContact> out;
  if (!account) return out;
  for (const auto& c : account->contacts()) {
    out.push_back(KnownContact{c.contact_id(), c.buyer_class(), c.decision_role()});
  }
  return out;
}

std::optional<leadflow::intake::v1::AccountContactSeen> ContactSeenOf(
    const leadflow::intake::v1::LeadAccepted& lead, int64_t seen_at_ms) {
  const auto& coverage = lead.company().coverage();
  const KnownContact contact = ContactOfLead(lead);
  if (!coverage.known() || coverage.account_key().empty() || contact.contact_id.empty()) {
    return std::nullopt;
  }
  leadflow::intake::v1::AccountContactSeen seen;
  seen.set_account_key(coverage.account_key());
  seen.set_contact_id(contact.contact_id);
  seen.set_buyer_class(contact.buyer_class);
  seen.set_decision_role(contact.decision_role);
  *seen.mutable_seen_at() = google::protobuf::util::TimeUtil::MillisecondsToTimestamp(seen_at_ms);
  seen.set_relationship(lead.meta().relationship());
  seen.set_coverage_complete(coverage.complete());
  return seen;
}

std::string ContactSeenKey(const std::string& account_key, const std::string& contact_id) {
  return account_key + "|" + contact_id;
}

bool SplitContactSeenKey(const std::string& key, std::string* account_key,
                         std::string* contact_id) {
  const size_t bar = key.rfind('|');
  if (bar == std::string::npos || bar == 0 || bar + 1 == key.size()) return false;
  *account_key = key.substr(0, bar);
  *contact_id = key.substr(bar + 1);
  return true;
}

}  // namespace leadflow::intake
