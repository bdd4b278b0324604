// RequireScope(): nobody is UNAUTHENTICATED, a caller without the method's
// scope is PERMISSION_DENIED, and any one of the listed scopes lets it in.
#include "common/auth/caller_identifier.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/testing/fixed_caller.h"

namespace leadflow::auth {
namespace {

TEST(RequireScopeTest, RefusesNobodyAndCallersWithoutTheScope) {
  grpc::ServerContext ctx;
  EXPECT_EQ(RequireScope(testing::FixedCaller(), ctx, {"leads:explain"}).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const auto denied =
      RequireScope(testing::FixedCaller::With({"enrolments:read"}), ctx, {"leads:explain"});
  EXPECT_EQ(denied.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.error_message(), "caller test-caller needs scope leads:explain for this method");
  ServiceCaller who;
  EXPECT_TRUE(RequireScope(testing::FixedCaller::With({"topics:suppress-own"}, "rep-1"), ctx,
                           {"topics:suppress", "topics:suppress-own"}, &who)
                  .ok());
  EXPECT_EQ(who.rep_id, "rep-1");
}

}  // namespace
}  // namespace leadflow::auth
