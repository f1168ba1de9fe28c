// convgen: run ops on .npy files, and check the JIT against the reference on the suite.
// Exit status: 0 success, 2 invalid input or usage (one "error: ..." line on stderr), 1 other failure.
#include "app.h"

int main(int argc, char **argv) { return convgen::cli::run_command_line(argc, argv); }
