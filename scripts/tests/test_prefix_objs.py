# SPDX-License-Identifier: GPL-2.0
"""Tests of scripts/prefix_objs.py: which objects a patch can break.

check-series compiles only those objects at each prefix but the tip, so
an object left out is a compile failure nobody sees. Each test builds a
small git tree (a header, a few C files), kbuild-style dependency files
(.*.o.cmd, as an O= build writes them) for the tip, commits one change
and checks the objects chosen: every object the change breaks must be
in; objects that compile exactly as before should stay out.

  python3 -m unittest discover -s scripts/tests -p test_prefix_objs.py
"""

import importlib.util
import os
import shutil
import subprocess
import tempfile
import unittest
from unittest import mock

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
# PREFIX_OBJS_PY=FILE tests another prefix_objs.py (test_mutants.py)
_spec = importlib.util.spec_from_file_location(
    "prefix_objs", os.environ.get("PREFIX_OBJS_PY")
    or os.path.join(SCRIPTS, "prefix_objs.py"))
prefix_objs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(prefix_objs)

HEADER = """\
/* SPDX-License-Identifier: MIT */
#ifndef _POOL_H_
#define _POOL_H_
#include <linux/types.h>

struct pool {
\tunsigned int order;
\tbool use_dma;\t/* a comment mentioning unused_name */
\tvoid (*free)(struct pool *p);
};

enum pool_kind {
\tPOOL_CACHED,
\tPOOL_WC,
};

#define POOL_MAX_ORDER 10

int pool_alloc(struct pool *pool, unsigned long size);
void pool_free(struct pool *pool);

static inline bool pool_uses_dma(const struct pool *pool)
{
\treturn pool->use_dma;
}
#endif
"""

# helper.h: a macro built on a name of pool.h
HELPER = """\
#include "pool.h"
#define POOL_ORDER_OF(p) ((p)->order)
static inline bool helper_dma(struct pool *p) { return p->use_dma; }
"""

SOURCES = {
    # uses pool_alloc
    "drv/a.c": '#include "pool.h"\nint a(struct pool *p)\n'
               '{ return pool_alloc(p, 1); }\n',
    # includes pool.h, uses nothing in it but the type
    "drv/b.c": '#include "pool.h"\nstruct pool *b;\n',
    # uses the macro of helper.h only
    "drv/c.c": '#include "helper.h"\nint c(struct pool *p)\n'
               '{ return POOL_ORDER_OF(p); }\n',
    # a static function named like something a patch may add
    "drv/d.c": '#include "pool.h"\nstatic int pool_sync(void) '
               '{ return 0; }\n',
    # includes nothing of ours
    "drv/e.c": 'int e;\n',
    # includes helper.h, uses none of its macros
    "drv/bb.c": '#include "helper.h"\nstruct pool *bb;\n',
    # uses an enum constant
    "drv/f.c": '#include "pool.h"\nint f = POOL_WC;\n',
}
DEPS = {
    # (more headers than b.c: b.o, not a.o, compiles a changed pool.h)
    "drv/a.c": ["drv/pool.h", "drv/more.h"],
    "drv/bb.c": ["drv/helper.h", "drv/pool.h"],
    "drv/b.c": ["drv/pool.h"],
    "drv/c.c": ["drv/helper.h", "drv/pool.h"],
    "drv/d.c": ["drv/pool.h"],
    "drv/e.c": [],
    "drv/f.c": ["drv/pool.h"],
}
MAKEFILE = "obj-y += a.o b.o bb.o c.o d.o e.o f.o\n"


