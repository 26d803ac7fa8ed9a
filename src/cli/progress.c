/* Progress display on stderr for long-running commands (see progress.h). Uses the monotonic
 * clock only for the display; nothing here feeds into any result. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

/* Display parameters (one place): redraw interval of the bar, plain-line interval, bar cells,
 * longest label shown. */
#define PROGRESS_REDRAW_S 0.1
#define PROGRESS_LINE_EVERY_S 5.0
#define PROGRESS_BAR_CELLS 30
#define PROGRESS_WHAT_MAX 28

static struct {
    int active, tty;
    char what[PROGRESS_WHAT_MAX + 1];
    size_t total, done, last_line_done;
    double t0, last_draw, last_line;
} g;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void cli_progress_duration(char *buf, size_t cap, double seconds)
{
    if (!isfinite(seconds) || seconds < 0 || seconds > 99.0 * 3600) {
        snprintf(buf, cap, "--:--");
        return;
    }
    unsigned long s = (unsigned long)(seconds + 0.5);
    if (s >= 3600)
        snprintf(buf, cap, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
    else
        snprintf(buf, cap, "%lu:%02lu", s / 60, s % 60);
}

static double eta_s(size_t done, size_t total, double elapsed_s)
{
    if (done == 0 || total == 0 || done > total)
        return NAN;
    return elapsed_s * (double)(total - done) / (double)done;
}

int cli_progress_format_bar(char *buf, size_t cap, const char *what, size_t done, size_t total,
                            double elapsed_s, int bar_width)
{
    char t[32];
    if (total == 0) {
        cli_progress_duration(t, sizeof t, elapsed_s);
        return snprintf(buf, cap, "%s %zu done, %s elapsed", what, done, t);
    }
    if (done > total)
        done = total;
    if (bar_width < 1)
        bar_width = 1;
    if (bar_width > 120)
        bar_width = 120;
    char bar[121];
    /* cells filled = floor(width * done / total), so the bar is full only when done == total */
    int fill = (int)((double)bar_width * (double)done / (double)total);
    for (int i = 0; i < bar_width; i++)
        bar[i] = i < fill ? '#' : '-';
    bar[bar_width] = '\0';
    int pct = (int)(100.0 * (double)done / (double)total);
    cli_progress_duration(t, sizeof t, eta_s(done, total, elapsed_s));
    return snprintf(buf, cap, "%s [%s] %3d%% %zu/%zu ETA %s", what, bar, pct, done, total, t);
}

int cli_progress_format_line(char *buf, size_t cap, const char *what, size_t done, size_t total,
                             double elapsed_s)
{
    char te[32], tr[32];
    cli_progress_duration(te, sizeof te, elapsed_s);
    if (total == 0)
        return snprintf(buf, cap, "%s: %zu done, %s elapsed", what, done, te);
    if (done > total)
        done = total;
    int pct = (int)(100.0 * (double)done / (double)total);
    cli_progress_duration(tr, sizeof tr, eta_s(done, total, elapsed_s));
    return snprintf(buf, cap, "%s: %d%% (%zu/%zu), %s elapsed, ETA %s", what, pct, done, total, te,
                    tr);
}

int cli_progress_line_due(size_t last_done, size_t done, size_t total, double since_last_s,
                          double every_s)
{
    if (done <= last_done)
        return 0;
    if (total > 0) {
        size_t d0 =
            (size_t)(10.0 * (double)(last_done > total ? total : last_done) / (double)total);
        size_t d1 = (size_t)(10.0 * (double)(done > total ? total : done) / (double)total);
        if (d1 > d0)
            return 1;
    }
    return since_last_s >= every_s;
}

static void draw_bar(double t)
{
    char line[256];
    cli_progress_format_bar(line, sizeof line, g.what, g.done, g.total, t - g.t0,
                            PROGRESS_BAR_CELLS);
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    g.last_draw = t;
}

static void print_line(double t)
{
    char line[256];
    cli_progress_format_line(line, sizeof line, g.what, g.done, g.total, t - g.t0);
    fprintf(stderr, "%s\n", line);
    g.last_line = t;
    g.last_line_done = g.done;
}

void cli_progress_start(const char *what, size_t total, int quiet)
{
    memset(&g, 0, sizeof g);
    if (quiet)
        return;
    g.active = 1;
    g.tty = isatty(STDERR_FILENO) == 1;
    snprintf(g.what, sizeof g.what, "%s", what ? what : "working");
    g.total = total;
    g.t0 = g.last_line = now_s();
    if (g.tty)
        draw_bar(g.t0);
}

void cli_progress_update(size_t done)
{
    if (!g.active)
        return;
    if (g.total && done > g.total)
        done = g.total;
    if (done < g.done)
        return;
    g.done = done;
    double t = now_s();
    if (g.tty) {
        if (t - g.last_draw >= PROGRESS_REDRAW_S)
            draw_bar(t);
    } else if (cli_progress_line_due(g.last_line_done, done, g.total, t - g.last_line,
                                     PROGRESS_LINE_EVERY_S) &&
               !(g.total && done == g.total)) {
        print_line(t); /* the final line is left to cli_progress_end */
    }
}

void cli_progress_end(void)
{
    if (!g.active)
        return;
    double t = now_s();
    if (g.tty) {
        draw_bar(t);
        fputc('\n', stderr);
    } else {
        char te[32];
        cli_progress_duration(te, sizeof te, t - g.t0);
        if (g.total)
            fprintf(stderr, "%s: done (%zu/%zu) in %s\n", g.what, g.done, g.total, te);
        else
            fprintf(stderr, "%s: done (%zu) in %s\n", g.what, g.done, te);
    }
    fflush(stderr);
    g.active = 0;
}
