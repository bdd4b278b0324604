#include "intake/wire/submission_json_reader.h"

#include <google/protobuf/stubs/strutil.h>  // the string-to-number rules of protobuf's JSON mapping
#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "intake/wire/json_scanner.h"

namespace leadflow::intake {
namespace {

using leadflow::common::v1::ReasonCode;
using leadflow::intake::v1::LeadSubmission;

// ---------------------------------------------------------------------------
// Field paths: only short identifiers, never free text that could carry PII.

std::string SafeKey(std::string_view key) {
  if (key.empty() || key.size() > 64) return {};
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return {};
  }
  return std::string(key);
}

std::string JoinPath(const std::string& parent, std::string_view key) {
  const std::string safe = SafeKey(key);
  return safe.empty() ? parent : parent + "." + safe;
}

// ---------------------------------------------------------------------------
// The field table: how each LeadSubmission field is read and set.

enum class Kind { kString, kInt64, kDouble, kBool, kEnum, kTimestamp, kAnswers };

struct Field {
  std::string_view name;  // the proto name; the JSON name comes from the descriptor
  Kind kind;
  std::string* (*text)(LeadSubmission&) = nullptr;              // kString
  void (*integer)(LeadSubmission&, int64_t) = nullptr;          // kInt64, kEnum (int32 range)
  void (*real)(LeadSubmission&, double) = nullptr;              // kDouble
  void (*flag)(LeadSubmission&, bool) = nullptr;                // kBool
  const google::protobuf::EnumDescriptor* enum_type = nullptr;  // kEnum, from the descriptor
};

#define LF_TEXT(f)                                                        \
  Field {                                                                 \
#f, Kind::kString, [](LeadSubmission & m) { return m.mutable_##f(); } \
  }
#define LF_INT(f)                                                                  \
  Field {                                                                          \
#f, Kind::kInt64, nullptr, [](LeadSubmission & m, int64_t v) { m.set_##f(v); } \
  }
#define LF_BOOL(f)                                                                               \
  Field {                                                                                        \
#f, Kind::kBool, nullptr, nullptr, nullptr, [](LeadSubmission & m, bool v) { m.set_##f(v); } \
  }
#define LF_ENUM(f, T)                                                                           \
  Field {                                                                                       \
#f, Kind::kEnum, nullptr,                                                                   \
        [](LeadSubmission & m,                                                                  \
           int64_t v) { m.set_##f(static_cast<leadflow::common::v1::T>(static_cast<int>(v))); } \
  }

std::vector<Field> FieldList() {
  return {
      LF_TEXT(source_id),
      LF_TEXT(idempotency_key),
      LF_TEXT(email),
      LF_TEXT(phone),
      LF_TEXT(full_name),
      LF_TEXT(job_title),
      LF_TEXT(company_name),
      LF_TEXT(inn),
      LF_TEXT(industry),
      LF_INT(headcount),
      LF_INT(annual_revenue_rub),
      LF_INT(it_budget_rub),
      LF_TEXT(region),
      LF_BOOL(state_body),
      LF_INT(digitalisation_budget_rub),
      LF_BOOL(infrastructure_project),
      LF_INT(ict_budget_rub),
      LF_INT(expected_deal_rub),
      LF_TEXT(intent),
      LF_ENUM(buyer_class, BuyerClass),
      LF_ENUM(decision_role, DecisionRole),
      LF_BOOL(consent),
      LF_TEXT(time_zone),
      Field{"answers", Kind::kAnswers},
      Field{"submitted_at", Kind::kTimestamp},
      LF_TEXT(channel),
      Field{"revenue_growth_pct", Kind::kDouble, nullptr, nullptr,
            [](LeadSubmission& m, double v) { m.set_revenue_growth_pct(v); }},
      LF_BOOL(has_revenue_growth),
      LF_TEXT(campaign_id),
  };
}

#undef LF_TEXT
#undef LF_INT
#undef LF_BOOL
#undef LF_ENUM

Kind KindOf(const google::protobuf::FieldDescriptor& f) {
  using FD = google::protobuf::FieldDescriptor;
  static constexpr std::pair<FD::CppType, Kind> kByType[] = {
      {FD::CPPTYPE_STRING, Kind::kString}, {FD::CPPTYPE_INT64, Kind::kInt64},
      {FD::CPPTYPE_DOUBLE, Kind::kDouble}, {FD::CPPTYPE_BOOL, Kind::kBool},
      {FD::CPPTYPE_ENUM, Kind::kEnum},     {FD::CPPTYPE_MESSAGE, Kind::kTimestamp},
  };
  if (f.is_map()) return Kind::kAnswers;
  for (const auto& [type, kind] : kByType) {
    if (f.cpp_type() == type) return kind;
  }
  return Kind::kAnswers;  // no such field today: the check below fails
}

// Field lookup by either JSON spelling, bucketed by length. Built once and
// checked against the descriptor, so that a field added to the .proto without
// a row above stops the service at its first lead rather than being rejected
// as unknown.
class FieldTable {
 public:
  FieldTable() : fields_(FieldList()) {
    const auto* desc = LeadSubmission::descriptor();
    if (static_cast<int>(fields_.size()) != desc->field_count()) Die("row count");
    for (size_t i = 0; i < fields_.size(); ++i) {
      Field& f = fields_[i];
      const auto* fd = desc->FindFieldByName(std::string(f.name));
      if (fd == nullptr || KindOf(*fd) != f.kind) Die(f.name);
      if (f.kind == Kind::kEnum) f.enum_type = fd->enum_type();
      Add(fd->name(), i);
      if (fd->json_name() != fd->name()) Add(fd->json_name(), i);
    }
  }

  const Field* Find(std::string_view key) const {
    if (key.size() >= buckets_.size()) return nullptr;
    for (const auto& [name, index] : buckets_[key.size()]) {
      if (name == key) return &fields_[index];
    }
    return nullptr;
  }

 private:
  [[noreturn]] static void Die(std::string_view what) {
    std::fprintf(stderr,
                 "submission_json_reader: field table out of date with intake.proto (%.*s)\n",
                 static_cast<int>(what.size()), what.data());
    std::abort();
  }
  void Add(const std::string& name, size_t index) {
    if (name.size() >= buckets_.size()) Die(name);
    buckets_[name.size()].emplace_back(name, index);
  }

  std::vector<Field> fields_;
  std::array<std::vector<std::pair<std::string, size_t>>, 32> buckets_;
};

const FieldTable& Fields() {
  static const FieldTable table;
  return table;
}

// Deepest JSON nesting a LeadSubmission needs: the object (0), answers (1),
// an answer value (2).
constexpr size_t kMaxDepth = 2;

constexpr const char* kNotLeadSubmission =
    "payload is not valid JSON for leadflow.intake.v1.LeadSubmission";

// Largest magnitude accepted for a 64-bit integer written as a JSON float.
constexpr double kMaxWholeFloat = 9.2e18;

// ---------------------------------------------------------------------------

class Reader {
 public:
  // nlohmann::json took a NUL byte between tokens for the end of the input,
  // which protobuf's parser then refused: the bytes after one are not read.
  Reader(std::string_view json, LeadSubmission* out)
      : scanner_(json.data(), json.data() + std::min(json.find('\0'), json.size())),
        cut_at_nul_(json.find('\0') != std::string_view::npos),
        out_(out) {}

  std::optional<JsonReadProblem> Run() {
    if (!ReadDocument()) {
      // The syntax error is in (or right after) the last member whose key was read.
      const std::string near = key1_.empty() ? "" : JoinPath(SafeKey(key1_), key2_);
      return Problem(ReasonCode::MALFORMED_PAYLOAD, near,
                     near.empty() ? "payload is not well-formed UTF-8 JSON"
                                  : "not well-formed UTF-8 JSON at or after this field");
    }
    if (too_deep_) {
      return Problem(ReasonCode::MALFORMED_PAYLOAD, *too_deep_, "value is nested too deeply");
    }
    if (!is_object_) {
      return Problem(ReasonCode::MALFORMED_PAYLOAD, "",
                     "payload must be a JSON object (a LeadSubmission)");
    }
    if (shape_) return shape_;
    if (has_bom_ || cut_at_nul_) {  // protobuf's JSON mapping refused both
      return Problem(ReasonCode::MALFORMED_PAYLOAD, "", kNotLeadSubmission);
    }
    if (conversion_) return conversion_;
    return std::nullopt;
  }

 private:
  static JsonReadProblem Problem(ReasonCode reason, const std::string& path,
                                 const std::string& message) {
    return {reason, path, path.empty() ? message : path + ": " + message};
  }

  // --- the bookkeeping that decides which problem is reported -------------

  // A value or container at `depth` (its number of enclosing containers).
  void AtDepth(size_t depth) {
    if (depth > kMaxDepth && !too_deep_) too_deep_ = JoinPath(SafeKey(key1_), key2_);
  }

  // A member with an unknown name or a value of the wrong JSON type: the
  // alphabetically first member's problem is reported.
  void NoteShape(std::string_view member, ReasonCode reason, const std::string& path,
                 const std::string& message) {
    if (shape_ && shape_member_ <= member) return;
    shape_member_ = member;
    shape_ = Problem(reason, path, message);
  }
  void NoteWrongType(const Field& f, const char* what) {
    NoteShape(key1_, ReasonCode::MALFORMED_PAYLOAD, std::string(f.name),
              std::string("must be ") + what);
  }
  // A value of the right type that does not convert: the last one is reported
  // (protobuf's JSON mapping went on after such a value and kept the latest).
  void NoteBadValue(const Field& f) {
    conversion_ = JsonReadProblem{ReasonCode::MALFORMED_PAYLOAD, std::string(f.name),
                                  "invalid value for field '" + std::string(f.name) + "'"};
  }

  // A key at the scanner an object at `depth` containers deep, and its colon.
  // The keys of the first two levels name the place of a later problem.
  bool ReadKey(size_t depth) {
    if (!scanner_.At('"') || !scanner_.ReadString(&key_)) return false;
    if (depth == 1) {
      key1_.swap(key_);
      key2_.clear();
    } else if (depth == 2) {
      key2_.swap(key_);
    }
    scanner_.SkipWs();
    if (!scanner_.Consume(':')) return false;
    scanner_.SkipWs();
    return true;
  }

  // Any JSON value at the scanner and `depth`, without keeping it: iterative, so that
  // a nesting bomb costs a byte of stack_ per level and no recursion.
  bool SkipValue(size_t depth) {
    stack_.clear();
    for (;;) {
      scanner_.SkipWs();
      if (scanner_.AtEnd()) return false;
      AtDepth(depth + stack_.size());
      bool closed_empty = false;
      if (scanner_.At('{') || scanner_.At('[')) {
        const char open = scanner_.Peek();
        scanner_.Consume(open);
        stack_.push_back(open);
        scanner_.SkipWs();
        if (scanner_.Consume(open == '{' ? '}' : ']')) {
          stack_.pop_back();
          closed_empty = true;
        } else if (open == '{') {
          if (!ReadKey(depth + stack_.size())) return false;
          continue;
        } else {
          continue;
        }
      }
      if (!closed_empty && !scanner_.SkipScalar()) return false;
      // After a complete value: close finished containers, or go to the next element.
      for (;;) {
        if (stack_.empty()) return true;
        scanner_.SkipWs();
        if (scanner_.Consume(stack_.back() == '{' ? '}' : ']')) {
          stack_.pop_back();
          continue;
        }
        if (!scanner_.Consume(',')) return false;
        scanner_.SkipWs();
        if (stack_.back() == '{' && !ReadKey(depth + stack_.size())) return false;
        break;
      }
    }
  }

  // --- the document ----------------------------------------------------------

  bool ReadDocument() {
    if (!scanner_.AtEnd() && static_cast<unsigned char>(scanner_.Peek()) == 0xEF) {
      if (!scanner_.Literal("\xEF\xBB\xBF")) return false;
      has_bom_ = true;
    }
    scanner_.SkipWs();
    if (!scanner_.At('{')) {
      is_object_ = false;
      if (!SkipValue(0)) return false;
    } else {
      scanner_.Consume('{');
      scanner_.SkipWs();
      if (!scanner_.Consume('}')) {
        for (;;) {
          if (!ReadKey(1) || !ReadMember()) return false;
          scanner_.SkipWs();
          if (scanner_.Consume('}')) break;
          if (!scanner_.Consume(',')) return false;
          scanner_.SkipWs();
        }
      }
    }
    scanner_.SkipWs();
    return scanner_.AtEnd();
  }

  // The value of the top-level member named key1_, read by its field's kind.
  bool ReadMember() {
    if (scanner_.AtEnd()) return false;
    const Field* f = Fields().Find(key1_);
    if (f == nullptr) {
      const std::string path = SafeKey(key1_);
      NoteShape(key1_, ReasonCode::UNKNOWN_SCHEMA, path,
                path.empty() ? "unknown field in LeadSubmission JSON"
                             : "unknown field '" + path + "' in LeadSubmission JSON");
      return SkipValue(1);
    }
    const char c = scanner_.Peek();
    if (c == 'n') return scanner_.Literal("null");  // null leaves the field unset
    switch (f->kind) {
      case Kind::kString:
        if (c == '"') return scanner_.ReadString(f->text(*out_));
        return SkipWrongType(*f, "a string");
      case Kind::kBool:
        return ReadFlag(*f, c);
      case Kind::kInt64:
        return ReadWhole(*f, c);
      case Kind::kDouble:
        return ReadReal(*f, c);
      case Kind::kEnum:
        return ReadEnum(*f, c);
      case Kind::kTimestamp:
        return ReadTimestamp(*f, c);
      case Kind::kAnswers:
        if (c == '{') return ReadAnswers(*f);
        return SkipWrongType(*f, "an object of strings");
    }
    return false;
  }

  static bool StartsNumber(char c) { return c == '-' || (c >= '0' && c <= '9'); }

  // A value of the wrong JSON type: noted, and skipped.
  bool SkipWrongType(const Field& f, const char* what) {
    NoteWrongType(f, what);
    return SkipValue(1);
  }

  // A number in a string, converted as protobuf's JSON mapping did; one that
  // does not convert is noted.
  template <class T>
  bool ReadQuoted(const Field& f, bool (*convert)(const std::string&, T*),
                  void (*set)(LeadSubmission&, T)) {
    if (!scanner_.ReadString(&scratch_)) return false;
    T v;
    if (convert(scratch_, &v)) {
      set(*out_, v);
    } else {
      NoteBadValue(f);
    }
    return true;
  }

  bool ReadFlag(const Field& f, char c) {
    if (c != 't' && c != 'f') return SkipWrongType(f, "true or false");
    f.flag(*out_, c == 't');
    return scanner_.Literal(c == 't' ? "true" : "false");
  }

  bool ReadWhole(const Field& f, char c) {
    if (StartsNumber(c)) return ReadInt64(f);
    if (c != '"') return SkipWrongType(f, "a whole number");
    return ReadQuoted<int64_t>(f, ProtobufStringToNumber, f.integer);
  }

  bool ReadReal(const Field& f, char c) {
    if (c == '"') return ReadQuoted<double>(f, ProtobufStringToDouble, f.real);
    if (!StartsNumber(c)) return SkipWrongType(f, "a number");
    JsonNumber n;
    if (!scanner_.ReadNumber(&n)) return false;
    f.real(*out_, n.type == JsonNumber::kFloat    ? n.d
                  : n.type == JsonNumber::kSigned ? static_cast<double>(n.i)
                                                  : static_cast<double>(n.u));
    return true;
  }

  bool ReadEnum(const Field& f, char c) {
    if (StartsNumber(c)) return ReadEnumNumber(f);
    if (c != '"') return SkipWrongType(f, "an enum name or number");
    if (!scanner_.ReadString(&scratch_)) return false;
    SetEnumFromString(f);
    return true;
  }

  bool ReadTimestamp(const Field& f, char c) {
    if (c != '"') return SkipWrongType(f, "an RFC 3339 timestamp string");
    if (!scanner_.ReadString(&scratch_)) return false;
    if (!google::protobuf::util::TimeUtil::FromString(scratch_, out_->mutable_submitted_at())) {
      NoteBadValue(f);
    }
    return true;
  }

  bool ReadInt64(const Field& f) {
    JsonNumber n;
    if (!scanner_.ReadNumber(&n)) return false;
    switch (n.type) {
      case JsonNumber::kSigned:
        f.integer(*out_, n.i);
        break;
      case JsonNumber::kUnsigned:
        if (n.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
          NoteBadValue(f);
        } else {
          f.integer(*out_, static_cast<int64_t>(n.u));
        }
        break;
      case JsonNumber::kFloat:
        if (n.d != std::floor(n.d) || std::fabs(n.d) > kMaxWholeFloat) {
          NoteWrongType(f, "a whole number in range");
        } else {
          f.integer(*out_, static_cast<int64_t>(n.d));
        }
        break;
    }
    return true;
  }

  bool ReadEnumNumber(const Field& f) {
    JsonNumber n;
    if (!scanner_.ReadNumber(&n)) return false;
    constexpr int64_t kMin = std::numeric_limits<int32_t>::min();
    constexpr int64_t kMax = std::numeric_limits<int32_t>::max();
    if (n.type == JsonNumber::kFloat) {
      NoteWrongType(f, "an enum name or number");
    } else if (n.type == JsonNumber::kSigned ? n.i < kMin : n.u > static_cast<uint64_t>(kMax)) {
      NoteBadValue(f);
    } else {
      f.integer(*out_, n.type == JsonNumber::kSigned ? n.i : static_cast<int64_t>(n.u));
    }
    return true;
  }

  // An enum value by name, or by a known number written as a string (unknown
  // numbers are kept only when written as numbers, as proto3 open enums do).
  void SetEnumFromString(const Field& f) {
    if (const auto* v = f.enum_type->FindValueByName(scratch_)) {
      f.integer(*out_, v->number());
      return;
    }
    int32_t number;
    if (!HasEdgeSpace(scratch_) && google::protobuf::safe_strto32(scratch_, &number) &&
        f.enum_type->FindValueByNumber(number) != nullptr) {
      f.integer(*out_, number);
      return;
    }
    NoteBadValue(f);
  }

  // Protobuf's JSON mapping refused numbers in strings that start or end with a
  // space, and otherwise used these conversions.
  static bool HasEdgeSpace(const std::string& s) {
    return !s.empty() && (s.front() == ' ' || s.back() == ' ');
  }
  static bool ProtobufStringToNumber(const std::string& s, int64_t* v) {
    return !HasEdgeSpace(s) && google::protobuf::safe_strto64(s, v);
  }
  static bool ProtobufStringToDouble(const std::string& s, double* v) {
    if (s == "Infinity" || s == "-Infinity" || s == "NaN") {
      *v = s == "NaN" ? std::numeric_limits<double>::quiet_NaN()
                      : (s[0] == '-' ? -1 : 1) * std::numeric_limits<double>::infinity();
      return true;
    }
    return !HasEdgeSpace(s) && google::protobuf::safe_strtod(s.c_str(), v) && std::isfinite(*v);
  }

  // answers: an object of strings at depth 1, its keys and values at depth 2.
  bool ReadAnswers(const Field& f) {
    auto& answers = *out_->mutable_answers();
    // Protobuf's JSON mapping refused a key repeated inside one answers
    // object (not across two "answers" members): in the usual first object,
    // any key already in the map is a repeat.
    const bool first_object = answers.empty();
    std::unordered_set<std::string> keys_here;
    scanner_.Consume('{');
    scanner_.SkipWs();
    if (scanner_.Consume('}')) return true;
    std::string first_bad;  // the alphabetically first answer that is not a string
    bool bad = false;
    for (;;) {
      if (!ReadKey(2) || scanner_.AtEnd()) return false;
      if (first_object ? answers.count(key2_) != 0 : !keys_here.insert(key2_).second) {
        conversion_ = JsonReadProblem{ReasonCode::MALFORMED_PAYLOAD, "", kNotLeadSubmission};
      }
      if (scanner_.At('"')) {
        if (!scanner_.ReadString(&answers[key2_])) return false;
      } else {
        if (!bad || key2_ < first_bad) first_bad = key2_;
        bad = true;
        if (!SkipValue(2)) return false;
      }
      scanner_.SkipWs();
      if (scanner_.Consume('}')) break;
      if (!scanner_.Consume(',')) return false;
      scanner_.SkipWs();
    }
    if (bad) {
      NoteShape(key1_, ReasonCode::MALFORMED_PAYLOAD, JoinPath(std::string(f.name), first_bad),
                "must be a string");
    }
    return true;
  }

  JsonScanner scanner_;
  // nlohmann::json took a NUL byte between tokens for the end of the input,
  // which protobuf's parser then refused: the bytes after one are not read.
  bool cut_at_nul_;
  LeadSubmission* out_;

  std::string key_;      // the key being read
  std::string key1_;     // the latest top-level member name
  std::string key2_;     // the latest key one level below it
  std::string scratch_;  // a string value that needs converting
  std::string stack_;    // open containers while skipping: '{' or '['

  bool is_object_ = true;
  bool has_bom_ = false;
  std::optional<std::string> too_deep_;
  std::optional<JsonReadProblem> shape_;
  std::string shape_member_;
  std::optional<JsonReadProblem> conversion_;
};

}  // namespace

std::optional<JsonReadProblem> ReadSubmissionJson(std::string_view json, LeadSubmission* out) {
  return Reader(json, out).Run();
}

}  // namespace leadflow::intake
