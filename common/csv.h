/* CSV fields (RFC 4180) for every module that writes CSV for spreadsheets. */
#ifndef LOAXA_CSV_H
#define LOAXA_CSV_H

#include <stdio.h>

/*
 * Writes s as one CSV field, nothing for NULL. A field is quoted when it
 * holds a comma, a quote, CR or LF, or starts or ends with a space (readers
 * that trim would lose it); quotes inside are doubled. A field that starts
 * with '=', '+', '-', '@', a tab or CR, which a spreadsheet would take for a
 * formula, gets a single quote in front (OWASP's CSV injection advice).
 */
void csv_str(FILE *, const char *s);

#endif
