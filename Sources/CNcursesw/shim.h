#ifndef VETDESK_CNCURSESW_SHIM_H
#define VETDESK_CNCURSESW_SHIM_H

#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>
#include <ncursesw/panel.h>

/* Swift cannot import ncurses' function-like macros or its global windows under strict
   concurrency checking; these wrappers are the only way the driver reaches them. */

static inline WINDOW *vt_stdscr(void) { return stdscr; }
static inline int vt_lines(void) { return LINES; }
static inline int vt_cols(void) { return COLS; }
static inline int vt_colors(void) { return COLORS; }
static inline int vt_color_pairs(void) { return COLOR_PAIRS; }
static inline int vt_key_f(int n) { return KEY_F(n); }
static inline attr_t vt_attr_normal(void) { return A_NORMAL; }
static inline attr_t vt_attr_bold(void) { return A_BOLD; }
static inline attr_t vt_attr_reverse(void) { return A_REVERSE; }
static inline attr_t vt_attr_underline(void) { return A_UNDERLINE; }
static inline attr_t vt_attr_dim(void) { return A_DIM; }
static inline attr_t vt_color_pair(int n) { return COLOR_PAIR(n); }

/* Reads one key or character; returns OK, KEY_CODE_YES or ERR like get_wch. */
static inline int vt_get_wch(unsigned int *out) {
    wint_t ch = 0;
    int rc = wget_wch(stdscr, &ch);
    *out = (unsigned int)ch;
    return rc;
}

/* Writes a UTF-8 run at (y, x) with the given attributes. */
static inline int vt_put(int y, int x, const char *utf8, attr_t attrs) {
    wattrset(stdscr, (int)attrs);
    return mvwaddstr(stdscr, y, x, utf8);
}

static inline void vt_getmaxyx(int *y, int *x) {
    int yy, xx;
    getmaxyx(stdscr, yy, xx);
    *y = yy;
    *x = xx;
}

/* Starts ncurses on the process's standard streams; NULL (instead of exiting) when it cannot. */
static inline SCREEN *vt_newterm(void) { return newterm(NULL, stdout, stdin); }

static inline const char *vt_codeset(void) { return nl_langinfo(CODESET); }

#endif
