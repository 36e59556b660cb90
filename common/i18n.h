/*
 * Messages in the reader's language: GNU gettext from the C library, the
 * domain "loaxa", Vietnamese in po/vi/ (LANG=vi_VN.UTF-8), English in the
 * source and in the C locale. Only messages change: numbers, dates and
 * sorting stay in the C locale, so that JSON, CSV and exports never take a
 * decimal comma from the environment.
 */
#ifndef LOAXA_I18N_H
#define LOAXA_I18N_H

#include <libintl.h>

/* A message to translate where it is used. */
#define _(s) gettext(s)
/* A message to translate later: a static initializer (a command's help). */
#define N_(s) (s)

/*
 * Takes the language of messages and the character set from the
 * environment and opens the message catalogue: DIR/locale beside the
 * running program when there is one (the build tree), else LOCALEDIR.
 * Without the vi_VN.UTF-8 locale installed, a LANG or LC_ALL that asks
 * for Vietnamese still gets it (through C.UTF-8 and LANGUAGE).
 */
void i18n_init(void);

#endif
