#include "common/util/copy_fields.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/text_format.h>

namespace leadflow::proto {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::TextFormat;

bool SameType(const FieldDescriptor& a, const FieldDescriptor& b) {
  return a.cpp_type() == b.cpp_type() && a.is_repeated() == b.is_repeated() &&
         a.enum_type() == b.enum_type() && a.message_type() == b.message_type();
}

// One value of `f` (`index` of a repeated field, -1 of a singular one) into
// `t`. Scalars and enums go through their text form, which is exact for
// every scalar type; a sub-message is copied whole.
void CopyValue(const Message& from, const FieldDescriptor& f, int index, Message& to,
               const FieldDescriptor& t) {
  if (f.cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const auto* r = from.GetReflection();
    const Message& value =
        index < 0 ? r->GetMessage(from, &f) : r->GetRepeatedMessage(from, &f, index);
    auto* w = to.GetReflection();
    (t.is_repeated() ? w->AddMessage(&to, &t) : w->MutableMessage(&to, &t))->CopyFrom(value);
    return;
  }
  std::string text;
  TextFormat::PrintFieldValueToString(from, &f, index, &text);
  TextFormat::ParseFieldValueFromString(text, &t, &to);  // same type: cannot fail
}

}  // namespace

std::vector<std::string> CopyFieldsByName(const Message& from, Message& to,
                                          const FieldRenames& renames) {
  std::vector<std::string> unmatched;
  const auto* reflection = from.GetReflection();
  for (int i = 0; i < from.GetDescriptor()->field_count(); ++i) {
    const FieldDescriptor& f = *from.GetDescriptor()->field(i);
    const auto renamed = renames.find(f.name());
    const FieldDescriptor* t =
        to.GetDescriptor()->FindFieldByName(renamed == renames.end() ? f.name() : renamed->second);
    if (t == nullptr || !SameType(f, *t)) {
      unmatched.push_back(f.name());
      continue;
    }
    if (!f.is_repeated()) {
      if (reflection->HasField(from, &f)) CopyValue(from, f, -1, to, *t);
      continue;
    }
    for (int k = 0; k < reflection->FieldSize(from, &f); ++k) CopyValue(from, f, k, to, *t);
  }
  return unmatched;
}

}  // namespace leadflow::proto
