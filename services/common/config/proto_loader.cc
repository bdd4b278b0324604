#include "common/config/proto_loader.h"

#include <fstream>
#include <sstream>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>
#include <google/protobuf/util/json_util.h>

namespace leadflow::config {
namespace {

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class CollectingErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!first_.empty()) return;
    first_ = "line " + std::to_string(line + 1) + ", column " + std::to_string(column + 1) +
             ": " + message;
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

}  // namespace

Status ParseProtoJson(const std::string& json, const std::string& origin,
                      google::protobuf::Message* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, out, options);
  if (!status.ok()) {
    return Status::InvalidArgument(origin + ": not a valid " + out->GetTypeName() + ": " +
                                   std::string(status.message()));
  }
  return Status::Ok();
}

Status ParseProtoText(const std::string& text, const std::string& origin,
                      google::protobuf::Message* out) {
  google::protobuf::TextFormat::Parser parser;
  CollectingErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, out)) {
    return Status::InvalidArgument(origin + ": not a valid " + out->GetTypeName() + ": " +
                                   errors.first());
  }
  return Status::Ok();
}

Status LoadProtoFile(const std::string& path, google::protobuf::Message* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": cannot open file");
  std::stringstream buf;
  buf << in.rdbuf();
  if (EndsWith(path, ".json")) return ParseProtoJson(buf.str(), path, out);
  if (EndsWith(path, ".textproto") || EndsWith(path, ".txtpb") || EndsWith(path, ".pbtxt")) {
    return ParseProtoText(buf.str(), path, out);
  }
  return Status::InvalidArgument(path + ": unknown extension; use .json or .textproto");
}

}  // namespace leadflow::config
