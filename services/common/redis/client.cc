#include "common/redis/client.h"

#include <hiredis/hiredis.h>

#include <cstdlib>

#include "common/log/log.h"

namespace leadflow::redis {
namespace {

Reply Convert(const redisReply* r) {
  Reply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.type = r->type == REDIS_REPLY_STRING   ? Reply::Type::kString
                 : r->type == REDIS_REPLY_STATUS ? Reply::Type::kStatus
                                                 : Reply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  return out;
}

struct ArgvView {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  explicit ArgvView(const Command& c) {
    for (const auto& a : c) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
  }
};

}  // namespace

StatusOr<ParsedUrl> ParseRedisUrl(const std::string& url) {
  const std::string scheme = "redis://";
  if (url.rfind(scheme, 0) != 0) return Status::InvalidArgument("redis url \"" + url + "\" must start with redis://");
  std::string rest = url.substr(scheme.size());
  ParsedUrl p;
  size_t at = rest.rfind('@');
  if (at != std::string::npos) {
    std::string creds = rest.substr(0, at);
    rest = rest.substr(at + 1);
    size_t colon = creds.find(':');
    if (colon == std::string::npos) {
      p.password = creds;
    } else {
      p.user = creds.substr(0, colon);
      p.password = creds.substr(colon + 1);
    }
  }
  size_t slash = rest.find('/');
  if (slash != std::string::npos) {
    std::string db = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!db.empty()) {
      char* end = nullptr;
      long v = std::strtol(db.c_str(), &end, 10);
      if (*end || v < 0) return Status::InvalidArgument("redis url: database \"" + db + "\" is not a number");
      p.db = static_cast<int>(v);
    }
  }
  size_t colon = rest.rfind(':');
  p.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    char* end = nullptr;
    long port = std::strtol(rest.c_str() + colon + 1, &end, 10);
    if (*end || port <= 0 || port > 65535) {
      return Status::InvalidArgument("redis url: port \"" + rest.substr(colon + 1) + "\" is invalid");
    }
    p.port = static_cast<int>(port);
  }
  if (p.host.empty()) return Status::InvalidArgument("redis url \"" + url + "\" has no host");
  return p;
}

struct Client::Impl {
  ClientOptions options;
  ParsedUrl url;
  std::mutex mu;
  redisContext* ctx = nullptr;

  ~Impl() {
    if (ctx) redisFree(ctx);
  }

  Status ConnectLocked() {
    if (ctx) {
      redisFree(ctx);
      ctx = nullptr;
    }
    timeval tv{static_cast<time_t>(options.timeout.count() / 1000),
               static_cast<suseconds_t>((options.timeout.count() % 1000) * 1000)};
    ctx = redisConnectWithTimeout(url.host.c_str(), url.port, tv);
    std::string where = url.host + ":" + std::to_string(url.port);
    if (!ctx || ctx->err) {
      std::string err = ctx ? ctx->errstr : "out of memory";
      if (ctx) redisFree(ctx);
      ctx = nullptr;
      return Status::Unavailable("redis " + where + ": " + err);
    }
    redisSetTimeout(ctx, tv);
    // A refused AUTH or SELECT leaves no connection behind (an unauthenticated
    // one would answer every command with NOAUTH), and is kUnavailable: on a
    // reconnect it is usually a credential being rotated or a replica not yet
    // configured, so the message is retried, never dead-lettered. The reply
    // text (WRONGPASS, NOPERM, ...) never contains the password.
    if (!url.password.empty()) {
      Command auth = url.user.empty() ? Command{"AUTH", url.password}
                                      : Command{"AUTH", url.user, url.password};
      auto r = RawLocked(auth);
      if (!r.ok() || r->is_error()) {
        return DropLocked(r.ok() ? "redis " + where + " AUTH refused: " + r->str
                                 : r.status().message());
      }
    }
    if (url.db != 0) {
      auto r = RawLocked({"SELECT", std::to_string(url.db)});
      if (!r.ok() || r->is_error()) {
        return DropLocked(r.ok() ? "redis " + where + " SELECT " + std::to_string(url.db) +
                                       " refused: " + r->str
                                 : r.status().message());
      }
    }
    return Status::Ok();
  }

  // Closes the connection and returns kUnavailable with `why`.
  Status DropLocked(const std::string& why) {
    if (ctx) {
      redisFree(ctx);
      ctx = nullptr;
    }
    return Status::Unavailable(why);
  }

  StatusOr<Reply> RawLocked(const Command& c) {
    if (!ctx) return Status::Unavailable("redis: not connected");
    ArgvView v(c);
    auto* r = static_cast<redisReply*>(
        redisCommandArgv(ctx, static_cast<int>(c.size()), v.argv.data(), v.lens.data()));
    if (!r) return Status::Unavailable(std::string("redis: ") + ctx->errstr);
    Reply out = Convert(r);
    freeReplyObject(r);
    return out;
  }

