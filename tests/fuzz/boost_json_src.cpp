// boost_json_src.cpp -- Boost.JSON compiled from its sources into the fuzz build, in place of
// Debian's prebuilt libboost_json: so the parser that protocol_json_fuzz feeds is instrumented
// too (coverage guides the fuzzer into it, ASan and UBSan check it).
#include <boost/json/src.hpp>
