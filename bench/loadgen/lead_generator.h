// Synthetic but realistic leads for the load generator: a seeded mix of
// segments (enterprise, government, mid-market, SMB), customers (accounts of
// the CRM registry) and prospects, and about `invalid_share` invalid
// submissions of several kinds. Pure: no I/O, no clock; lead `seq` of a given
// seed is always the same bytes, whatever order leads are generated in.
// Thread-compatible (const methods may be called concurrently).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace leadflow::bench {

// A customer account of the registry a lead may come from.
struct CustomerAccount {
  std::string domain;  // corporate email domain, e.g. "vtb.ru"
  std::string inn;     // may be empty
  std::string name;
};

enum class LeadKind : uint8_t {
  kEnterprise,
  kGovernment,
  kMidMarket,
  kSmb,
  kCustomer,
  // Invalid submissions: intake must reject each of these.
  kInvalidEmail,
  kMissingConsent,
  kMalformedJson,
  kUnknownField,
};
inline constexpr int kLeadKindCount = 9;

const char* LeadKindName(LeadKind kind);
inline bool IsInvalid(LeadKind k) { return k >= LeadKind::kInvalidEmail; }

struct GeneratorOptions {
  uint64_t seed = 1;
  // Goes into every email, so leads of different runs never dedupe each other.
  std::string run_tag = "run";
  double invalid_share = 0.05;
  double customer_share = 0.15;
  std::vector<CustomerAccount> customers;  // empty: no customer leads
  int prospect_companies = 400;            // distinct prospect companies
};

struct GeneratedLead {
  LeadKind kind = LeadKind::kSmb;
  std::string key;      // Kafka key (the email)
  std::string payload;  // the JSON form event for leads.submitted
};

class LeadGenerator {
 public:
  explicit LeadGenerator(GeneratorOptions options);
  GeneratedLead Generate(uint64_t seq) const;
  const GeneratorOptions& options() const { return options_; }

 private:
  GeneratorOptions options_;
};

// The customer accounts of a registry JSONL file's text (AccountState JSON,
// one per line; lines with "relationship": "CUSTOMER" only), taking the first
// domain, the inn and the name. Minimal field extraction, no schema check:
// the file is validated where it is published.
std::vector<CustomerAccount> CustomersFromRegistryJsonl(const std::string& text);

}  // namespace leadflow::bench
