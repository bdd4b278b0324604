// The scopes a caller of scoring's and nurture's gRPC APIs may hold
// (callers.json `scopes`). Each method that reads or changes personal data or
// state names the scopes that let a caller in; the table is in
// docs/security.md ("Callers and their scope").
#pragma once

#include <array>
#include <string_view>

namespace leadflow::auth::scopes {

// ScoringService.Explain: a stored lead's score, with its contact details.
inline constexpr std::string_view kExplainLeads = "leads:explain";
// NurtureService.GetEnrolment: a contact's or lead's enrolments.
inline constexpr std::string_view kReadEnrolments = "enrolments:read";
// NurtureService.Unsubscribe: takes a contact out of every track.
inline constexpr std::string_view kUnsubscribe = "contacts:unsubscribe";
// NurtureService.SuppressTopic for any account (marketing ops).
inline constexpr std::string_view kSuppressAnyTopic = "topics:suppress";
// NurtureService.SuppressTopic for the accounts the caller's rep_id owns (an
// account manager).
inline constexpr std::string_view kSuppressOwnAccountsTopic = "topics:suppress-own";

inline constexpr std::array<std::string_view, 5> kAll = {
    kExplainLeads, kReadEnrolments, kUnsubscribe, kSuppressAnyTopic, kSuppressOwnAccountsTopic};

}  // namespace leadflow::auth::scopes
