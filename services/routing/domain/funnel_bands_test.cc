#include "routing/domain/funnel_bands.h"

#include <gtest/gtest.h>

namespace leadflow::routing {
namespace {

TEST(FunnelBandsTest, UnsetFieldsTakeTheDomainNumbers) {
  auto b = ResolveFunnelBands({});
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->weak_pct, 3);
  EXPECT_EQ(b->average_pct, 4);
  EXPECT_EQ(b->excellent_pct, 5);
  EXPECT_EQ(b->compare_at_age_months, 6);
  EXPECT_EQ(b->volume_rise_pct, 20);
  EXPECT_EQ(b->marketing_new_clients_pct, 20);
  EXPECT_EQ(b->marketing_revenue_pct, 2);
}

TEST(FunnelBandsTest, BadValuesNameTheirField) {
  struct Case {
    void (*set)(leadflow::config::v1::FunnelBands*);
    const char* field;
  };
  const Case cases[] = {
      {[](auto* f) { f->set_weak_pct(-1); }, "funnel.weak_pct"},
      {[](auto* f) { f->set_average_pct(2); }, "funnel.average_pct"},
      {[](auto* f) { f->set_excellent_pct(4); }, "funnel.excellent_pct"},
      {[](auto* f) {
         f->set_excellent_pct(120);
       },
       "funnel.excellent_pct"},
      {[](auto* f) { f->set_compare_at_age_months(17); }, "funnel.compare_at_age_months"},
      {[](auto* f) { f->set_volume_rise_pct(-5); }, "funnel.volume_rise_pct"},
      {[](auto* f) { f->set_marketing_revenue_pct(101); }, "funnel.marketing_revenue_pct"},
      {[](auto* f) { f->set_marketing_new_clients_pct(-1); }, "funnel.marketing_new_clients_pct"},
  };
  for (const auto& c : cases) {
    leadflow::config::v1::RoutingRules rules;
    c.set(rules.mutable_funnel());
    auto b = ResolveFunnelBands(rules);
    ASSERT_FALSE(b.ok()) << c.field;
    EXPECT_NE(b.status().message().find(c.field), std::string::npos) << b.status().message();
  }
}

}  // namespace
}  // namespace leadflow::routing
