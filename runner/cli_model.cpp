#include "runner/cli.h"

namespace nar::runner {

void add_model_commands(CLI::App& app) { (void)app; }

}  // namespace nar::runner
