/* The HTML report: one self-contained index.html (inline CSS, no network, no external assets)
 * showing the key numbers, body blocks in the order added (headings, paragraphs, warnings,
 * tables, figures), the inputs and the exact command line. Every piece of caller text is
 * HTML-escaped. A small inline script marks <body data-images="ok|broken"> once every image has
 * loaded, so a browser test (tests/report/test_browser.sh) and a reader both see a figure that
 * failed to load. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report_int.h"

struct as_report {
    char *dir, *title;
    as_sbuf body, keys, inputs, command;
    size_t nfig;
};

as_status as_report_create(const char *dir, const char *title, as_report **out)
{
    *out = NULL;
    if (!dir || !*dir)
        return AS_FAIL(AS_EINVAL, "report: empty directory name");
    AS_TRY(as_report_figures_available());
    AS_TRY(as_mkdir_p(dir));
    as_report *r = as_calloc(1, sizeof *r);
    if (!r)
        return AS_FAIL(AS_ENOMEM, "report: cannot allocate a report");
    r->dir = as_strdup(dir);
    r->title = as_strdup(title ? title : "alloyscout report");
    if (!r->dir || !r->title) {
        as_report_free(r);
        return AS_FAIL(AS_ENOMEM, "report: cannot copy the directory and title");
    }
    *out = r;
    return AS_OK;
}

void as_report_free(as_report *r)
{
    if (!r)
        return;
    as_free(r->dir);
    as_free(r->title);
    as_sbuf_free(&r->body);
    as_sbuf_free(&r->keys);
    as_sbuf_free(&r->inputs);
    as_sbuf_free(&r->command);
    as_free(r);
}

const char *as_report_dir(const as_report *r) { return r->dir; }

/* Append to one of the report's buffers; on failure the append is undone and AS_ENOMEM set. */
static as_status done(as_sbuf *b, size_t mark, const char *what)
{
    if (!b->oom)
        return AS_OK;
    b->oom = 0;
    b->n = mark;
    if (b->s)
        b->s[mark] = '\0';
    return AS_FAIL(AS_ENOMEM, "report: out of memory adding %s", what);
}

static as_status tagged(as_report *r, const char *open, const char *text, const char *close,
                        const char *what)
{
    size_t mark = r->body.n;
    as_sbuf_puts(&r->body, open);
    as_sbuf_escape(&r->body, text ? text : "");
    as_sbuf_puts(&r->body, close);
    return done(&r->body, mark, what);
}

as_status as_report_heading(as_report *r, const char *text)
{
    return tagged(r, "<h2>", text, "</h2>\n", "a heading");
}

as_status as_report_paragraph(as_report *r, const char *text)
{
    return tagged(r, "<p>", text, "</p>\n", "a paragraph");
}

as_status as_report_warning(as_report *r, const char *text)
{
    return tagged(r, "<div class=\"warning\" role=\"note\"><strong>Note.</strong> ", text,
                  "</div>\n", "a warning");
}

static void kv_row(as_sbuf *b, const char *key, const char *value)
{
    as_sbuf_puts(b, "<tr><th scope=\"row\">");
    as_sbuf_escape(b, key ? key : "");
    as_sbuf_puts(b, "</th><td>");
    as_sbuf_escape(b, value ? value : "");
    as_sbuf_puts(b, "</td></tr>\n");
}

as_status as_report_keyvalues(as_report *r, const char *caption, const char *const *keys,
                              const char *const *values, size_t n)
{
    if (n > 0 && (!keys || !values))
        return AS_FAIL(AS_EINVAL, "report: key/value table with %zu rows but NULL arrays", n);
    size_t mark = r->body.n;
    as_sbuf_puts(&r->body, "<table class=\"kv\">\n");
    if (caption) {
        as_sbuf_puts(&r->body, "<caption>");
        as_sbuf_escape(&r->body, caption);
        as_sbuf_puts(&r->body, "</caption>\n");
    }
    for (size_t i = 0; i < n; i++)
        kv_row(&r->body, keys[i], values[i]);
    as_sbuf_puts(&r->body, "</table>\n");
    return done(&r->body, mark, "a key/value table");
}

