#include "common/view/view_store.h"

#include "view_advance.lua.h"
#include "view_mark_ready.lua.h"
#include "view_open.lua.h"

namespace leadflow::view {
namespace {

// "p<N>" -> N; false for any other field.
bool ParsePartitionField(const std::string& field, int32_t* partition) {
  if (field.size() < 2 || field[0] != 'p') return false;
  try {
    *partition = static_cast<int32_t>(std::stoi(field.substr(1)));
  } catch (...) {
    return false;
  }
  return true;
}

int64_t ParseOffset(const std::string& s) {
  try {
    return std::stoll(s);
  } catch (...) {
    return 0;
  }
}

Status ReplyError(const char* what, const redis::Reply& r) {
  return Status::Unavailable(std::string(what) + ": " + r.str);
}

}  // namespace

ViewStore::ViewStore(redis::Client& redis, ViewKeys keys)
    : redis_(redis),
      keys_(std::move(keys)),
      open_(std::string(lua::kViewOpen)),
      mark_ready_(std::string(lua::kViewMarkReady)),
      advance_(std::string(lua::kViewAdvance)) {}

StatusOr<ViewStore::Opened> ViewStore::Open(const std::string& fresh_epoch) {
  auto r = redis_.Eval(open_, {keys_.pos, keys_.ready}, {fresh_epoch});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError("view open", *r);
  if (r->type != redis::Reply::Type::kArray || r->elements.size() < 2 ||
      r->elements.size() % 2 != 0) {
    return Status::Unavailable("view open: unexpected reply");
  }
  Opened out;
  out.epoch = r->elements[0].str;
  out.created = r->elements[1].integer == 1;
  for (size_t i = 2; i + 1 < r->elements.size(); i += 2) {
    int32_t p = 0;
    if (ParsePartitionField(r->elements[i].str, &p)) out.next[p] = ParseOffset(r->elements[i + 1].str);
  }
  return out;
}

StatusOr<bool> ViewStore::MarkReady(const std::string& epoch) {
  auto r = redis_.Eval(mark_ready_, {keys_.pos, keys_.ready}, {epoch});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError("view mark ready", *r);
  return r->integer == 1;
}

Status ViewStore::Advance(const std::string& epoch, int32_t partition, int64_t next_offset) {
  auto r = redis_.Eval(advance_, {keys_.pos},
                       {epoch, ViewKeys::PartitionField(partition), std::to_string(next_offset)});
  if (!r.ok()) return r.status();
  if (r->is_error()) return ReplyError("view advance", *r);
  if (r->integer < 0) return Status::Aborted("view " + keys_.name + ": Redis was reset");
  return Status::Ok();
}

StatusOr<ViewStore::Snapshot> ViewStore::Read() {
  auto r = redis_.Pipeline({{"HGETALL", keys_.pos}, {"EXISTS", keys_.ready}});
  if (!r.ok()) return r.status();
  const redis::Reply& fields = (*r)[0];
  const redis::Reply& ready = (*r)[1];
  if (fields.is_error()) return ReplyError("view read", fields);
  if (ready.is_error()) return ReplyError("view read", ready);
  Snapshot out;
  out.ready = ready.integer == 1;
  for (size_t i = 0; i + 1 < fields.elements.size(); i += 2) {
    const std::string& f = fields.elements[i].str;
    if (f == "epoch") {
      out.epoch = fields.elements[i + 1].str;
      continue;
    }
    int32_t p = 0;
    if (ParsePartitionField(f, &p)) out.next[p] = ParseOffset(fields.elements[i + 1].str);
  }
  return out;
}

}  // namespace leadflow::view
