#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The objects a patch can break: what check-series compiles per prefix.

A full incremental build of every prefix recompiles every object that
includes a header the patch touches: amdgpu, radeon, nouveau and vmwgfx
for each change to a TTM header, most of the kernel for a change to
<linux/dma-mapping.h>. Most of those objects do not use anything the
patch changed, so they compile exactly as before. This tool names the
objects that can fail to compile after the patch:

  - the objects of the C files the patch changes (and of the C files
    that #include a changed C file);
  - for each header it changes: the names whose declaration changed
    (function, macro, struct member, enum constant, type, variable,
    the arguments of a DEFINE_*()/DECLARE_*() line; compared with the
    #if block they sit in; every constant of an enum that gains or loses
    one), and every object whose C file uses one of those names, or a
    macro built on one (## pasting included); a header that uses one is
    compiled once, in one object that includes it; one object that
    includes the changed header; C files a later patch changes, read as
    they are at this commit;
  - a header that drops an #include or adds an #undef: every object
    that includes it;
  - Makefile and Kbuild lines: the objects and directories they name,
    the objects whose flags they change; Kconfig: the objects that test
    a symbol whose entry changed, or that an entry now selects or
    implies, or no longer does;
  - a commit that deletes a file, or a file that is gone by the tip:
    "*", the prefix builds whole (the tip's dependency files cannot say
    who used it).

Which object includes which header comes from kbuild's own dependency
files (.*.o.cmd) of a build of the series' tip; which objects the test
configuration builds, too. A prefix's build of these objects proves that
each one compiles; linking (modpost, vmlinux) is proven by the full
builds of the tip. 'make check-series FULL=1' builds every prefix whole.

  prefix_objs.py targets --tree TREE --obj OBJDIR COMMIT...
        for each COMMIT (diffed against its parent), one line:
        COMMIT TARGET... (make targets relative to the tree; "-" for
        none; "*" to build it whole), and on stderr why each was chosen
        with -v

  prefix_objs.py variant --tree TREE --obj OBJDIR --symbols SYM,...
                         --under DIR BASE TIP
        what a second configuration of the tip, differing in the
        Kconfig SYMBOLS (amdgpu with DC, KFD and SI), must compile: the
        objects whose code only one configuration compiles (#if
        branches on the symbols, what an #include there brings) meets
        what BASE..TIP changes, and the changed C files the tip's build
        does not compile; "*" for all of DIR, "-" for nothing
"""

import argparse
import os
import re
import subprocess
import sys

C_WORDS = set(
    """
auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed
sizeof static struct switch typedef union unsigned void volatile while
bool true false NULL typeof __always_inline __must_check __init __exit
u8 u16 u32 u64 s8 s16 s32 s64 size_t ssize_t gfp_t dma_addr_t pgoff_t
phys_addr_t uint8_t uint16_t uint32_t uint64_t __u32 __u64 loff_t
""".split()
)
IDENT = re.compile(r"[A-Za-z_]\w*")
# a diff whose lines this file reads, whatever the user's git
# configuration says (diff.noprefix, color.diff, diff.external)
DIFF_OPTS = ("--no-color", "--no-ext-diff", "--src-prefix=a/",
             "--dst-prefix=b/")
INVOCATION = re.compile(r"^([A-Z][A-Z0-9_]*)\s*\((.*)\)\s*;?$", re.S)
# a function definition's first line, or an export
DEFINITION = re.compile(
    r"^(?:EXPORT_SYMBOL\w*\(\s*(\w+)\s*\)|(?!static\b)(?:[A-Za-z_][\w ]*?"
    r"[\s*]+)?(\w+)\s*\([^;]*$)"
)
ATTRIBUTE = re.compile(r"__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)")


def code_only(s):
    """S without its preprocessor lines and __attribute__((...))."""
    s = "\n".join(x for x in s.split("\n") if not x.strip().startswith("#"))
    return ATTRIBUTE.sub(" ", s)


class Error(Exception):
    pass


def strip_comments(text):
    """Comments and string literals blanked, newlines kept."""

    def blank(m):
        s = m.group(0)
        if s.startswith("/") or s.startswith('"') or s.startswith("'"):
            return re.sub(r"[^\n]", " ", s) if s[0] == "/" else s[0] * 2
        return s

    return re.sub(
        r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
        blank,
        text,
        flags=re.S,
    )


def logical_lines(text):
    """Lines with backslash continuations joined."""
    return re.sub(r"\\\n", " ", text).split("\n")


def norm(s):
    return " ".join(IDENT.sub(lambda m: " " + m.group(0) + " ", s).split())


def last_ident(s):
    s = re.sub(r"\[[^\]]*\]", "", s)  # arrays
    s = re.sub(r":\s*\w+\s*$", "", s)  # bit fields
    s = re.sub(r"=.*$", "", s, flags=re.S)
    ids = [
        i
        for i in IDENT.findall(s)
        if i not in C_WORDS and not i.startswith("__")
    ]
    return ids[-1] if ids else None


def split_top(code, sep=";"):
    """Split CODE at SEP and at the end of function bodies, at depth 0."""
    items, cur, depth = [], [], 0
    for ch in code:
        cur.append(ch)
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
            if ch == "}" and depth == 0 and sep == ";":
                s = "".join(cur)
                head = s[: s.find("{")]
                if head.rstrip().endswith(")") and not re.match(
                    r"\s*(typedef\s+)?(struct|union|enum)\b", head
                ):
                    items.append(s)
                    cur = []
        elif ch == sep and depth == 0:
            items.append("".join(cur))
            cur = []
        elif (
            ch == "\n"
            and depth == 0
            and sep == ";"
            and INVOCATION.match("".join(cur).strip())
        ):
            # DEFINE_FREE(...), DECLARE_BITMAP(...): kernel headers
            # write such declarations without a semicolon
            items.append("".join(cur))
            cur = []
    if "".join(cur).strip():
        items.append("".join(cur))
    return items


def aggregate_members(body, prefix, out):
    """Members of a struct or union BODY into OUT: (name, text)."""
    for m in split_top(body):
        m = m.strip()
        if not m or m == ";":
            continue
        code = code_only(m)
        if not code.strip(" \n;"):
            continue  # only #if lines: they count in the next member
        inner = re.match(
            r"^(struct|union)\s*(\w*)\s*\{(.*)\}\s*(\w*)\s*;?$",
            code.strip(),
            re.S,
        )
        if inner:
            aggregate_members(inner.group(3), prefix, out)
            if inner.group(4):
                out[prefix + "." + inner.group(4)] = (
                    (inner.group(4),),
                    norm(m),
                )
            continue
        fp = re.search(r"\(\s*\*\s*(\w+)\s*\)\s*\(", code)
        if fp:
            names = [fp.group(1)]
        else:  # unsigned int order, flags;
            names = [
                last_ident(x) for x in split_top(code.rstrip(" \n;"), ",")
            ]
        for name in filter(None, names):
            out[prefix + "." + name] = ((name,), norm(m))


def declarations(text):
    """{key: (name, normalised text)} of a header's declarations.

    A key holds the #if blocks around the declaration, so moving one into
    or out of a conditional changes it. Includes are returned as keys
    starting with "#include".
    """
    out = {}
    code = []
    conds = []
    depth = 0
    for line in logical_lines(strip_comments(text)):
        s = line.strip()
        if not s.startswith("#"):
            code.append((tuple(conds), line))
            depth += line.count("{") - line.count("}")
            continue
        d = re.match(r"#\s*(\w+)\s*(.*)", s)
        if not d:
            continue
        kw, rest = d.group(1), norm(d.group(2))
        ck = "|".join(conds)
        if depth > 0 and kw in (
            "if",
            "ifdef",
            "ifndef",
            "else",
            "elif",
            "endif",
        ):
            # inside a struct or enum: part of the member that follows
            code.append((tuple(conds), "# " + kw + " " + rest))
            continue
        if kw in ("if", "ifdef", "ifndef"):
            conds.append(kw + " " + rest)
        elif kw in ("else", "elif") and conds:
            conds[-1] = conds[-1] + " | " + kw + " " + rest
        elif kw == "endif" and conds:
            conds.pop()
        elif kw == "define":
            m = IDENT.match(d.group(2))
            if m:
                out[ck + "#define " + m.group(0)] = ((m.group(0),), rest)
        elif kw == "include":
            out[ck + "#include " + rest] = ((), rest)
        elif kw == "undef":
            out[ck + "#undef " + rest] = ((), rest)
    # code between preprocessor lines, each piece under its conditionals
    pieces = []
    for cond, line in code:
        if pieces and pieces[-1][0] == cond:
            pieces[-1][1].append(line)
        else:
            pieces.append((cond, [line]))
    # declarations may span a conditional: join all code, remember the
    # conditions of each declaration's first line
    joined, marks = "", []
    for cond, lines in pieces:
        marks.append((len(joined), cond))
        joined += "\n".join(lines) + "\n"
    pos = 0
    for item in split_top(joined):
        start = pos
        pos += len(item)
        body = item.strip()
        if not body or body == ";":
            continue
        lead = len(item) - len(item.lstrip())
        cond = ()
        for off, c in marks:
            if off <= start + lead:
                cond = c
        ck = "|".join(cond)
        agg = re.match(
            r"^(typedef\s+)?(struct|union|enum)\s*"
            r"(?:__\w+\s+|__attribute__\s*\(\(.*?\)\)\s*)*(\w*)\s*"
            r"\{(.*)\}\s*(\w*)[^;]*;?$",
            body,
            re.S,
        )
        if agg:
            tag = agg.group(3) or agg.group(5)
            if not tag:
                continue
            out[ck + "agg " + tag] = ((tag,), "")
            if agg.group(5) and agg.group(5) != tag:
                out[ck + "typedef " + agg.group(5)] = ((agg.group(5),), "")
            if agg.group(2) == "enum":
                for e in agg.group(4).split(","):
                    m = IDENT.search(code_only(e))
                    if m:
                        out[ck + "enum " + tag + "." + m.group(0)] = (
                            (m.group(0),),
                            norm(e),
                        )
            else:
                members = {}
                aggregate_members(agg.group(4), ck + "member " + tag, members)
                out.update(members)
            continue
        if re.match(r"^(struct|union|enum)\s+\w+\s*;$", body):
            continue  # forward declaration
        inv = INVOCATION.match(body)
        if inv:
            # DEFINE_FREE(pool, ...), DECLARE_PER_CPU(int, x): every name
            # in the arguments may be what users use
            args = [i for i in IDENT.findall(inv.group(2)) if i not in C_WORDS]
            key = inv.group(1) + " " + (args[0] if args else "")
            out[ck + "inv " + key] = (tuple(args), norm(body))
            continue
        head = ATTRIBUTE.sub(" ", body.split("{", 1)[0])
        name = None
        if re.match(r"typedef\b", head):
            fp = re.search(r"\(\s*\*\s*(\w+)\s*\)", head)
            name = fp.group(1) if fp else None
        for m in re.finditer(r"([A-Za-z_]\w*)\s*\(", head):
            if name:
                break
            if not m.group(1).startswith("__") and m.group(1) not in C_WORDS:
                name = m.group(1)
        if not name:
            name = last_ident(ATTRIBUTE.sub(" ", body).rstrip(";"))
        if name:
            out[ck + "decl " + name] = ((name,), norm(body))
    return out


def changed_names(old, new):
    """Names whose declaration differs between two header texts, and
    whether an #include went away (then every includer counts)."""
    a, b = declarations(old), declarations(new)
    names = set()
    enums = set()
    for k in set(a) | set(b):
        # a new struct member breaks nobody; a new function, macro, type
        # or enum constant can clash with a name already in use
        if k not in a and "member " in k:
            continue
        if a.get(k) != b.get(k):
            v = a.get(k) or b.get(k)
            names |= set(v[0])
            if "enum " in k and (k not in a or k not in b):
                enums.add(k.rsplit(".", 1)[0])
    # a constant added or removed moves the others (..._COUNT, arrays)
    for k in set(a) | set(b):
        if k.rsplit(".", 1)[0] in enums:
            names |= set((a.get(k) or b.get(k))[0])
    dropped = any("#include " in k and k not in b for k in a) or any(
        "#undef " in k and k not in a for k in b
    )
    return names, dropped


def macro_defs(text):
    """[(name, body)] of the macros TEXT (comments stripped) defines."""
    out = []
    for line in logical_lines(text):
        m = re.match(r"\s*#\s*define\s+(\w+)(.*)", line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def word_pattern(names):
    """A pattern that finds one of NAMES as a word (group 1)."""
    return re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(names))) + r")\b"
    )


def find_word(pat, names, text):
    """pat.search(TEXT), PAT being word_pattern(NAMES): a substring test
    first, five times faster over amdgpu's register headers (300 MB)."""
    if not any(n in text for n in names):
        return None
    return pat.search(text)


def uses(body, names, pat=None):
    """Whether a macro BODY uses one of NAMES, pasted (##) or not (PAT:
    word_pattern(NAMES), when the caller has it)."""
    if (pat or word_pattern(names)).search(body):
        return True
    if "##" in body:
        frags = re.findall(r"(\w+)\s*##", body) + re.findall(
            r"##\s*(\w+)", body
        )
        return any(
            len(f) >= 3 and (n.startswith(f) or n.endswith(f))
            for f in frags
            for n in names
        )
    return False


def kconfig_entries(text):
    """{symbol: its entry's lines} of a Kconfig file."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"\s*(?:menu)?config\s+(\w+)", line)
        if m:
            cur = m.group(1)
            out[cur] = [line]
        elif re.match(
            r"\s*(end)?(menu|if|choice)\b|\s*(source|comment)\b", line
        ):
            cur = None
        elif cur:
            out[cur].append(line)
    return out


class Index:
    """What kbuild recorded: each object's source and dependencies."""

    def __init__(self, obj, tree):
        self.obj = obj
        self.tree = os.path.realpath(tree)
        self.realobj = os.path.realpath(obj)
        self.rel = {}
        self.source = {}  # object -> source file (tree-relative)
        self.deps = {}  # object -> set of tree-relative files
        self.configs = {}  # object -> set of CONFIG symbols tested
        for root, _, files in os.walk(obj):
            for f in files:
                if f.startswith(".") and f.endswith(".o.cmd"):
                    self._read(os.path.join(root, f))
        if not self.source:
            raise Error(
                f"no kbuild dependency files (.*.o.cmd) under {obj}: "
                "build the tip first"
            )
        self.objs_of = {}  # source file -> its objects
        for o, src in self.source.items():
            self.objs_of.setdefault(src, []).append(o)
        self.users = {}  # file -> objects depending on it
        for o, ds in self.deps.items():
            for d in ds:
                self.users.setdefault(d, set()).add(o)

    def _rel(self, p):
        p = p.strip()
        if p.startswith("$(srctree)/"):
            return p[len("$(srctree)/"):]
        # absolute, or relative to the object tree (O=), as kbuild wrote it
        r = self.rel.get(p, False)
        if r is False:
            rp = os.path.normpath(os.path.join(self.realobj, p))
            r = (
                rp[len(self.tree) + 1:]
                if rp.startswith(self.tree + "/")
                else None
            )
            self.rel[p] = r  # None: generated, in the object tree
        return r

    def _read(self, path):
        src = None
        deps = set()
        configs = set()
        obj = None
        with open(path, errors="replace") as fh:
            for line in fh:
                if line.startswith("source_"):
                    k, _, v = line.partition(":=")
                    obj = k[len("source_"):].strip()
                    src = self._rel(v)
                elif line.startswith("deps_"):
                    obj = line[len("deps_"):].partition(":=")[0].strip()
                elif line.startswith("  ") and obj:
                    s = line.strip().rstrip("\\").strip()
                    m = re.match(r"\$\(wildcard include/config/(\w+)\)", s)
                    if m:
                        configs.add(m.group(1))
                    elif s:
                        r = self._rel(s)
                        if r:
                            deps.add(r)
        if obj and src and (src.endswith(".c") or src.endswith(".S")):
            self.source[obj] = src
            self.deps[obj] = deps
            self.configs[obj] = configs


class Tree:
    def __init__(self, tree):
        self.tree = tree
        self.cache = {}
        self.texts = {}  # (commit or None, path) -> text, no comments
        self.defs = {}  # the same -> its macros, when asked for

    def git(self, *args, found=False):
        """git's output; FOUND: exit 1 means "nothing" (git grep)."""
        r = subprocess.run(
            ["git", "-C", self.tree, *args],
            capture_output=True,
            text=True,
            errors="replace",
        )
        if r.returncode == 1 and found and not r.stderr.strip():
            return ""
        if r.returncode:
            raise Error(
                f"git {' '.join(args)}: {r.stderr.strip().splitlines()[-1:]}"
            )
        return r.stdout

    def read(self, path):
        """PATH's text in the work tree (checked out at the tip), or
        None."""
        try:
            with open(os.path.join(self.tree, path), errors="replace") as fh:
                return fh.read()
        except OSError:
            return None

    def show(self, rev, path):
        key = (rev, path)
        if key not in self.cache:
            r = subprocess.run(
                ["git", "-C", self.tree, "show", f"{rev}:{path}"],
                capture_output=True,
                errors="replace",
                text=True,
            )
            self.cache[key] = r.stdout if r.returncode == 0 else None
        return self.cache[key]


def targets(idx, tree, commit, log):
    """The make targets that prove COMMIT compiles."""
    status = tree.git(
        "diff", "--no-renames", "--name-status", f"{commit}^", commit
    )
    changed = []
    for line in status.splitlines():
        st, _, path = line.partition("\t")
        changed.append((st[0], path))
    touched = {p for _, p in changed}
    objs_of = idx.objs_of
    # a file's text at the commit, comments stripped: the series touches
    # few files, so read those through git and the rest where the tip's
    # build found them
    diff_to_tip = set(
        tree.git("diff", "--name-only", commit, "HEAD").split("\n")
    )

    def key_at(path):
        return (
            commit if path in diff_to_tip or path in touched else None,
            path,
        )

    def text_at(path):
        key = key_at(path)
        if key not in tree.texts:
            if key[0]:
                t = tree.show(commit, path) or ""
            else:
                t = tree.read(path) or ""
            tree.texts[key] = strip_comments(t)
        return tree.texts[key]

    def defs_at(path):
        key = key_at(path)
        if key not in tree.defs:
            tree.defs[key] = macro_defs(text_at(path))
        return tree.defs[key]

    out = set()
    # A file the commit deletes, or one that exists here but not at the
    # tip: the tip's dependency files cannot say who used it. Whole.
    gone = [p for st, p in changed if st == "D"] + [
        p
        for p in tree.git(
            "diff",
            "--no-renames",
            "--diff-filter=A",
            "--name-only",
            "HEAD",
            commit,
        ).split("\n")
        if p
    ]
    if gone:
        log(f"{commit[:12]}: *: {gone[0]} is gone at the tip or deleted here")
        return ["*"]

    # A definition or export the commit removes while something still
    # names it: only the link (modpost, vmlinux) fails. Whole.
    for st, path in changed:
        if st == "D" or not path.endswith(".c"):
            continue
        diff = tree.git("diff", *DIFF_OPTS, f"{commit}^", commit, "--", path)
        gone = set()
        for sign, pat in (("-", DEFINITION), ("+", DEFINITION)):
            found = {
                m.group(1) or m.group(2)
                for line in diff.splitlines()
                if line.startswith(sign) and not line.startswith(sign * 3)
                for m in [pat.match(line[1:])]
                if m
            }
            gone = found if sign == "-" else gone - found
        for name in sorted(gone):
            users = tree.git(
                "grep", "-lw", name, commit, "--", "*.c", "*.h", found=True
            )
            users = [u.split(":", 1)[1] for u in users.splitlines()]
            if any(u != path for u in users):
                log(f"{commit[:12]}: *: {path} no longer defines {name}")
                return ["*"]

    def add(t, why):
        # the tip's build knows objects of files later patches add
        src = idx.source.get(t)
        if (
            src
            and src not in touched
            and src in diff_to_tip
            and tree.show(commit, src) is None
        ):
            return
        if t not in out:
            out.add(t)
            log(f"{commit[:12]}: {t}: {why}")

    for st, path in changed:
        d = os.path.dirname(path)
        base = os.path.basename(path)
        if path.endswith((".c", ".S")) and st != "D":
            for o in objs_of.get(path, []):
                add(o, "changed")
            # a C file other C files include
            for o in sorted(
                idx.users.get(path, set()) - set(objs_of.get(path, []))
            ):
                add(o, f"includes {path}")
            if path not in objs_of and path not in idx.users:
                log(f"{commit[:12]}: -: {path}: not in this configuration")
        elif base in ("Makefile", "Kbuild"):
            old = tree.show(f"{commit}^", path) or ""
            new = tree.show(commit, path) or ""
            lines = set(new.splitlines()) ^ set(old.splitlines())
            for line in lines:
                fl = re.match(
                    r"\s*(subdir-)?(ccflags|asflags|CFLAGS_REMOVE_|"
                    r"CFLAGS_|AFLAGS_)([\w.-]*)",
                    line,
                )
                if fl:
                    # compiler flags: the objects they apply to
                    one = fl.group(3) if fl.group(3).endswith(".o") else None
                    for o in sorted(idx.source):
                        if (one and o == f"{d}/{one}") or (
                            not one
                            and (
                                os.path.dirname(o) == d
                                or (fl.group(1) and o.startswith(d + "/"))
                            )
                        ):
                            add(o, f"{path} changes its flags")
                    continue
                for t in re.findall(
                    r"[\w-]+\.o\b|[\w-]+/", line.split("#")[0]
                ):
                    if t.endswith("/"):
                        if os.path.isdir(os.path.join(tree.tree, d, t)):
                            add(f"{d}/{t}", f"{path} names it")
                    elif f"{d}/{t}" in idx.deps or os.path.exists(
                        os.path.join(tree.tree, d, t[:-2] + ".c")
                    ):
                        add(f"{d}/{t}", f"{path} names it")
        elif base.startswith("Kconfig"):
            a = kconfig_entries(tree.show(f"{commit}^", path) or "")
            b = kconfig_entries(tree.show(commit, path) or "")
            syms = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
            # and what those entries select or imply: their values may
            # change with them ("depends on" changes no other value)
            for k in list(syms):
                for line in set(a.get(k, [])) ^ set(b.get(k, [])):
                    m = re.match(r"\s*(select|imply)\s+(\w+)", line)
                    if m:
                        syms.add(m.group(2))
            for o, cs in sorted(idx.configs.items()):
                if cs & syms:
                    add(o, f"tests {', '.join(sorted(cs & syms))}")
        elif path.endswith(".h") and st != "A":
            users = idx.users.get(path, set())
            if not users:
                continue
            names, dropped = changed_names(
                tree.show(f"{commit}^", path) or "",
                tree.show(commit, path) or "",
            )
            if dropped:
                for o in sorted(users):
                    add(o, f"{path} drops an #include")
                continue
            # one object that includes the header: it compiles its
            # inline functions and declarations
            rep = sorted(
                users, key=lambda o: (not o.startswith(d), len(idx.deps[o]), o)
            )[0]
            add(rep, f"includes {path}")
            if not names:
                continue
            # macros built on those names count too, in this header and
            # in the others (and C files other C files include)
            hdrs = set()
            for o in users:
                hdrs |= {
                    h for h in idx.deps[o] if h != path and h != idx.source[o]
                }
            for _ in range(4):
                more = set()
                wpat = word_pattern(names)
                for h in sorted(hdrs) + [path]:
                    # (a macro that uses a name has it in its text, or
                    # pastes: amdgpu's register headers, 300 MB of
                    # macros, are not parsed for every changed header)
                    t = text_at(h)
                    if "##" in t or any(n in t for n in names):
                        more |= {
                            m for m, body in defs_at(h)
                            if uses(body, names, wpat)
                        }
                if more <= names:
                    break
                names |= more
            pat = word_pattern(names)
            for o in sorted(users):
                m = find_word(pat, names, text_at(idx.source[o]))
                if m:
                    add(o, f"uses {m.group(1)} ({path})")
            # a C file a later patch changes may use them here and stop
            # including the header by the tip
            for f in sorted(diff_to_tip):
                if f.endswith(".c") and f in objs_of:
                    m = find_word(pat, names, text_at(f))
                    if m:
                        for o in objs_of[f]:
                            add(o, f"uses {m.group(1)} ({path}) here")
            for h in sorted(hdrs):
                m = find_word(pat, names, text_at(h))
                if m:
                    cands = sorted(o for o in users if h in idx.deps[o])
                    if cands and not out & set(cands):
                        add(
                            cands[0],
                            f"includes {h}, which uses {m.group(1)} ({path})",
                        )
    return sorted(out)


PP_COND = re.compile(
    r"\s*#\s*(if|ifdef|ifndef|elif|elifdef|elifndef|else|endif)\b(.*)"
)
PP_INCLUDE = re.compile(r'\s*#\s*include\s*([<"])([^>"]+)[>"]')
PP_TEXT = re.compile(r"\s*#\s*(include|error|warning|pragma)\b")


def conditioned(text, names):
    """TEXT's lines (comments and strings blanked), for each whether a
    configuration that differs in NAMES may compile it differently (it
    sits in a branch of an #if/#ifdef/#elif/#else chain whose conditions
    name one of NAMES, the directives included), and the macros defined
    on such lines or from one of NAMES."""
    lines = strip_comments(text).split("\n")
    mask = [False] * len(lines)
    stack, defs, i = [], set(), 0
    while i < len(lines):
        j, line = i, lines[i]
        while line.endswith("\\") and j + 1 < len(lines):
            j += 1
            line = line[:-1] + " " + lines[j]
        m = PP_COND.match(line)
        if m:
            d, tests = m.group(1), bool(set(IDENT.findall(m.group(2))) & names)
            if d in ("if", "ifdef", "ifndef"):
                stack.append(tests)
            elif d.startswith("elif") and stack:
                stack[-1] = stack[-1] or tests
            hit = any(stack)
            if d == "endif" and stack:
                stack.pop()
        else:
            hit = any(stack)
            md = re.match(r"\s*#\s*define\s+(\w+)(.*)", line)
            if md and (hit or set(IDENT.findall(md.group(2))) & names):
                defs.add(md.group(1))
        for k in range(i, j + 1):
            mask[k] = hit
        i = j + 1
    return lines, mask, defs


class Differ:
    """Where a configuration that differs from the tip's build in some
    Kconfig symbols compiles an object of the tip's build differently,
    and whether that can meet what the series changes."""

    def __init__(self, idx, tree, base, tip, changed, names, symbols):
        self.idx, self.tree, self.tip = idx, tree, tip
        self.changed = set(changed)
        self.names = names  # what the series' headers change
        self.texts = {}
        self.regions = {}  # file -> (lines, mask) when it has a region
        self.includes = {}  # file -> [(included files or None, line)]
        self.files = self.fileset = None
        # which lines of each changed file the series adds or rewrites
        # (at the tip), and the names those lines use
        self.hunks, self.added = {}, {}
        cur = None
        for line in tree.git(
            "diff", *DIFF_OPTS, "-U0", "--no-renames", base, tip, "--",
            *sorted(changed)
        ).split("\n"):
            if line.startswith("+++ "):
                cur = line[6:] if line.startswith("+++ b/") else None
                if cur:
                    self.hunks.setdefault(cur, [])
                    self.added.setdefault(cur, set())
                continue
            m = re.match(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
            if m and cur:
                c = int(m.group(1))
                n = int(m.group(2)) if m.group(2) is not None else 1
                # (0-based; a deletion, n = 0, sits between lines c
                # and c + 1: both count)
                self.hunks[cur].append(
                    (c - 1, c - 1 + n) if n else (c - 1, c + 1)
                )
            elif cur and line.startswith("+"):
                self.added[cur] |= set(
                    IDENT.findall(strip_comments(line[1:]))
                ) - C_WORDS
        # (a module's symbol is tested as CONFIG_X_MODULE too)
        self.symbols = {"CONFIG_" + x + m for x in symbols
                        for m in ("", "_MODULE")}

    def text(self, path):
        if path not in self.texts:
            self.texts[path] = (
                self.tree.show(self.tip, path)
                if path in self.changed
                else self.tree.read(path)
            )
        return self.texts[path]

    def resolve(self, path, line):
        """The files an #include LINE of PATH may name, or None."""
        m = PP_INCLUDE.match(line)
        if not m:
            return None
        name = m.group(2)
        if m.group(1) == '"':
            p = os.path.normpath(os.path.join(os.path.dirname(path), name))
            if self.text(p) is not None:
                return [p]
        if self.files is None:
            self.files = self.tree.git("ls-files").split("\n")
            self.fileset = set(self.files)
            # the architecture of the tip's build: <...> looks in its
            # include directories and the kernel's
            arches = {
                d.split("/")[1]
                for ds in self.idx.deps.values()
                for d in ds
                if d.startswith("arch/") and "/include/" in d
            }
            self.sysdirs = ["include/", "include/uapi/"] + [
                f"arch/{a}/include/{u}"
                for a in sorted(arches)
                for u in ("", "uapi/")
            ]
        if m.group(1) == "<":
            hits = [d + name for d in self.sysdirs if d + name in self.fileset]
            if hits:
                return hits
            # generated headers (asm/, generated/): every configuration
            # has them
            for d in self.sysdirs:
                for g in ("generated/", ""):
                    if os.path.exists(
                        os.path.join(self.idx.obj, d, g, name)
                    ):
                        return []
        # the object's -I directories are not recorded: every file of
        # that name (more code read, never less)
        hits = [f for f in self.files if f.endswith("/" + name)]
        return hits or None

    def scan(self, files):
        """Find the regions of FILES: code under the symbols, or under
        a macro defined from them (followed until no new one turns up),
        and the #includes there."""
        names = set(self.symbols)
        while True:
            new = set(names)
            for f in files:
                t = self.text(f)
                if t and any(n in t for n in names):
                    new |= conditioned(t, names)[2]
            if new == names:
                break
            names = new
        for f in files:
            t = self.text(f)
            if t and any(n in t for n in names):
                lines, mask, _ = conditioned(t, names)
                if any(mask):
                    self.regions[f] = (lines, mask)
                    raw = t.split("\n")
                    self.includes[f] = [
                        (self.resolve(f, raw[k]), raw[k].strip())
                        for k in range(len(lines))
                        if mask[k] and PP_INCLUDE.match(raw[k])
                    ]

    def why(self, o):
        """Why O may compile differently where it meets the series, or
        None."""
        idx = self.idx
        own = idx.deps[o] | {idx.source[o]}
        if idx.source[o] in self.changed:
            return f"the series changes {idx.source[o]}"
        # the code only one configuration reads: the regions, and what
        # their #includes bring that the tip's build did not read
        code, todo = [], [f for f in sorted(own) if f in self.regions]
        for f in todo:
            lines, mask = self.regions[f]
            for a, b in self.hunks.get(f, []):
                if any(mask[max(a, 0):b]):
                    return f"the series changes {f} in code that tests " \
                        "one of the symbols"
            code += [ln for ln, m in zip(lines, mask) if m]
        seen = set(own)
        queue = [(f, inc) for f in todo for inc in self.includes.get(f, [])]
        while queue:
            f, (paths, line) = queue.pop()
            if paths is None:
                return f"{f}: {line}, only in one configuration, " \
                    "cannot be found"
            for p in paths:
                if p in seen:
                    continue
                seen.add(p)
                if p in self.changed:
                    return f"{f}: {line}, only in one configuration, " \
                        "brings a file the series changes"
                t = self.text(p) or ""
                code += strip_comments(t).split("\n")
                for ln in t.split("\n"):
                    if PP_INCLUDE.match(ln):
                        queue.append((p, (self.resolve(p, ln), ln.strip())))
        if not code:
            return None
        # (a macro defined there uses what its body names; what an
        # #include, #error or #warning line names is not code)
        used = set(IDENT.findall(
            "\n".join(ln for ln in code if not PP_TEXT.match(ln))))
        plain = "\n".join(ln for ln in code if not ln.strip().startswith("#"))
        hit = sorted(used & self.names)
        if hit:
            return f"code only one configuration compiles uses {hit[0]}, " \
                "which the series changes"
        declared = {n for n, _ in macro_defs("\n".join(code))}
        for v in declarations(plain).values():
            declared |= set(v[0])
        added = set()
        for f in own:
            added |= self.added.get(f, set())
        hit = sorted(declared & added)
        if hit:
            return f"the series' lines use {hit[0]}, which code only one " \
                "configuration compiles declares"
        return None


def macro_closure(texts, names):
    """NAMES and the macros TEXTS define that use one of them, followed
    until no new one turns up. (Not pasted fragments, as uses() follows
    them for one header's users: over every header of a build, "##"
    with a common fragment reaches thousands of macros.)"""
    names = set(names)
    texts = [t for t in texts if t]
    defs = {}  # text's index -> its macros (only texts that may count)
    new = set(names)
    while new:
        pat = word_pattern(new)
        more = set()
        for i, t in enumerate(texts):
            # (register headers define macros by the ten thousand, 300 MB
            # of amdgpu's: only a text that names one is parsed)
            if not find_word(pat, new, t):
                continue
            if i not in defs:
                defs[i] = macro_defs(t)
            more |= {m for m, body in defs[i] if pat.search(body)}
        new = more - names
        names |= new
    return names


def kbuild_names(tree, path, top, symbols):
    """Whether the kbuild file of PATH's directory, or of one above it
    up to TOP, names one of SYMBOLS (CONFIG_X): whether a configuration
    that differs in them may build PATH."""
    pat = re.compile(
        r"\bCONFIG_(" + "|".join(map(re.escape, sorted(symbols))) + r")\b"
    )
    d = os.path.dirname(path)
    top = top.rstrip("/")
    while d:
        for mk in ("Makefile", "Kbuild"):
            t = tree.read(os.path.join(d, mk))
            if t and pat.search(t):
                return True
        if d == top:
            break
        d = os.path.dirname(d)
    return False


def variant(idx, tree, base, tip, symbols, under, log, whole=None):
    """The objects another configuration can break, the series BASE..TIP
    applied, where it differs from the tip's build in SYMBOLS.

    Of the tip's build: each object that tests one of SYMBOLS, depends on
    a file the series changes, and whose code that only one of the two
    configurations compiles (an #if/#ifdef/#else branch testing one of
    SYMBOLS, or a macro defined there; what an #include there brings)
    meets the series: its C file is changed, a changed line sits in
    such code, such code uses a name the series' headers change, or a
    line the series adds uses a name such code declares. Elsewhere both
    configurations compile the same text, which the tip's build proved.
    A name the series' headers change counts with the macros built on
    it.

    WHOLE (amdgpu's directory; None in tests: "*" for all) is the one
    kbuild directory that builds the code under its parent (KFD and DC
    too). It stands for the objects there when a file under that parent
    that only the other configuration builds (it is not in the tip's
    build) uses a name the series changes, or the series changes a C
    file there that the tip's build does not compile but not WHOLE's
    own (amdgpu's KFD code). "*" (the whole kernel) for such a file
    elsewhere under UNDER whose kbuild file, or one above it, names
    one of SYMBOLS (the other configuration may build it), and when a
    header drops an #include. And the object of each C file under
    UNDER that the series changes and the tip's build does not compile
    (amdgpu's SI code): nothing else would compile it, so the other
    configuration must."""
    changed = [
        p
        for p in tree.git(
            "diff", "--no-renames", "--name-only", base, tip
        ).split("\n")
        if p
    ]
    names = set()
    for path in changed:
        if path.endswith(".h"):
            n, dropped = changed_names(
                tree.show(base, path) or "", tree.show(tip, path) or ""
            )
            if dropped:
                log(f"variant: *: {path} drops an #include")
                return ["*"]
            names |= n
    built = set(idx.source.values()) | set(idx.users)
    wtop = os.path.dirname(whole.rstrip("/")) + "/" if whole else None
    out = []
    if names:
        # what the tip's build reads where the series changes a file:
        # the macros built on a changed name there
        hdrs = set()
        for o, ds in idx.deps.items():
            if not ds.isdisjoint(changed):
                hdrs |= ds
        names = macro_closure(
            (tree.show(tip, h) if h in changed else tree.read(h)
             for h in sorted(hdrs)), names)
        hits = tree.git(
            "grep",
            "-lwE",
            "|".join(sorted(names)),
            tip,
            "--",
            under,
            found=True,
        )
        for h in hits.splitlines():
            f = h.split(":", 1)[1]
            if f in built or not f.endswith((".c", ".h")):
                continue
            why = f"{f} (not in the tip's build) uses a name the series " \
                "changes"
            if wtop and f.startswith(wtop):
                if whole not in out:
                    out.append(whole)
                    log(f"variant: {whole}: {why}")
            elif not wtop or kbuild_names(tree, f, under, symbols):
                log(f"variant: *: {why}")
                return ["*"]
    for path in changed:
        if (path.startswith(under.rstrip("/") + "/") and path.endswith(".c")
                and path not in built and tree.show(tip, path) is not None):
            t = path[:-2] + ".o"
            if wtop and path.startswith(wtop) and \
                    not path.startswith(whole.rstrip("/") + "/"):
                # (built from WHOLE's Makefile, by its path from there)
                t = whole
            if t not in out:
                out.append(t)
                log(f"variant: {t}: the series changes {path}, the tip's "
                    "build does not compile it")
    cands = []
    for o in sorted(idx.source):
        tests = sorted(idx.configs[o] & symbols)
        if tests and set(changed) & (idx.deps[o] | {idx.source[o]}):
            cands.append(o)
    if cands:
        d = Differ(idx, tree, base, tip, changed, names, symbols)
        files = set()
        for o in cands:
            files |= idx.deps[o] | {idx.source[o]}
        d.scan(sorted(files))
        left = 0
        for o in cands:
            why = d.why(o)
            if why:
                out.append(o)
                log(f"variant: {o}: {why}")
            else:
                left += 1
        log(f"variant: {left} more objects test one of the symbols and "
            "depend on a changed file; both configurations compile the "
            "same code where they meet the series")
    return sorted(set(out))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("targets", help="the make targets of each commit")
    t.add_argument("--tree", required=True)
    t.add_argument(
        "--obj",
        required=True,
        help="a build of the tip (kbuild's .*.o.cmd files)",
    )
    t.add_argument("-v", "--verbose", action="store_true")
    t.add_argument("commits", nargs="+")
    v = sub.add_parser(
        "variant",
        help="what a configuration with one more symbol can break "
        "(check-series: amdgpu with DC)",
    )
    v.add_argument("--tree", required=True)
    v.add_argument("--obj", required=True)
    v.add_argument(
        "--symbols",
        required=True,
        help="the CONFIG symbols in which the configurations differ, "
        "comma-separated (e.g. DRM_AMD_DC,DRM_DISPLAY_HELPER)",
    )
    v.add_argument(
        "--under",
        required=True,
        help="where the other configuration builds more (a directory)",
    )
    v.add_argument(
        "--whole",
        help="the kbuild directory that builds what is under its parent "
        "(drivers/gpu/drm/amd/amdgpu/: KFD and DC too)",
    )
    v.add_argument("-v", "--verbose", action="store_true")
    v.add_argument("base")
    v.add_argument("tip")
    a = ap.parse_args(argv)
    try:
        if not os.path.isdir(os.path.join(a.tree, ".git")):
            raise Error(f"{a.tree} is not a git tree")
        if not os.path.isdir(a.obj):
            raise Error(f"{a.obj} is not a directory")
        idx = Index(a.obj, a.tree)
        tree = Tree(a.tree)

        def log(msg):
            if a.verbose:
                print(msg, file=sys.stderr)

        if a.cmd == "variant":
            syms = {x for x in a.symbols.split(",") if x}
            if not syms:
                raise Error("--symbols: no symbol given")
            if a.whole is not None and not os.path.isfile(
                    os.path.join(a.tree, a.whole, "Makefile")):
                raise Error(f"--whole {a.whole}: no Makefile there")
            ts = variant(idx, tree, a.base, a.tip, syms, a.under, log,
                         a.whole)
            print(" ".join(ts) if ts else "-")
            return 0
        for c in a.commits:
            ts = targets(idx, tree, c, log)
            print(c, " ".join(ts) if ts else "-")
    except Error as e:
        print(f"prefix_objs.py: error: {e}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