as_status as_report_table(as_report *r, const char *caption, const char *const *header,
                          size_t ncols, const char *const *cells, size_t nrows)
{
    if (ncols == 0 || (nrows > 0 && !cells))
        return AS_FAIL(AS_EINVAL, "report: table needs ncols >= 1 and cells for %zu rows", nrows);
    size_t mark = r->body.n;
    as_sbuf *b = &r->body;
    as_sbuf_puts(b, "<div class=\"scroll\"><table class=\"grid\">\n");
    if (caption) {
        as_sbuf_puts(b, "<caption>");
        as_sbuf_escape(b, caption);
        as_sbuf_puts(b, "</caption>\n");
    }
    if (header) {
        as_sbuf_puts(b, "<thead><tr>");
        for (size_t j = 0; j < ncols; j++) {
            as_sbuf_puts(b, "<th scope=\"col\">");
            as_sbuf_escape(b, header[j] ? header[j] : "");
            as_sbuf_puts(b, "</th>");
        }
        as_sbuf_puts(b, "</tr></thead>\n");
    }
    as_sbuf_puts(b, "<tbody>\n");
    for (size_t i = 0; i < nrows; i++) {
        as_sbuf_puts(b, "<tr>");
        for (size_t j = 0; j < ncols; j++) {
            as_sbuf_puts(b, "<td>");
            as_sbuf_escape(b, cells[i * ncols + j] ? cells[i * ncols + j] : "");
            as_sbuf_puts(b, "</td>");
        }
        as_sbuf_puts(b, "</tr>\n");
    }
    as_sbuf_puts(b, "</tbody></table></div>\n");
    return done(b, mark, "a table");
}

/* Percent-encode a file name for a relative URL (unreserved characters kept). */
static void url_escape(as_sbuf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
            as_sbuf_putn(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            as_sbuf_putn(b, e, 3);
        }
    }
}

static int file_exists(const char *dir, const char *base, const char *ext, int *oom)
{
    char *path = as_path_join(dir, base, ext);
    if (!path) {
        *oom = 1;
        return 0;
    }
    struct stat sb;
    int ok = stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    as_free(path);
    return ok;
}

as_status as_report_figure(as_report *r, const char *basename, const char *caption)
{
    if (!basename || !*basename)
        return AS_FAIL(AS_EINVAL, "report: figure with an empty file name");
    int oom = 0;
    unsigned fmt = as_plot_default_output().formats;
    int has_svg = (fmt & AS_PLOT_SVG) && file_exists(r->dir, basename, ".svg", &oom);
    int has_png = (fmt & AS_PLOT_PNG) && file_exists(r->dir, basename, ".png", &oom);
    int has_pdf = (fmt & AS_PLOT_PDF) && file_exists(r->dir, basename, ".pdf", &oom);
    if (oom)
        return AS_FAIL(AS_ENOMEM, "report: cannot build the path of figure %s", basename);
    if (!has_svg && !has_png && !has_pdf)
        return AS_FAIL(AS_EIO, "report: figure %s/%s.%s does not exist", r->dir, basename,
                       fmt & AS_PLOT_SVG   ? "svg"
                       : fmt & AS_PLOT_PNG ? "png"
                                           : "pdf");
    as_sbuf url = {0};
    url_escape(&url, basename);
    if (url.oom) {
        as_sbuf_free(&url);
        return AS_FAIL(AS_ENOMEM, "report: cannot encode figure name %s", basename);
    }
    size_t mark = r->body.n;
    as_sbuf *b = &r->body;
    r->nfig++;
    as_sbuf_printf(b, "<figure id=\"fig-%zu\">\n", r->nfig);
    if (has_svg || has_png) {
        as_sbuf_printf(b, "<img src=\"%s.%s\" alt=\"", url.s, has_svg ? "svg" : "png");
        as_sbuf_escape(b, caption ? caption : basename);
        as_sbuf_puts(b, "\"");
        if (has_svg && has_png) /* shown instead when the SVG cannot be displayed */
            as_sbuf_printf(b, " onerror=\"this.onerror=null;this.src='%s.png'\"", url.s);
        as_sbuf_puts(b, ">\n");
    } else { /* PDF only: embedded, with the link below for viewers that cannot embed it */
        as_sbuf_printf(b, "<object data=\"%s.pdf\" type=\"application/pdf\" class=\"pdf\">", url.s);
        as_sbuf_escape(b, caption ? caption : basename);
        as_sbuf_puts(b, "</object>\n");
    }
    as_sbuf_printf(b, "<figcaption><span class=\"fignum\">Figure %zu.</span> ", r->nfig);
    as_sbuf_escape(b, caption ? caption : "");
    as_sbuf_puts(b, " <span class=\"files\">[");
    const char *sep = "";
    if (has_svg) {
        as_sbuf_printf(b, "<a href=\"%s.svg\">SVG</a>", url.s);
        sep = " · ";
    }
    if (has_png) {
        as_sbuf_printf(b, "%s<a href=\"%s.png\">PNG</a>", sep, url.s);
        sep = " · ";
    }
    if (has_pdf)
        as_sbuf_printf(b, "%s<a href=\"%s.pdf\">PDF</a>", sep, url.s);
    as_sbuf_puts(b, "]</span></figcaption>\n</figure>\n");
    as_sbuf_free(&url);
    as_status st = done(b, mark, "a figure");
    if (st != AS_OK)
        r->nfig--;
    return st;
}

