// Turning records on the pipeline's output topics into one human-readable row
// each: where a lead went and why. Pure: no I/O, unit-tested.
#pragma once

#include <optional>
#include <string>

#include "common/kafka/message.h"

namespace leadflow::cli {

struct OutcomeRow {
  std::string lead_id;      // empty for input rejected before a lead existed
  std::string topic;
  std::string outcome;      // e.g. ASSIGNED, NURTURE, CUSTOMER_INBOUND, REJECTED, DISQUALIFIED
  std::string who;          // team/rep, account owner or nurture track
  std::string why;          // the decision path or reason, shortened
  std::string company;
  std::string relationship; // CUSTOMER / PROSPECT
  std::string segment;
  std::optional<double> score;  // unset where scoring did not run (rejected, screened out)
  bool final = true;        // false for follow-ups (a nurture touch) that are not a lead's final outcome
};

// A score as the table prints it, in the SCORE column and in a reason alike
// (rounded to the nearest whole point).
std::string ScoreText(double score);

// Decodes a message from leads.assigned, leads.nurture, accounts.inbound,
// leads.rejected or nurture.touches. Unknown topics or undecodable payloads
// give nullopt.
std::optional<OutcomeRow> DescribeOutput(const kafka::ConsumedMessage& message);

// One accounts.notifications record, for a person to read.
struct NotificationRow {
  std::string kind;         // TOUCH_SENT, CUSTOMER_RESPONDED, ACCOUNT_DEVELOPMENT
  std::string account_key;
  std::string owner;        // the rep told
  std::string what;         // what was sent, what came back, or why the account is developed
};

// Decodes an AccountNotification payload; nullopt when it is not one.
std::optional<NotificationRow> DescribeNotification(const std::string& payload);

// `text` cut or space-padded to exactly `width` characters (UTF-8 code points,
// so a Cyrillic company name is never cut mid-character and columns line up).
std::string FitColumn(const std::string& text, size_t width);

}  // namespace leadflow::cli
