#include "lead_generator.h"

#include <array>
#include <nlohmann/json.hpp>
#include <sstream>

namespace leadflow::bench {
namespace {

// splitmix64: a tiny, well-mixed, seedable generator.
struct Rng {
  uint64_t s;
  uint64_t Next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& a) {
    return a[Below(N)];
  }
};

constexpr std::array<const char*, 10> kFirst = {"Андрей", "Мария",   "Сергей", "Елена", "Дмитрий",
                                                "Ольга",  "Алексей", "Ирина",  "Павел", "Наталья"};
constexpr std::array<const char*, 10> kLast = {"Иванов",  "Смирнова", "Кузнецов", "Попова",
                                               "Соколов", "Лебедева", "Новиков",  "Морозова",
                                               "Волков",  "Федорова"};
constexpr std::array<const char*, 10> kTitles = {"Директор по ИТ",
                                                 "Chief Financial Officer",
                                                 "Руководитель проектов",
                                                 "Аналитик",
                                                 "Генеральный директор",
                                                 "Менеджер по закупкам",
                                                 "Head of IT",
                                                 "Инженер",
                                                 "Product Owner",
                                                 "Коммерческий директор"};
constexpr std::array<const char*, 8> kIndustries = {
    "banking", "telecom", "retail", "energy", "logistics", "manufacturing", "it", "insurance"};
constexpr std::array<const char*, 6> kRegions = {"RU-MOW", "RU-SPE", "RU-SVE",
                                                 "RU-NVS", "RU-KDA", "RU-TA"};
constexpr std::array<const char*, 8> kIntents = {
    "download_whitepaper", "webinar_registration", "case_study", "request_demo", "pricing",
    "request_proposal",    "contact_sales",        "compare"};
constexpr std::array<const char*, 4> kBudget = {"under_5m", "5_20m", "20_50m", "over_50m"};
constexpr std::array<const char*, 4> kNeed = {"just_studying", "exploring", "defined_problem",
                                              "urgent"};
constexpr std::array<const char*, 4> kTimeline = {"over_12m", "6_12m", "3_6m", "1_3m"};

LeadKind PickKind(Rng& r, const GeneratorOptions& o) {
  const double u = r.Unit();
  if (u < o.invalid_share) {
    return static_cast<LeadKind>(static_cast<int>(LeadKind::kInvalidEmail) + r.Below(4));
  }
  if (!o.customers.empty() && u < o.invalid_share + o.customer_share) return LeadKind::kCustomer;
  const double v = r.Unit();
  if (v < 0.15) return LeadKind::kEnterprise;
  if (v < 0.22) return LeadKind::kGovernment;
  if (v < 0.55) return LeadKind::kMidMarket;
  return LeadKind::kSmb;
}

}  // namespace

const char* LeadKindName(LeadKind kind) {
  switch (kind) {
    case LeadKind::kEnterprise:
      return "enterprise";
    case LeadKind::kGovernment:
      return "government";
    case LeadKind::kMidMarket:
      return "mid_market";
    case LeadKind::kSmb:
      return "smb";
    case LeadKind::kCustomer:
      return "customer";
    case LeadKind::kInvalidEmail:
      return "invalid_email";
    case LeadKind::kMissingConsent:
      return "invalid_no_consent";
    case LeadKind::kMalformedJson:
      return "invalid_malformed_json";
    case LeadKind::kUnknownField:
      return "invalid_unknown_field";
  }
  return "unknown";
}

LeadGenerator::LeadGenerator(GeneratorOptions options) : options_(std::move(options)) {
  if (options_.prospect_companies < 1) options_.prospect_companies = 1;
}