class Sandbox(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.tree = os.path.join(self.tmp.name, "linux")
        self.obj = os.path.join(self.tmp.name, "obj")
        os.makedirs(os.path.join(self.tree, "drv"))
        self.git("init", "-q")
        self.write("drv/pool.h", HEADER)
        self.write("drv/helper.h", HELPER)
        self.write("drv/Makefile", MAKEFILE)
        self.write("Kconfig", "config POOL\n\tbool\n")
        for f, t in SOURCES.items():
            self.write(f, t)
        self.commit("base")
        self.cmdfiles(DEPS)

    def tearDown(self):
        self.tmp.cleanup()

    def git(self, *args):
        env = dict(os.environ, GIT_CONFIG_GLOBAL="/dev/null",
                   GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="t",
                   GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                   GIT_COMMITTER_EMAIL="t@t")
        return subprocess.run(["git", "-C", self.tree, *args], env=env,
                              check=True, capture_output=True,
                              text=True).stdout

    def write(self, path, text):
        with open(os.path.join(self.tree, path), "w") as fh:
            fh.write(text)

    def commit(self, msg):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", msg)
        return self.git("rev-parse", "HEAD").strip()

    def cmdfiles(self, deps, configs=None):
        """Dependency files as kbuild writes them in an O= build."""
        rel = os.path.relpath(self.tree, self.obj)
        for src, hs in deps.items():
            o = src[:-2] + ".o"
            d = os.path.join(self.obj, os.path.dirname(o))
            os.makedirs(d, exist_ok=True)
            lines = [f"savedcmd_{o} := gcc -c\n",
                     f"source_{o} := {rel}/{src}\n",
                     f"deps_{o} := \\\n"]
            for c in (configs or {}).get(src, []):
                lines.append(f"    $(wildcard include/config/{c}) \\\n")
            for h in [src] + hs:
                lines.append(f"  {rel}/{h} \\\n")
            lines.append("  include/generated/autoconf.h \\\n\n")
            name = os.path.join(d, "." + os.path.basename(o) + ".cmd")
            with open(name, "w") as fh:
                fh.writelines(lines)

    def chosen(self, commit):
        idx = prefix_objs.Index(self.obj, self.tree)
        return set(prefix_objs.targets(idx, prefix_objs.Tree(self.tree),
                                       commit, lambda m: None))

    def change_header(self, old, new):
        with open(os.path.join(self.tree, "drv/pool.h")) as fh:
            text = fh.read()
        self.assertIn(old, text)
        self.write("drv/pool.h", text.replace(old, new))
        return self.commit("change")


class Choice(Sandbox):
    def test_changed_prototype_picks_its_users(self):
        c = self.change_header(
            "int pool_alloc(struct pool *pool, unsigned long size);",
            "int pool_alloc(struct pool *pool, unsigned long size,\n"
            "\t       gfp_t gfp);")
        got = self.chosen(c)
        self.assertIn("drv/a.o", got)
        # one includer compiles the header; not every includer
        self.assertLess(len(got), 5, got)
        self.assertNotIn("drv/e.o", got)

    def test_removed_member_picks_users_through_a_macro(self):
        c = self.change_header("\tunsigned int order;\n", "")
        got = self.chosen(c)
        self.assertIn("drv/c.o", got)   # POOL_ORDER_OF() uses ->order

    def test_header_using_a_removed_member_is_compiled(self):
        c = self.change_header("\tbool use_dma;", "\tbool dma;")
        got = self.chosen(c)
        # helper_dma() in helper.h: one object that includes helper.h
        self.assertTrue(got & {"drv/bb.o", "drv/c.o"}, got)

    def test_added_member_picks_only_an_includer(self):
        # (named like drv/f.c's variable: a member cannot clash with it)
        c = self.change_header("\tunsigned int order;\n",
                               "\tunsigned int order;\n\tbool f;\n")
        got = self.chosen(c)
        self.assertEqual(len(got), 1, got)
        self.assertNotIn("drv/f.o", got)

    def test_new_function_picks_a_file_with_that_name(self):
        c = self.change_header("void pool_free(struct pool *pool);\n",
                               "void pool_free(struct pool *pool);\n"
                               "void pool_sync(struct pool *pool);\n")
        self.assertIn("drv/d.o", self.chosen(c))

    def test_enum_constant_renamed(self):
        c = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        self.assertIn("drv/f.o", self.chosen(c))

    def test_declaration_moved_under_a_conditional(self):
        c = self.change_header(
            "int pool_alloc(struct pool *pool, unsigned long size);\n",
            "#ifdef CONFIG_POOL\n"
            "int pool_alloc(struct pool *pool, unsigned long size);\n"
            "#endif\n")
        self.assertIn("drv/a.o", self.chosen(c))

    def test_dropped_include_picks_every_includer(self):
        c = self.change_header("#include <linux/types.h>\n", "")
        self.assertEqual(self.chosen(c), {"drv/a.o", "drv/b.o", "drv/bb.o",
                                          "drv/c.o", "drv/d.o", "drv/f.o"})

    def test_comment_only_change_picks_one_includer(self):
        c = self.change_header("a comment mentioning unused_name",
                               "a comment mentioning pool_alloc")
        self.assertEqual(len(self.chosen(c)), 1)

    def test_changed_c_file_and_makefile(self):
        self.write("drv/e.c", "int e = 1;\n")
        self.write("drv/Makefile", MAKEFILE + "obj-y += g.o\n")
        self.write("drv/g.c", "int g;\n")
        c = self.commit("e")
        self.cmdfiles(dict(DEPS, **{"drv/g.c": []}))
        self.assertEqual(self.chosen(c), {"drv/e.o", "drv/g.o"})

    def test_kconfig_symbol_picks_objects_testing_it(self):
        self.cmdfiles(DEPS, configs={"drv/b.c": ["POOL"]})
        self.write("Kconfig", "config POOL\n\tbool \"pool\"\n")
        c = self.commit("kconfig")
        self.assertEqual(self.chosen(c), {"drv/b.o"})

    def test_object_of_a_later_file_is_left_out(self):
        # the tip's build knows g.o; at this commit g.c does not exist
        self.cmdfiles(dict(DEPS, **{"drv/g.c": []}),
                      configs={"drv/g.c": ["POOL"]})
        self.write("Kconfig", "config POOL\n\tbool \"pool\"\n")
        c = self.commit("kconfig")
        self.write("drv/g.c", "int g;\n")
        self.commit("later")
        self.assertNotIn("drv/g.o", self.chosen(c))

    def test_no_dependency_files_is_an_error(self):
        with self.assertRaises(prefix_objs.Error):
            prefix_objs.Index(os.path.join(self.tmp.name, "nothing"),
                              self.tree)


class Holes(Sandbox):
    """What a maintainer-style review found the first version missed:
    each test is a prefix that does not compile, and its object must be
    chosen ("*": the prefix builds whole)."""

    def add_user(self, src, text, deps):
        self.write(src, text)
        self.write("drv/Makefile", MAKEFILE +
                   f"obj-y += {os.path.basename(src)[:-2]}.o\n")
        self.commit("user")
        self.cmdfiles(dict(DEPS, **{src: deps}))

    def header(self):
        with open(os.path.join(self.tree, "drv/pool.h")) as fh:
            return fh.read()

    def test_macro_of_the_same_header(self):
        # the dma_map_single() -> dma_map_single_attrs() pattern
        self.write("drv/pool.h", self.header().replace(
            "#endif\n",
            "#define pool_alloc_one(p) pool_alloc(p, 1)\n#endif\n"))
        self.add_user("drv/g.c", '#include "pool.h"\nint g(struct pool *p)\n'
                      '{ return pool_alloc_one(p); }\n', ["drv/pool.h"])
        c = self.change_header(
            "int pool_alloc(struct pool *pool, unsigned long size);",
            "int pool_alloc(struct pool *pool, unsigned long size, "
            "gfp_t gfp);")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_comma_separated_members(self):
        self.change_header("\tunsigned int order;\n",
                           "\tunsigned int order, flags;\n")
        self.add_user("drv/g.c", '#include "pool.h"\nint g(struct pool *p)\n'
                      '{ return p->order; }\n', ["drv/pool.h"])
        c = self.change_header("\tunsigned int order, flags;\n",
                               "\tunsigned int flags;\n")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_member_moved_under_ifdef_in_struct(self):
        self.add_user("drv/g.c", '#include "pool.h"\nbool g(struct pool *p)\n'
                      '{ return p->order; }\n', ["drv/pool.h"])
        c = self.change_header("\tunsigned int order;\n",
                               "#ifdef CONFIG_POOL_ORDER\n"
                               "\tunsigned int order;\n#endif\n")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_undef_added(self):
        self.add_user("drv/g.c", '#include "pool.h"\nint g = PAGE_SHIFT;\n',
                      ["drv/pool.h"])
        c = self.change_header("#define POOL_MAX_ORDER 10\n",
                               "#define POOL_MAX_ORDER 10\n"
                               "#undef PAGE_SHIFT\n")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_token_pasting(self):
        self.write("drv/helper.h", '#include "pool.h"\n'
                   '#define POOL_CALL(x, p) pool_##x(p)\n')
        self.add_user("drv/g.c", '#include "helper.h"\n'
                      'void g(struct pool *p) { POOL_CALL(free, p); }\n',
                      ["drv/helper.h", "drv/pool.h"])
        c = self.change_header("void pool_free(struct pool *pool);",
                               "void pool_free(struct pool *pool, bool sync);")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_declaration_after_a_macro_without_semicolon(self):
        self.write("drv/pool.h", self.header().replace(
            "int pool_alloc(",
            "DEFINE_FREE(pool, struct pool *, pool_free(_T))\n"
            "int pool_alloc("))
        self.commit("free")
        c = self.change_header(
            "int pool_alloc(struct pool *pool, unsigned long size);",
            "int pool_alloc(struct pool *pool, unsigned long size, "
            "gfp_t gfp);")
        self.assertIn("drv/a.o", self.chosen(c))

    def test_function_pointer_typedef(self):
        self.write("drv/pool.h", self.header().replace(
            "#endif\n",
            "typedef void (*pool_notify_fn)(u32 flags);\n#endif\n"))
        self.add_user("drv/g.c", '#include "pool.h"\nstatic void n(u32 f) {}\n'
                      'pool_notify_fn g = n;\n', ["drv/pool.h"])
        c = self.change_header("(u32 flags);", "(u32 flags, void *arg);")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_deleted_header_still_included(self):
        # patch N deletes extra.h, patch N+1 drops its #include from g.c
        self.write("drv/extra.h", "int extra;\n")
        self.add_user("drv/g.c", '#include "extra.h"\nint g;\n',
                      ["drv/extra.h"])
        os.remove(os.path.join(self.tree, "drv/extra.h"))
        c = self.commit("delete extra.h")
        self.write("drv/g.c", "int g;\n")
        self.commit("fix g.c")
        self.cmdfiles(dict(DEPS, **{"drv/g.c": []}))   # the tip's build
        self.assertEqual(self.chosen(c), {"*"})

    def test_user_that_stops_including_later(self):
        # patch N renames pool_free; g.c uses it until patch N+1, which
        # also drops pool.h from g.c: the tip's deps no longer link them
        self.add_user("drv/g.c", '#include "pool.h"\nvoid g(struct pool *p)\n'
                      '{ pool_free(p); }\n', ["drv/pool.h"])
        c = self.change_header("void pool_free(struct pool *pool);",
                               "void pool_release(struct pool *pool);")
        self.write("drv/g.c", "void g(void) { }\n")
        self.commit("g.c no longer uses pool")
        self.cmdfiles(dict(DEPS, **{"drv/g.c": []}))
        self.assertIn("drv/g.o", self.chosen(c))

    def test_object_gone_at_tip(self):
        # g.c exists at prefix N, a later patch deletes it
        self.add_user("drv/g.c", '#include "pool.h"\nvoid g(struct pool *p)\n'
                      '{ pool_free(p); }\n', ["drv/pool.h"])
        c = self.change_header("void pool_free(struct pool *pool);",
                               "void pool_release(struct pool *pool);")
        os.remove(os.path.join(self.tree, "drv/g.c"))
        self.write("drv/Makefile", MAKEFILE)
        self.commit("remove g.c")
        shutil.rmtree(self.obj)
        self.cmdfiles(DEPS)
        self.assertEqual(self.chosen(c), {"*"})

    def test_included_c_file_changed(self):
        self.write("drv/g_impl.c", "static int gi;\n")
        self.add_user("drv/g.c", '#include "g_impl.c"\nint g;\n',
                      ["drv/g_impl.c"])
        self.write("drv/g_impl.c", "static int gi = undefined_thing;\n")
        c = self.commit("change included .c")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_included_c_file_uses_changed_name(self):
        self.write("drv/g_impl.c", "static int gi(struct pool *p) "
                   "{ return pool_alloc(p, 1); }\n")
        self.add_user("drv/g.c", '#include "pool.h"\n#include "g_impl.c"\n'
                      'int g;\n', ["drv/pool.h", "drv/g_impl.c"])
        c = self.change_header(
            "int pool_alloc(struct pool *pool, unsigned long size);",
            "int pool_alloc(struct pool *pool, unsigned long size, "
            "gfp_t gfp);")
        self.assertIn("drv/g.o", self.chosen(c))

    def test_ccflags_change(self):
        self.write("drv/Makefile", MAKEFILE + "ccflags-y += -DPOOL_BROKEN\n")
        c = self.commit("ccflags")
        self.assertIn("drv/a.o", self.chosen(c))

    def test_deleted_c_still_in_makefile(self):
        os.remove(os.path.join(self.tree, "drv/e.c"))
        c = self.commit("delete e.c, Makefile fixed in the next patch")
        self.write("drv/Makefile", MAKEFILE.replace(" e.o", ""))
        self.commit("makefile")
        shutil.rmtree(self.obj)
        self.cmdfiles({k: v for k, v in DEPS.items() if k != "drv/e.c"})
        self.assertEqual(self.chosen(c), {"*"})

    def test_kconfig_select(self):
        self.write("Kconfig", "config POOL\n\tbool\n\n"
                   "config POOL_DRV\n\tbool \"d\"\n")
        self.commit("k")
        self.cmdfiles(DEPS, configs={"drv/b.c": ["POOL"]})
        self.write("Kconfig", "config POOL\n\tbool\n\n"
                   "config POOL_DRV\n\tbool \"d\"\n\tselect POOL\n")
        c = self.commit("select")
        self.assertIn("drv/b.o", self.chosen(c))

    def redefine(self, before, after):
        """drv/e.c defines BEFORE, then AFTER: the commit of the change."""
        self.write("drv/e.c", "int e;\n" + before)
        self.commit("define")
        self.write("drv/e.c", "int e;\n" + after)
        return self.commit("redefine")

    ALLOC = "int pool_alloc(struct pool *p, unsigned long size)\n{\n"

    def test_definition_removed_while_used(self):
        # compiles everywhere; only the link fails (a.c calls it)
        c = self.redefine(self.ALLOC + "\treturn 0;\n}\n", "")
        self.assertEqual(self.chosen(c), {"*"})

    def test_definition_removed_with_its_last_user(self):
        c = self.redefine("int e_helper(void)\n{\n\treturn 0;\n}\n", "")
        self.assertEqual(self.chosen(c), {"drv/e.o"})

    def test_definition_changed_is_not_whole(self):
        c = self.redefine(self.ALLOC + "\treturn 0;\n}\n",
                          self.ALLOC + "\treturn 1;\n}\n")
        self.assertEqual(self.chosen(c), {"drv/e.o"})

    def test_enum_constant_inserted(self):
        self.add_user("drv/g.c", '#include "pool.h"\nint g = POOL_WC;\n',
                      ["drv/pool.h"])
        c = self.change_header("\tPOOL_CACHED,\n",
                               "\tPOOL_CACHED,\n\tPOOL_UC,\n")
        self.assertIn("drv/g.o", self.chosen(c))


class Variant(Sandbox):
    """prefix_objs.py variant: what another configuration (amdgpu with
    DC) can break."""

    def variant(self, base, tip, whole=None):
        idx = prefix_objs.Index(self.obj, self.tree)
        return set(prefix_objs.variant(idx, prefix_objs.Tree(self.tree),
                                       base, tip, {"POOL_DC"}, "drv",
                                       lambda m: None, whole))

    def test_objects_testing_the_option(self):
        # b.c's code that only POOL_DC compiles uses POOL_WC, which the
        # series renames; e.c's does not (and e.c includes no header of
        # the series); a.c tests POOL_DC and includes pool.h, but both
        # configurations compile the same code of it
        self.write("drv/b.c", '#include "pool.h"\nstruct pool *b;\n'
                   '#ifdef CONFIG_POOL_DC\nint b_dc = POOL_WC;\n#endif\n')
        self.write("drv/a.c", SOURCES["drv/a.c"] +
                   '#if IS_ENABLED(CONFIG_POOL_DC)\nint a_dc;\n#endif\n')
        self.write("drv/e.c", '#ifdef CONFIG_POOL_DC\nint e = POOL_WC;\n'
                   '#endif\n')
        self.commit("dc code")
        self.cmdfiles(DEPS, configs={"drv/a.c": ["POOL_DC"],
                                     "drv/b.c": ["POOL_DC"],
                                     "drv/e.c": ["POOL_DC"]})
        base = self.git("rev-parse", "HEAD").strip()
        tip = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        self.assertEqual(self.variant(base, tip), {"drv/b.o"})

    def test_else_branch_and_derived_macro(self):
        # the #else of a chain that tests the option is compiled by one
        # configuration only; so is code under a macro defined there
        self.write("drv/b.c", '#include "pool.h"\n#ifdef CONFIG_POOL_DC\n'
                   'int b;\n#else\nint b = POOL_WC;\n#endif\n')
        self.write("drv/c.c", '#include "helper.h"\n'
                   '#ifdef CONFIG_POOL_DC\n#define C_DC 1\n#endif\n'
                   '#if C_DC\nint c = POOL_WC;\n#endif\n')
        self.commit("dc code")
        self.cmdfiles(DEPS, configs={"drv/b.c": ["POOL_DC"],
                                     "drv/c.c": ["POOL_DC"]})
        base = self.git("rev-parse", "HEAD").strip()
        tip = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        self.assertEqual(self.variant(base, tip), {"drv/b.o", "drv/c.o"})

    def change_file(self, path, old, new, configs, deps=DEPS):
        """Commit PATH as OLD (the base), then as NEW (the tip), with the
        tip's dependency files; the objects variant() chooses."""
        self.write(path, old)
        base = self.commit("base of the series")
        self.cmdfiles(deps, configs=configs)
        self.write(path, new)
        return self.variant(base, self.commit("the series"))

    def test_changed_c_file_testing_the_option(self):
        # the series changes d.c's static pool_sync(), which d.c's code
        # for POOL_DC calls: no header changes, no changed line in that
        # code, and nothing it declares is used by a changed line
        d = ('#include "pool.h"\nstatic int pool_sync(%s) { return %s; }\n'
             '#ifdef CONFIG_POOL_DC\nint d_dc(void) { return pool_sync(); }\n'
             '#endif\n')
        self.assertEqual(self.change_file(
            "drv/d.c", d % ("void", "0"), d % ("int x", "x"),
            {"drv/d.c": ["POOL_DC"]}), {"drv/d.o"})

    def test_changed_line_in_code_one_configuration_compiles(self):
        # b.c includes the C file b_dc.c; the series changes code of it
        # that only POOL_DC compiles, using no name a header changes
        self.write("drv/b.c", '#include "pool.h"\n#include "b_dc.c"\n')
        dc = '#ifdef CONFIG_POOL_DC\nstatic int dc(void)\n{\n\treturn %s;\n' \
            '}\n#endif\n'
        self.assertEqual(self.change_file(
            "drv/b_dc.c", dc % "0", dc % "undefined_thing",
            {"drv/b.c": ["POOL_DC"]},
            dict(DEPS, **{"drv/b.c": ["drv/pool.h", "drv/b_dc.c"]})),
            {"drv/b.o"})

    def test_added_line_uses_what_one_configuration_declares(self):
        # pool.h declares pool_dc_only() for POOL_DC only; the series
        # makes helper.h call it: bb.o (helper.h, POOL_DC) breaks
        # without POOL_DC... or with it, if the declarations differ
        self.write("drv/pool.h", HEADER.replace(
            "#endif\n", "#ifdef CONFIG_POOL_DC\nint pool_dc_only(void);\n"
            "#endif\n#endif\n"))
        base = self.commit("dc declaration")
        self.cmdfiles(DEPS, configs={"drv/bb.c": ["POOL_DC"],
                                     "drv/b.c": ["POOL_DC"]})
        self.write("drv/helper.h", HELPER + "static inline int helper_dc"
                   "(void) { return pool_dc_only(); }\n")
        tip = self.commit("use it")
        # (b.o tests POOL_DC too but does not include helper.h)
        self.assertEqual(self.variant(base, tip), {"drv/bb.o"})

    def test_include_only_one_configuration_reads(self):
        # under POOL_DC: b.c includes inc/dc.h, which uses the member the
        # series renames; c.c a header that cannot be found; f.c one the
        # series changes; d.c one that changes nothing (inc/ is outside
        # drv/, so no "*" for files the tip's build does not read)
        os.makedirs(os.path.join(self.tree, "inc"))
        self.write("inc/dc.h", "static inline int dc_order(struct pool *p)"
                   " { return p->order; }\n")
        self.write("inc/dc2.h", "int dc2;\n")
        self.write("drv/more.h", "int more;\n")
        for f, inc in (("b", "../inc/dc.h"), ("c", "nowhere.h"),
                       ("f", "../inc/dc2.h"), ("d", "more.h")):
            self.write(f"drv/{f}.c", SOURCES[f"drv/{f}.c"] +
                       f'#ifdef CONFIG_POOL_DC\n#include "{inc}"\n#endif\n')
        base = self.commit("dc includes")
        self.cmdfiles(DEPS, configs={f"drv/{f}.c": ["POOL_DC"]
                                     for f in "bcdf"})
        # (no declaration changes: a check only one configuration reads)
        self.write("inc/dc2.h", "int dc2;\n#if POOL_MAX_ORDER > 9\n"
                   "#error order\n#endif\n")
        with open(os.path.join(self.tree, "drv/pool.h")) as fh:
            text = fh.read()
        self.write("drv/pool.h", text.replace("\tunsigned int order;\n",
                                              "\tunsigned int pool_order;\n"))
        tip = self.commit("change")
        self.assertEqual(self.variant(base, tip),
                         {"drv/b.o", "drv/c.o", "drv/f.o"})

    def test_file_only_the_variant_builds(self):
        # dc.c is not in the tip's build (it needs POOL_DC) and uses a
        # name the series changes: all of it
        self.write("drv/dc.c", '#include "pool.h"\nint dc = POOL_WC;\n')
        base = self.commit("dc")
        tip = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        self.assertEqual(self.variant(base, tip), {"*"})

    def test_changed_file_only_the_variant_builds(self):
        # kfd.c is not in the tip's build and the series changes it
        # (using no name the series changes): its object, and nothing
        # outside UNDER
        self.write("drv/kfd.c", "int kfd;\n")
        os.makedirs(os.path.join(self.tree, "other"))
        self.write("other/x.c", "int x;\n")
        base = self.commit("kfd")
        self.write("drv/kfd.c", "int kfd = 1;\n")
        self.write("other/x.c", "int x = 1;\n")
        tip = self.commit("change kfd")
        self.assertEqual(self.variant(base, tip), {"drv/kfd.o"})

    def test_macro_built_on_a_changed_name(self):
        # b.c's code for POOL_DC uses POOL_ORDER_OF() of helper.h, built
        # on the member the series renames; the tip's build never
        # expands it there
        self.write("drv/b.c", '#include "helper.h"\n#ifdef CONFIG_POOL_DC\n'
                   'int b_dc(struct pool *p) { return POOL_ORDER_OF(p); }\n'
                   '#endif\n')
        base = self.commit("dc code")
        self.cmdfiles(dict(DEPS, **{"drv/b.c": ["drv/helper.h",
                                                "drv/pool.h"]}),
                      configs={"drv/b.c": ["POOL_DC"]})
        tip = self.change_header("\tunsigned int order;\n",
                                 "\tunsigned int pool_order;\n")
        self.assertEqual(self.variant(base, tip), {"drv/b.o"})

    def test_macro_defined_for_one_configuration(self):
        # ORD() is defined on the renamed member for POOL_DC only and
        # used by code both configurations compile
        self.write("drv/b.c", '#include "pool.h"\n#ifdef CONFIG_POOL_DC\n'
                   '#define ORD(p) ((p)->order)\n#else\n#define ORD(p) 0\n'
                   '#endif\nint b(struct pool *p) { return ORD(p); }\n')
        base = self.commit("dc macro")
        self.cmdfiles(DEPS, configs={"drv/b.c": ["POOL_DC"]})
        tip = self.change_header("\tunsigned int order;\n",
                                 "\tunsigned int pool_order;\n")
        self.assertEqual(self.variant(base, tip), {"drv/b.o"})

    def test_module_option(self):
        # a module's option is tested as CONFIG_..._MODULE too
        self.write("drv/b.c", '#include "pool.h"\nstruct pool *b;\n'
                   '#ifdef CONFIG_POOL_DC_MODULE\nint b_dc = POOL_WC;\n'
                   '#endif\n')
        base = self.commit("dc code")
        self.cmdfiles(DEPS, configs={"drv/b.c": ["POOL_DC"]})
        tip = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        self.assertEqual(self.variant(base, tip), {"drv/b.o"})

    def test_user_git_configuration(self):
        # the user's diff.noprefix and color.diff change nothing
        cfg = os.path.join(self.tmp.name, "gitconfig")
        with open(cfg, "w") as fh:
            fh.write("[diff]\n\tnoprefix = true\n"
                     "[color]\n\tui = always\n\tdiff = always\n")
        with mock.patch.dict(os.environ, {"GIT_CONFIG_GLOBAL": cfg}):
            self.test_changed_line_in_code_one_configuration_compiles()

    def only_the_variant(self, path, makefiles=None):
        """PATH, which the tip's build does not compile, uses the enum
        constant the series renames; MAKEFILES ({path: text}). What
        variant() chooses, amdgpu's directory being drv/amd/gpu/."""
        os.makedirs(os.path.join(self.tree, os.path.dirname(path)),
                    exist_ok=True)
        self.write(path, '#include "../pool.h"\nint x = POOL_WC;\n')
        for mk, text in (makefiles or {}).items():
            self.write(mk, text)
        base = self.commit("only the variant")
        tip = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        return self.variant(base, tip, whole="drv/amd/gpu/")

    def test_file_only_the_variant_builds_in_amdgpu(self):
        # KFD's code: amdgpu's Makefile builds it, so all of amdgpu
        self.assertEqual(self.only_the_variant("drv/amd/kfd/kfd.c"),
                         {"drv/amd/gpu/"})

    def test_file_elsewhere_the_variant_may_build(self):
        # a Makefile above it names the option: the whole kernel
        self.assertEqual(self.only_the_variant("drv/cec/core/cec.c", {
            "drv/cec/core/Makefile": "obj-y += cec.o\n",
            "drv/cec/Makefile": "obj-$(CONFIG_POOL_DC) += core/\n"}), {"*"})

    def test_file_elsewhere_the_variant_does_not_build(self):
        # no Makefile on its way names the option: neither builds it
        self.assertEqual(self.only_the_variant("drv/net/n.c", {
            "drv/net/Makefile": "obj-$(CONFIG_NET) += n.o\n"}), set())

    def test_changed_file_built_from_amdgpu(self):
        # amdgpu's Makefile builds KFD's C files: all of amdgpu
        os.makedirs(os.path.join(self.tree, "drv/amd/kfd"))
        self.write("drv/amd/kfd/k.c", "int k;\n")
        base = self.commit("kfd")
        self.write("drv/amd/kfd/k.c", "int k = 1;\n")
        tip = self.commit("change kfd")
        self.assertEqual(self.variant(base, tip, whole="drv/amd/gpu/"),
                         {"drv/amd/gpu/"})

    def test_header_of_the_tip_build_is_not_only_the_variants(self):
        # helper.h uses ->order, and the tip's build compiles it
        base = self.git("rev-parse", "HEAD").strip()
        tip = self.change_header("\tunsigned int order;\n", "")
        self.assertEqual(self.variant(base, tip), set())


class Command(Sandbox):
    def run_tool(self, *args):
        return subprocess.run([os.path.join(SCRIPTS, "prefix_objs.py"),
                               *args], capture_output=True, text=True)

    def test_one_line_per_commit(self):
        c = self.change_header("\tPOOL_WC,\n", "\tPOOL_WRITE_COMBINED,\n")
        r = self.run_tool("targets", "--tree", self.tree, "--obj", self.obj,
                          c)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(c + " "), r.stdout)
        self.assertIn("drv/f.o", r.stdout.split())

    def test_bad_input_is_one_line(self):
        for args in (["targets", "--tree", "/nonexistent", "--obj", self.obj,
                      "HEAD"],
                     ["targets", "--tree", self.tree, "--obj", "/nonexistent",
                      "HEAD"],
                     ["targets", "--tree", self.tree, "--obj", self.obj,
                      "no-such-commit"]):
            r = self.run_tool(*args)
            self.assertEqual(r.returncode, 3, (args, r.stderr))
            self.assertEqual(len(r.stderr.strip().splitlines()), 1,
                             (args, r.stderr))
            self.assertNotIn("Traceback", r.stderr)


if __name__ == "__main__":
    unittest.main()
