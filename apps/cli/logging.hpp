// logging.hpp -- sets up the process-wide spdlog logger the libraries write to.
// Called once by each app's main() before anything logs; stdout stays free for program output.
#pragma once

#include <string>

namespace chat {

// `level`: trace, debug, info, warn, error, critical or off. Returns false (and changes nothing)
// for any other word, so main() can say so and exit.
bool configure_logging(const std::string& level, const std::string& logger_name);

} // namespace chat