as_status as_report_plot(as_report *r, const as_plot *p, const char *basename, const char *caption)
{
    AS_TRY(as_plot_save(p, r->dir, basename));
    return as_report_figure(r, basename, caption);
}

as_status as_report_keyvalue(as_report *r, const char *key, const char *value)
{
    size_t mark = r->keys.n;
    kv_row(&r->keys, key, value);
    return done(&r->keys, mark, "a key number");
}

as_status as_report_number(as_report *r, const char *key, double value, const char *unit)
{
    char buf[96];
    if (unit && *unit)
        snprintf(buf, sizeof buf, "%.4g %s", value, unit);
    else
        snprintf(buf, sizeof buf, "%.4g", value);
    return as_report_keyvalue(r, key, buf);
}

as_status as_report_input(as_report *r, const char *name, const char *value)
{
    size_t mark = r->inputs.n;
    kv_row(&r->inputs, name, value);
    return done(&r->inputs, mark, "an input");
}

/* POSIX shell quoting: words of safe characters stay as they are, others go in single quotes
 * with each ' written as '\''. */
static void shell_quote(as_sbuf *b, const char *s)
{
    int safe = *s != '\0';
    for (const char *c = s; *c; c++)
        if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
              strchr("_-./=:,@%+", *c)))
            safe = 0;
    if (safe) {
        as_sbuf_puts(b, s);
        return;
    }
    as_sbuf_puts(b, "'");
    for (const char *c = s; *c; c++) {
        if (*c == '\'')
            as_sbuf_puts(b, "'\\''");
        else
            as_sbuf_putn(b, c, 1);
    }
    as_sbuf_puts(b, "'");
}

as_status as_report_command(as_report *r, int argc, char *const *argv)
{
    if (argc < 0 || (argc > 0 && !argv))
        return AS_FAIL(AS_EINVAL, "report: command line with %d words but no argv", argc);
    as_sbuf_reset(&r->command);
    for (int i = 0; i < argc; i++) {
        if (i)
            as_sbuf_puts(&r->command, " ");
        shell_quote(&r->command, argv[i] ? argv[i] : "");
    }
    return done(&r->command, 0, "the command line");
}

static const char page_css[] =
    "body{font-family:'DejaVu Sans',system-ui,sans-serif;font-size:16px;line-height:1.5;"
    "color:#1b1b1b;background:#fff;max-width:1100px;margin:0 auto;padding:1.5em}\n"
    "h1{font-size:1.8em;margin:0 0 .2em}h2{font-size:1.35em;margin:1.6em 0 .5em;"
    "border-bottom:1px solid #ddd;padding-bottom:.2em}h3{font-size:1.1em}\n"
    ".meta{color:#555;margin:0}\n"
    "table{border-collapse:collapse;margin:.6em 0 1em}caption{text-align:left;font-weight:bold;"
    "padding:.3em 0}\n"
    "th,td{border:1px solid #ccc;padding:.3em .7em;text-align:left;vertical-align:top}\n"
    "table.grid thead th{background:#eef2f7}table.grid tbody "
    "tr:nth-child(even){background:#f8f8f8}\n"
    "table.kv th{background:#f3f3f3;font-weight:600}\n"
    ".scroll{overflow-x:auto}\n"
    ".warning{background:#fff4e0;border-left:6px solid #e08a00;padding:.7em 1em;margin:1em 0}\n"
    ".error{background:#fde8e8;border-left:6px solid #c62828;padding:.7em 1em;margin:1em 0}\n"
    "figure{margin:1.2em 0;padding:.6em;border:1px solid #e2e2e2;border-radius:4px}\n"
    "figure img{display:block;max-width:100%;height:auto;margin:0 auto}\n"
    "figure object.pdf{display:block;width:100%;height:36em;margin:0 auto}\n"
    "figcaption{margin-top:.4em;color:#333}.fignum{font-weight:bold}.files{color:#666;"
    "font-size:.9em}\n"
    "pre{background:#f5f5f5;border:1px solid #ddd;padding:.7em;white-space:pre-wrap;"
    "word-break:break-all;font-family:'DejaVu Sans Mono',monospace;font-size:.9em}\n"
    "footer{margin-top:2em;color:#666;font-size:.85em;border-top:1px solid "
    "#ddd;padding-top:.5em}\n";

