#!/usr/bin/env python3
"""Every SQL statement loaxa runs is a constant; values go in bound parameters.

    tests/lint-sql.py [--allow FILE] DIR...

Reads the C sources under each DIR and fails (exit 1, one FILE:LINE: line
per finding) on:

  - a call that runs SQL (sqlite3_prepare*, sqlite3_exec, and every function
    of ours that hands one of its own parameters to one of those, found
    across files until nothing new turns up) whose SQL argument is not a
    string literal, a macro that is one, or a `static const char NAME[]` /
    `const char *const NAME` initialised by one in the same file;
  - text built at run time (printf-family, sqlite3_mprintf, strcat and the
    like) from a format or piece that holds an SQL keyword (SELECT, INSERT,
    UPDATE, DELETE, WHERE, VALUES, PRAGMA, CREATE, DROP, ALTER, in capitals,
    as the code writes SQL and never messages).

The rare justified case goes in the allow-list (tests/lint-sql.allow): one
line "PATH FUNCTION TEXT -- REASON", where TEXT is a piece of the flagged
expression; an entry without a reason, or one that matches nothing, is an
error too (exit 2), so the list cannot rot.
"""
import os
import re
import sys

RUNNERS = {  # function -> index of its SQL argument
    "sqlite3_prepare": 1, "sqlite3_prepare_v2": 1, "sqlite3_prepare_v3": 1,
    "sqlite3_prepare16": 1, "sqlite3_prepare16_v2": 1, "sqlite3_prepare16_v3": 1,
    "sqlite3_exec": 1,
}
BUILDERS = {"sprintf", "snprintf", "asprintf", "vasprintf", "vsnprintf",
            "xasprintf", "xvasprintf", "sqlite3_mprintf", "sqlite3_vmprintf",
            "sqlite3_snprintf", "sqlite3_str_appendf", "sqlite3_str_appendall",
            "strcat", "strncat", "strcpy", "stpcpy", "memcpy"}
SQL_WORD = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE|WHERE|VALUES|PRAGMA|"
                      r"CREATE|DROP|ALTER)\b")
TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<comment>/\*.*?\*/|//[^\n]*) |
    (?P<pp>^[ \t]*\#(?:[^\n\\]|\\.)*) |
    (?P<str>(?:u8|[uUL])?"(?:[^"\\\n]|\\.)*") | (?P<chr>'(?:[^'\\\n]|\\.)*') |
    (?P<id>[A-Za-z_]\w*) | (?P<num>\.?\d(?:[\w.]|[eEpP][+-])*) |
    (?P<op>->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=]=?|[()\[\]{};,.?:])
    """, re.S | re.M | re.X)


class Tok:
    def __init__(self, kind, text, line):
        self.kind, self.text, self.line = kind, text, line


def tokens(src):
    out, pos, line = [], 0, 1
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if m is None:  # a stray byte: skip it
            pos += 1
            continue
        kind = m.lastgroup
        if kind not in ("ws", "comment"):
            out.append(Tok(kind, m.group(), line))
        line += m.group().count("\n")
        pos = m.end()
    return out


def literal_macros(toks):
    """Macros whose body is only string literals (and other such macros)."""
    found, changed = {}, True
    defs = []
    for t in toks:
        m = re.match(r"\s*#\s*define\s+(\w+)\s+(.*)", t.text.replace("\\\n", " "), re.S)
        if t.kind == "pp" and m:
            defs.append((m.group(1), tokens(m.group(2))))
    while changed:
        changed = False
        for name, body in defs:
            if name not in found and body and all(
                    b.kind == "str" or (b.kind == "id" and b.text in found) for b in body):
                found[name] = True
                changed = True
    return found


def split_args(toks, i):
    """toks[i] is '('; returns ([arg token lists], index after ')')."""
    depth, args, cur = 0, [], []
    j = i
    while j < len(toks):
        t = toks[j]
        if t.text in "([{" and t.kind == "op":
            depth += 1
            if depth > 1:
                cur.append(t)
        elif t.text in ")]}" and t.kind == "op":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args, j + 1
            cur.append(t)
        elif t.text == "," and depth == 1:
            args.append(cur)
            cur = []
        else:
            cur.append(t)
        j += 1
    return args, j


class Func:
    def __init__(self, path, name, params, body, line):
        self.path, self.name, self.params, self.body, self.line = path, name, params, body, line


def functions(path, toks):
    """Function definitions: NAME ( PARAMS ) { BODY } at file scope."""
    out, i, depth = [], 0, 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "op" and t.text == "{":
            depth += 1
        elif t.kind == "op" and t.text == "}":
            depth -= 1
        elif (depth == 0 and t.kind == "id" and i + 1 < len(toks)
              and toks[i + 1].text == "("):
            args, j = split_args(toks, i + 1)
            if j < len(toks) and toks[j].text == "{":
                params = []
                for a in args:
                    ids = [x.text for x in a if x.kind == "id"]
                    params.append(ids[-1] if ids else None)
                k, d = j, 0
                while k < len(toks):
                    if toks[k].text == "{" and toks[k].kind == "op":
                        d += 1
                    elif toks[k].text == "}" and toks[k].kind == "op":
                        d -= 1
                        if d == 0:
                            break
                    k += 1
                out.append(Func(path, t.text, params, toks[j + 1:k], t.line))
                i = k + 1
                continue
        i += 1
    return out


def constants(toks, macros):
    """Names declared const and initialised only by string literals."""
    found = set()
    for i, t in enumerate(toks):
        if t.kind != "id" or i + 1 >= len(toks):
            continue
        # static const char NAME[] = "..." ;   const char *const NAME = "..." ;
        j = i + 1
        if toks[j].text == "[":
            while j < len(toks) and toks[j].text != "]":
                j += 1
            j += 1
        if j >= len(toks) or toks[j].text != "=":
            continue
        back = [x.text for x in toks[max(0, i - 5):i]]
        if "const" not in back or "char" not in back:
            continue
        if "*" in back and back[-1] != "const":  # a pointer that may be moved
            continue
        k, ok = j + 1, False
        while k < len(toks) and toks[k].text not in (";", ","):
            if not (toks[k].kind == "str" or (toks[k].kind == "id" and toks[k].text in macros)):
                break
            ok = True
            k += 1
        else:
            if ok:
                found.add(t.text)
    return found


def is_constant(arg, macros, consts):
    return bool(arg) and all(
        a.kind == "str" or (a.kind == "id" and (a.text in macros or a.text in consts))
        for a in arg)


def show(arg):
    return " ".join(a.text for a in arg)


def lint(dirs, allow):
    files = []
    for d in dirs:
        if os.path.isfile(d):
            files.append(d)
            continue
        for root, subdirs, names in os.walk(d):
            subdirs[:] = sorted(s for s in subdirs if not s.startswith("."))
            files += [os.path.join(root, n) for n in sorted(names) if n.endswith((".c", ".h"))]
    read = []
    for path in files:
        with open(path, encoding="utf-8", errors="replace") as f:
            read.append((path, tokens(f.read())))
    # A header's literal macros count in the files that include it.
    headers = {path: literal_macros(toks) for path, toks in read if path.endswith(".h")}
    units = []
    for path, toks in read:
        macros = {}
        for t in toks:
            inc = re.match(r'\s*#\s*include\s+"([^"]+)"', t.text) if t.kind == "pp" else None
            if inc:
                for h, hm in headers.items():
                    if h.endswith("/" + inc.group(1)):
                        macros.update(hm)
        macros.update(literal_macros(toks))
        units.append((path, functions(path, toks), macros, constants(toks, macros)))

    # Our functions that pass one of their parameters on as SQL run SQL too.
    runners, changed = dict(RUNNERS), True
    while changed:
        changed = False
        for path, funcs, macros, consts in units:
            for fn in funcs:
                if fn.name in runners:
                    continue
                for i, t in enumerate(fn.body):
                    if t.kind == "id" and t.text in runners and i + 1 < len(fn.body) \
                            and fn.body[i + 1].text == "(":
                        args, _ = split_args(fn.body, i + 1)
                        a = args[runners[t.text]] if len(args) > runners[t.text] else []
                        if len(a) == 1 and a[0].text in fn.params:
                            runners[fn.name] = fn.params.index(a[0].text)
                            changed = True
                            break

    findings = []
    for path, funcs, macros, consts in units:
        for fn in funcs:
            body = fn.body
            for i, t in enumerate(body):
                if t.kind != "id" or i + 1 >= len(body) or body[i + 1].text != "(":
                    continue
                if i > 0 and body[i - 1].text in ("->", "."):
                    continue
                args, _ = split_args(body, i + 1)
                if t.text in runners:
                    a = args[runners[t.text]] if len(args) > runners[t.text] else []
                    if is_constant(a, macros, consts):
                        continue
                    if len(a) == 1 and a[0].text in fn.params and fn.name in runners:
                        continue  # a runner itself: its callers are checked
                    findings.append((path, t.line, fn.name, show(a),
                                     "%s() runs SQL that is not a constant: %s"
                                     % (t.text, show(a))))
                elif t.text in BUILDERS:
                    pieces = [x for arg in args for x in arg if x.kind == "str"]
                    text = "".join(p.text for p in pieces)
                    if SQL_WORD.search(text):
                        findings.append((path, t.line, fn.name, text,
                                         "%s() builds SQL text at run time: %s"
                                         % (t.text, text)))

    used, bad = set(), []
    for path, line, fname, text, msg in findings:
        hit = [k for k, (p, f, piece, _) in enumerate(allow)
               if path.endswith(p) and f == fname and piece in text]
        if hit:
            used.update(hit)
        else:
            bad.append("%s:%d: %s (in %s)" % (path, line, msg, fname))
    return bad, [allow[k] for k in range(len(allow)) if k not in used]


def read_allow(path):
    entries, errors = [], []
    if path is None:
        return entries, errors
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"(\S+)\s+(\w+)\s+(.+?)\s+--\s+(\S.*)$", line)
            if m is None:
                errors.append("%s:%d: an entry is PATH FUNCTION TEXT -- REASON" % (path, n))
                continue
            entries.append((m.group(1), m.group(2), m.group(3), "%s:%d" % (path, n)))
    return entries, errors


def main(argv):
    allow_path = None
    if len(argv) > 2 and argv[1] == "--allow":
        allow_path = argv[2]
        argv = argv[2:]
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    allow, errors = read_allow(allow_path)
    bad, unused = lint(argv[1:], allow)
    for e in errors:
        print(e, file=sys.stderr)
    for p, f, piece, where in unused:
        print("%s: allow-list entry matches nothing (%s %s %s); remove it"
              % (where, p, f, piece), file=sys.stderr)
    for b in bad:
        print(b, file=sys.stderr)
    if errors or unused:
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
