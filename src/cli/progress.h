/* Progress display for long-running commands, on stderr only (the library never prints).
 * A terminal gets one bar with percent and ETA redrawn in place at most ten times a second;
 * anything else (a log file, a pipe) gets a plain line about every 10 % or every 5 s; --quiet
 * gets nothing. One display at a time; not thread-safe (call from the main thread). */
#ifndef AS_CLI_PROGRESS_H
#define AS_CLI_PROGRESS_H

#include <stddef.h>

/* Begin a display for `what` ("cv folds", "MC sweeps") over `total` steps (0 = unknown). */
void cli_progress_start(const char *what, size_t total, int quiet);
/* Report that `done` steps are finished (monotone; values above total are clamped). */
void cli_progress_update(size_t done);
/* Finish: the bar is completed and ended with a newline; a plain line gives the total time. */
void cli_progress_end(void);

/* ---- pure formatting, used by the functions above and unit-tested ---- */
/* "1:05", "12:00", "1:02:03"; negative or non-finite gives "--:--". */
void cli_progress_duration(char *buf, size_t cap, double seconds);
/* The terminal bar: "what [#########-----------]  45% 9/20 ETA 0:13" with bar_width cells
 * (1..120).
 * Without a total: "what 9 done, 0:07 elapsed". ETA = elapsed * (total - done) / done,
 * "--:--" before the first step. Returns the length snprintf would write. */
int cli_progress_format_bar(char *buf, size_t cap, const char *what, size_t done, size_t total,
                            double elapsed_s, int bar_width);
/* The plain line: "what: 45% (9/20), 0:07 elapsed, ETA 0:13". */
int cli_progress_format_line(char *buf, size_t cap, const char *what, size_t done, size_t total,
                             double elapsed_s);
/* Whether a plain line is due: the 10 % decile of done passed that of last_done, or at least
 * every_s seconds passed since the last line (and some progress happened). */
int cli_progress_line_due(size_t last_done, size_t done, size_t total, double since_last_s,
                          double every_s);

#endif