GeneratedLead LeadGenerator::Generate(uint64_t seq) const {
  Rng r{options_.seed * 0x100000001b3ULL ^ (seq + 1) * 0x9e3779b97f4a7c15ULL};
  r.Next();
  GeneratedLead lead;
  lead.kind = PickKind(r, options_);
  const std::string local = "bench." + options_.run_tag + "." + std::to_string(seq);

  nlohmann::ordered_json j;
  j["source_id"] = "web-form-main";
  std::string domain;
  if (lead.kind == LeadKind::kCustomer) {
    const auto& c = options_.customers[r.Below(options_.customers.size())];
    domain = c.domain;
    j["company_name"] = c.name;
    if (!c.inn.empty()) j["inn"] = c.inn;
  } else {
    const size_t company = r.Below(static_cast<size_t>(options_.prospect_companies));
    domain = "company" + std::to_string(company) + ".example.ru";
    j["company_name"] = "ООО «Компания " + std::to_string(company) + "»";
  }
  j["email"] = local + "@" + domain;
  j["full_name"] = std::string(r.Pick(kFirst)) + " " + r.Pick(kLast);
  j["job_title"] = r.Pick(kTitles);
  j["industry"] = r.Pick(kIndustries);
  j["region"] = r.Pick(kRegions);
  switch (lead.kind) {
    case LeadKind::kEnterprise:
      j["headcount"] = 5000 + r.Below(200000);
      j["annual_revenue_rub"] =
          40'000'000'000LL + static_cast<int64_t>(r.Below(2'000'000)) * 1'000'000;
      j["it_budget_rub"] = 2'500'000'000LL + static_cast<int64_t>(r.Below(50'000)) * 1'000'000;
      j["expected_deal_rub"] = 10'000'000LL + static_cast<int64_t>(r.Below(120)) * 1'000'000;
      break;
    case LeadKind::kGovernment:
      j["industry"] = "government";
      j["state_body"] = true;
      j["digitalisation_budget_rub"] =
          500'000'000LL + static_cast<int64_t>(r.Below(10'000)) * 1'000'000;
      j["expected_deal_rub"] = 20'000'000LL + static_cast<int64_t>(r.Below(80)) * 1'000'000;
      break;
    case LeadKind::kMidMarket:
      j["headcount"] = 250 + r.Below(5000);
      j["annual_revenue_rub"] = 2'000'000'000LL + static_cast<int64_t>(r.Below(30'000)) * 1'000'000;
      j["it_budget_rub"] = 50'000'000LL + static_cast<int64_t>(r.Below(2'000)) * 1'000'000;
      j["expected_deal_rub"] = 5'000'000LL + static_cast<int64_t>(r.Below(45)) * 1'000'000;
      break;
    default:  // SMB, customers and the invalid kinds
      j["headcount"] = 10 + r.Below(250);
      j["annual_revenue_rub"] = 50'000'000LL + static_cast<int64_t>(r.Below(2'000)) * 1'000'000;
      j["expected_deal_rub"] = 1'000'000LL + static_cast<int64_t>(r.Below(20)) * 1'000'000;
      break;
  }
  j["intent"] = r.Pick(kIntents);
  j["answers"] = {
      {"budget", r.Pick(kBudget)}, {"need", r.Pick(kNeed)}, {"timeline", r.Pick(kTimeline)}};
  j["consent"] = true;
  switch (lead.kind) {
    case LeadKind::kInvalidEmail:
      j["email"] = local + "-at-" + domain;
      break;
    case LeadKind::kMissingConsent:
      j["consent"] = false;
      break;
    case LeadKind::kUnknownField:
      j["favourite_colour"] = "green";
      break;
    default:
      break;
  }
  lead.key = j["email"].get<std::string>();
  lead.payload = j.dump();
  if (lead.kind == LeadKind::kMalformedJson) lead.payload.resize(lead.payload.size() / 2);
  return lead;
}

std::vector<CustomerAccount> CustomersFromRegistryJsonl(const std::string& text) {
  std::vector<CustomerAccount> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.value("relationship", "") != "CUSTOMER") continue;
    CustomerAccount c;
    if (j.contains("domains") && j["domains"].is_array() && !j["domains"].empty()) {
      c.domain = j["domains"][0].get<std::string>();
    }
    c.inn = j.value("inn", "");
    c.name = j.value("name", "");
    if (!c.domain.empty()) out.push_back(std::move(c));
  }
  return out;
}

}  // namespace leadflow::bench
