#include "common/util/copy_fields.h"

#include <google/protobuf/api.pb.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/type.pb.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace leadflow::proto {
namespace {

namespace gp = google::protobuf;
using ::testing::ElementsAre;

TEST(CopyFieldsByName, CopiesScalarsOfTheSameNameAndType) {
  gp::Timestamp from;
  from.set_seconds(1700000000);
  from.set_nanos(42);
  gp::Duration to;
  EXPECT_TRUE(CopyFieldsByName(from, to).empty());
  EXPECT_EQ(to.seconds(), 1700000000);
  EXPECT_EQ(to.nanos(), 42);
}

TEST(CopyFieldsByName, LeavesTargetFieldsTheSourceDoesNotSet) {
  gp::Timestamp from;
  from.set_seconds(5);  // nanos stays at its default: not set
  gp::Duration to;
  to.set_nanos(7);
  CopyFieldsByName(from, to);
  EXPECT_EQ(to.seconds(), 5);
  EXPECT_EQ(to.nanos(), 7);
}

// Type and Enum share name (string), options (repeated message),
// source_context (message) and syntax (enum); Type's fields and oneofs have
// no counterpart.
TEST(CopyFieldsByName, CopiesStringsEnumsMessagesAndRepeatedFieldsAndNamesTheRest) {
  gp::Type from;
  from.set_name("leadflow.Lead \"quoted\" \xc3\xa9");
  from.add_options()->set_name("a");
  from.add_options()->set_name("b");
  from.mutable_source_context()->set_file_name("lead.proto");
  from.set_syntax(gp::SYNTAX_PROTO3);
  from.add_fields()->set_name("email");
  gp::Enum to;
  EXPECT_THAT(CopyFieldsByName(from, to), ElementsAre("fields", "oneofs"));
  EXPECT_EQ(to.name(), from.name());
  ASSERT_EQ(to.options_size(), 2);
  EXPECT_EQ(to.options(1).name(), "b");
  EXPECT_EQ(to.source_context().file_name(), "lead.proto");
  EXPECT_EQ(to.syntax(), gp::SYNTAX_PROTO3);
}

// A proto3 enum holds values its schema does not name; they are copied too.
TEST(CopyFieldsByName, CopiesAnEnumValueTheSchemaDoesNotName) {
  gp::Type from;
  from.set_syntax(static_cast<gp::Syntax>(7));
  from.set_name(std::string("nul\0inside", 10));
  gp::Enum to;
  CopyFieldsByName(from, to);
  EXPECT_EQ(static_cast<int>(to.syntax()), 7);
  EXPECT_EQ(to.name(), from.name());
}

TEST(CopyFieldsByName, FollowsRenamesAndRefusesAnotherType) {
  gp::Api from;
  from.set_version("v2");
  gp::Type to;
  const auto unmatched = CopyFieldsByName(from, to, {{"version", "name"}});
  EXPECT_EQ(to.name(), "v2");
  EXPECT_THAT(unmatched, ElementsAre("methods", "mixins"));

  gp::Timestamp ts;
  ts.set_nanos(3);
  gp::Duration d;
  // nanos -> seconds: int32 into int64 is another type; nothing is copied.
  EXPECT_THAT(CopyFieldsByName(ts, d, {{"nanos", "seconds"}, {"seconds", "nanos"}}),
              ElementsAre("seconds", "nanos"));
  EXPECT_EQ(d.seconds(), 0);
  EXPECT_EQ(d.nanos(), 0);
}

}  // namespace
}  // namespace leadflow::proto