  StatusOr<std::vector<Reply>> PipelineLocked(const std::vector<Command>& cmds) {
    if (!ctx) return Status::Unavailable("redis: not connected");
    for (const auto& c : cmds) {
      ArgvView v(c);
      if (redisAppendCommandArgv(ctx, static_cast<int>(c.size()), v.argv.data(), v.lens.data()) !=
          REDIS_OK) {
        return Status::Unavailable(std::string("redis: ") + ctx->errstr);
      }
    }
    std::vector<Reply> replies;
    replies.reserve(cmds.size());
    for (size_t i = 0; i < cmds.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(ctx, &raw) != REDIS_OK || !raw) {
        return Status::Unavailable(std::string("redis: ") + ctx->errstr);
      }
      replies.push_back(Convert(static_cast<redisReply*>(raw)));
      freeReplyObject(raw);
    }
    return replies;
  }

  // Runs `fn` and, on a connection failure, reconnects and runs it once more.
  template <typename Fn>
  auto WithReconnect(Fn fn) -> decltype(fn()) {
    if (ctx) {
      auto r = fn();
      if (r.ok()) return r;
      log::Warn("redis connection failed; reconnecting", {{"error", r.status().message()}});
    }
    if (Status s = ConnectLocked(); !s.ok()) return s;
    return fn();
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

StatusOr<std::unique_ptr<Client>> Client::Connect(const ClientOptions& options) {
  auto url = ParseRedisUrl(options.url);
  if (!url.ok()) return url.status();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->url = *url;
  if (Status s = impl->ConnectLocked(); !s.ok()) return s;
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

StatusOr<Reply> Client::Run(const Command& command) {
  std::lock_guard lock(impl_->mu);
  return impl_->WithReconnect([&] { return impl_->RawLocked(command); });
}

StatusOr<std::vector<Reply>> Client::Pipeline(const std::vector<Command>& commands) {
  std::lock_guard lock(impl_->mu);
  return impl_->WithReconnect([&] { return impl_->PipelineLocked(commands); });
}

StatusOr<Reply> Client::Eval(Script& script, const std::vector<std::string>& keys,
                             const std::vector<std::string>& args) {
  auto replies = EvalMany(script, {ScriptCall{keys, args}});
  if (!replies.ok()) return replies.status();
  return std::move(replies->front());
}

StatusOr<std::vector<Reply>> Client::EvalMany(Script& script,
                                              const std::vector<ScriptCall>& calls) {
  std::lock_guard lock(impl_->mu);
  return impl_->WithReconnect([&]() -> StatusOr<std::vector<Reply>> {
    std::vector<Reply> replies(calls.size());
    std::vector<size_t> pending(calls.size());
    for (size_t i = 0; i < calls.size(); ++i) pending[i] = i;
    for (int attempt = 0; attempt < 2 && !pending.empty(); ++attempt) {
      if (script.sha_.empty()) {
        auto loaded = impl_->RawLocked({"SCRIPT", "LOAD", script.body()});
        if (!loaded.ok()) return loaded.status();
        if (loaded->is_error()) return Status::InvalidArgument("redis script load: " + loaded->str);
        script.sha_ = loaded->str;
      }
      std::vector<Command> commands;
      commands.reserve(pending.size());
      for (size_t i : pending) {
        const ScriptCall& call = calls[i];
        Command cmd;
        cmd.reserve(3 + call.keys.size() + call.args.size());
        cmd.push_back("EVALSHA");
        cmd.push_back(script.sha_);
        cmd.push_back(std::to_string(call.keys.size()));
        cmd.insert(cmd.end(), call.keys.begin(), call.keys.end());
        cmd.insert(cmd.end(), call.args.begin(), call.args.end());
        commands.push_back(std::move(cmd));
      }
      auto got = impl_->PipelineLocked(commands);
      if (!got.ok()) return got.status();
      std::vector<size_t> unloaded;
      for (size_t j = 0; j < pending.size(); ++j) {
        Reply& r = (*got)[j];
        if (r.is_error() && r.str.rfind("NOSCRIPT", 0) == 0) {
          unloaded.push_back(pending[j]);
        } else {
          replies[pending[j]] = std::move(r);
        }
      }
      if (!unloaded.empty()) script.sha_.clear();
      pending = std::move(unloaded);
    }
    if (!pending.empty()) return Status::Internal("redis: script could not be loaded");
    return replies;
  });
}

bool Client::Ping() {
  auto r = Run({"PING"});
  return r.ok() && !r->is_error();
}

}  // namespace leadflow::redis