/* Marks <body data-images> with ok/broken once the page has loaded, and shows which figures did
 * not load. Only reads the page; no network. */
static const char page_js[] =
    "(function(){\n"
    "function check(){var im=document.images,ok=0,bad=[];\n"
    " for(var i=0;i<im.length;i++){var m=im[i];\n"
    "  if(m.complete&&m.naturalWidth>100&&m.naturalHeight>100)ok++;else "
    "bad.push(m.getAttribute('src'));}\n"
    " var b=document.body;b.setAttribute('data-images',bad.length?'broken':'ok');\n"
    " b.setAttribute('data-images-ok',String(ok));b.setAttribute('data-images-total',String(im."
    "length));\n"
    " if(bad.length){var w=document.getElementById('image-check');w.textContent='Figures that did "
    "not load: '+bad.join(', ');w.hidden=false;}}\n"
    "if(document.readyState==='complete')check();else window.addEventListener('load',check);\n"
    "})();\n";

as_status as_report_finish(as_report *r)
{
    as_sbuf b = {0};
    as_sbuf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                     "<meta name=\"generator\" content=\"alloyscout ");
    as_sbuf_escape(&b, as_version());
    as_sbuf_puts(&b, "\">\n<title>");
    as_sbuf_escape(&b, r->title);
    as_sbuf_printf(&b, "</title>\n<style>\n%s</style>\n</head>\n<body data-images=\"pending\">\n",
                   page_css);
    as_sbuf_puts(&b, "<header>\n<h1>");
    as_sbuf_escape(&b, r->title);
    as_sbuf_puts(&b, "</h1>\n<p class=\"meta\">Written by alloyscout ");
    as_sbuf_escape(&b, as_version());
    as_sbuf_puts(&b, ". Figures are SVG with a PNG copy beside each.</p>\n</header>\n"
                     "<div id=\"image-check\" class=\"error\" hidden></div>\n");
    if (r->keys.n) {
        as_sbuf_puts(&b,
                     "<section id=\"key-numbers\">\n<h2>Key numbers</h2>\n<table class=\"kv\">\n");
        as_sbuf_puts(&b, r->keys.s);
        as_sbuf_puts(&b, "</table>\n</section>\n");
    }
    as_sbuf_puts(&b, "<main>\n");
    if (r->body.s)
        as_sbuf_puts(&b, r->body.s);
    as_sbuf_puts(&b, "</main>\n");
    if (r->inputs.n || r->command.n) {
        as_sbuf_puts(&b, "<section id=\"inputs\">\n<h2>Inputs</h2>\n");
        if (r->inputs.n) {
            as_sbuf_puts(&b, "<table class=\"kv\">\n");
            as_sbuf_puts(&b, r->inputs.s);
            as_sbuf_puts(&b, "</table>\n");
        }
        if (r->command.n) {
            as_sbuf_puts(&b, "<h3>Command line</h3>\n<pre id=\"command\">");
            as_sbuf_escape(&b, r->command.s);
            as_sbuf_puts(&b, "</pre>\n");
        }
        as_sbuf_puts(&b, "</section>\n");
    }
    as_sbuf_puts(&b, "<footer>alloyscout ");
    as_sbuf_escape(&b, as_version());
    as_sbuf_printf(&b,
                   " · %zu figure%s · this page needs no network</footer>\n<script>\n%s"
                   "</script>\n</body>\n</html>\n",
                   r->nfig, r->nfig == 1 ? "" : "s", page_js);
    as_status st = as_sbuf_status(&b, "index.html");
    char *path = NULL;
    if (st == AS_OK && !(path = as_path_join(r->dir, "index", ".html")))
        st = AS_FAIL(AS_ENOMEM, "report: cannot build the path of index.html");
    as_outfile *of = NULL;
    if (st == AS_OK)
        st = as_outfile_open(path, &of);
    if (st == AS_OK) {
        fwrite(b.s, 1, b.n, as_outfile_stream(of));
        st = as_outfile_commit(of);
    }
    as_free(path);
    as_sbuf_free(&b);
    return st;
}
