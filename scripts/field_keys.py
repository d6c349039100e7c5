#!/usr/bin/env python3
"""Checks that each result and header field's names are spelled in one place.

Reads the rows of HVB_RESULT_FIELDS in kernel/record_fields.h and of
HVB_HEADER_FIELDS in kernel/header_fields.h and, for each field's wire key,
results-JSON key (a result's group_key; a header field's context key), CSV
column and old wire key (a header field's name before it was renamed),
counts the non-test source files (arch/, posih/, kernel/, benchmarks/,
tools/) that write it as a string literal ("key"). More than MAX_FILES is an
error: the name is spelled out where the field tables should be used
instead (docs/architecture.md "Result records"). Run by ctest as
build.field-keys.

Usage: scripts/field_keys.py [SOURCE_DIR]
"""
import os
import re
import sys

MAX_FILES = 2
SOURCE_DIRS = ("arch", "posih", "kernel", "benchmarks", "tools")
# Files whose literals are words for people, not keys: the console tables'
# column titles ("category", "status", "iterations", "median") and the
# kernel's command-line option names ("timer=").
NOT_KEYS = {
    "kernel/options.cpp": "kernel command-line option names",
    "kernel/console_report.cpp": "the kernel's console table titles",
    "tools/reporters.cpp": "the tool's console table titles",
    "tools/results.cpp": "the linearity table's titles",
    "tools/compare.cpp": "the comparison table's titles",
}


def table_rows(text, table):
    """The X(...) rows of the table macro `table`, as lists of their arguments."""
    start = text.index("#define %s(X)" % table)
    body = []
    for line in text[start:].splitlines()[1:]:
        body.append(line.rstrip("\\").strip())
        if not line.rstrip().endswith("\\"):
            break
    flat = re.sub(r"/\*.*?\*/", "", " ".join(body))
    return [[a.strip() for a in m.split(",")] for m in re.findall(r"\bX\(([^()]*)\)", flat)]


def header_names(row):
    """A header field's spellings: wire key, old wire key, context key."""
    member, wire, old, ctx_key = row[0], row[5], row[6], row[8]
    return member, {n for n in (wire, old, ctx_key) if n}


def names(row):
    """The field's spellings: wire key, JSON key, CSV column."""
    member, kind, need, group, key, csv = row[:6]
    out = set()
    if group != "host":
        out.add(key)
    out.add(key if group in ("top", "host") else group + "_" + key)
    if csv.strip('"'):
        out.add(csv.strip('"'))
    return member, out


def strip_comments(text):
    """C++ source without its comments (a name in a comment is no spelling)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = n if i < 0 else i
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


# Literals that are words for people in any file: a benchmark's category
# (`.category = "timer"`) and the option name an unknown-word error names
# (`unknown_word_message(e, "timer", ...)`).
PEOPLE_WORDS = re.compile(r'(\.category\s*=\s*|unknown_word_message\(\s*\w+\s*,\s*)"[^"]*"')


def sources(root):
    for d in SOURCE_DIRS:
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            for f in files:
                if f.endswith((".h", ".cpp", ".asm", ".S")):
                    yield os.path.join(dirpath, f)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
    fields = []
    for header, table, spell in (("record_fields.h", "HVB_RESULT_FIELDS", names),
                                 ("header_fields.h", "HVB_HEADER_FIELDS", header_names)):
        rows = table_rows(open(os.path.join(root, "kernel", header)).read(), table)
        if len(rows) < 10:
            print("field_keys: found only %d rows in %s" % (len(rows), table))
            return 1
        fields += [spell(row) for row in rows]
    contents = {p: PEOPLE_WORDS.sub(r"\1", strip_comments(open(p, errors="replace").read())) for p in sources(root)}
    bad = 0
    for member, spellings in fields:
        for key in sorted(spellings):
            files = sorted(os.path.relpath(p, root) for p, c in contents.items() if '"%s"' % key in c)
            files = [f for f in files if f not in NOT_KEYS]
            if len(files) > MAX_FILES:
                bad += 1
                print('field_keys: %s: "%s" is spelled in %d files (at most %d): %s'
                      % (member, key, len(files), MAX_FILES, ", ".join(files)))
    print("field_keys: %d fields, %s" % (len(fields), "ok" if not bad else "%d names spelled too often" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
