// Defaults the ThreadSanitizer run-time reads at start-up (TSAN_OPTIONS still overrides them),
// compiled into every test executable of a CONVGEN_TSAN build. The first report stops the
// process with a failing exit status, so a race cannot pass as a printed warning.
extern "C" const char *__tsan_default_options() { return "halt_on_error=1:exitcode=66:second_deadlock_stack=1"; }
