// leadflow-cli subcommands that act as a sales tool, an HR tool or an
// engagement source would, and read what routing and nurture answered. Each
// returns a process exit code and prints its own progress and errors.
#pragma once

#include <map>
#include <string>

namespace leadflow::cli {

// Options given as --name value (name without the dashes).
using Options = std::map<std::string, std::string>;

// Every record on leads.assigned so far, by decision time, one row each
// (options: team, rep to filter).
int Assignments(const std::string& brokers, const Options& options);
// ListOpenLeads over gRPC, as a team's sales tool asks (options: team or
// rep): a team's open leads and its queue in the order it drains.
int OpenLeads(const std::string& routing_address, const std::string& api_key,
              const Options& options);
// One SalesFeedback on sales.feedback.<team> (options: team, rep, lead, kind
// accept|reject|close|stage, reason for reject, outcome for close; stage,
// value (RUB) and back-reason for stage).
int Feedback(const std::string& brokers, const Options& options);
// SetRepAvailability over gRPC, as the rep's team's sales tool (options: rep,
// state ACTIVE|PAUSED).
int Availability(const std::string& routing_address, const std::string& api_key,
                 const Options& options);
// SetRepOutOfOffice over gRPC (options: rep; minutes, the window's length,
// starting `in` minutes from now (default 0); or clear, no windows). The
// rep's windows are replaced by that one.
int OutOfOffice(const std::string& routing_address, const std::string& api_key,
                const Options& options);
// One EngagementEvent on engagement.events (options: type, account, contact,
// lead, content).
int Engage(const std::string& brokers, const Options& options);
// deals.stages and deals.stalls so far, in time order, one row each.
int Deals(const std::string& brokers);
// accounts.notifications from the beginning, one row each, until `expect`
// rows matched (options: kind to filter) or the timeout passes.
int Notifications(const std::string& brokers, const Options& options, int expect, int timeout_s);

}  // namespace leadflow::cli
