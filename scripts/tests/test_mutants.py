# SPDX-License-Identifier: GPL-2.0
"""Every test of test_ktap.py and test_guest_init.py, and of
test_prefix_objs.Variant, can fail: each mutant below breaks one rule
of scripts/ktap.py, scripts/guest-init.sh or prefix_objs.py's variant
(in a copy) and the tests named with it must fail on that copy. A mutant
whose text is no longer in its file fails too: the lists follow the
files, they never silently stop biting.

  python3 -m unittest test_mutants
"""

import os
import re
import subprocess
import sys
import tempfile
import unittest

# (what the mutant breaks, text of ktap.py, replacement, tests that must
# fail: Class.method of test_ktap)
KTAP_MUTANTS = [
    ('the ownership report pattern is dropped',
     "    ('DMA ownership', re.compile(r'\\bttm: DMA ownership:')),\n", '',
     ['Verdicts.test_ownership_report', 'Verdicts.test_expect_reports']),
    ('WARNINGs are not reports',
     "    ('WARNING', re.compile(r'^\\s*WARNING: ')),\n", '',
     ['Verdicts.test_warn_inside_passing_test',
      'Verdicts.test_known_upstream_report']),
    ('Oopses are not reports',
     "    ('Oops', re.compile(r'\\bOops\\b')),\n", '',
     ['Verdicts.test_crashed']),
    ('Xen panics are not reports',
     "    ('Xen panic', re.compile(r'\\(XEN\\) .*(Panic on CPU|FATAL)')),\n",
     '', ['Verdicts.test_xen_crash']),
    ('kmemleak leaks are not reports',
     "    ('kmemleak', re.compile(r'unreferenced object 0x[0-9a-f]+')),\n",
     '', ['Verdicts.test_known_upstream_report']),
    ('a reported failure is not counted',
     "        extra += [('log', f'{k} (line {n}): {t}', 'fail', '')",
     "        extra += [('log', f'{k} (line {n}): {t}', 'pass', '')",
     ['Verdicts.test_warn_inside_passing_test', 'Verdicts.test_crashed',
      'Verdicts.test_ownership_report']),
    ('no end marker is no failure',
     "    elif not any(DONE in line for line in lines):",
     "    elif False:",
     ['Verdicts.test_missing_end_marker', 'Verdicts.test_crashed']),
    ('a timeout is no failure',
     "        extra.append(('log', 'timeout: the VM did not finish in time',\n"
     "                      'fail', ''))",
     "        pass",
     ['Verdicts.test_timed_out']),
    ('the result file is written after the output',
     "    # The result file first: make check counts it, whatever happens "
     "to\n",
     "    print(args.name)\n",
     ['Verdicts.test_result_file_first']),
    ('a log without results passes',
     "    if not cases:\n", "    if False:\n",
     ['Verdicts.test_no_results']),
    ('failed cases do not set the exit status',
     "    return 1 if n['fail'] else 0", "    return 0",
     ['Verdicts.test_failing', 'Verdicts.test_crashed',
      'Verdicts.test_missing_end_marker']),
    ('printk timestamps are not stripped',
     "PREFIX = re.compile(r'^(?:\\[\\s*\\d+\\.\\d+\\]\\s?|<\\d>)')",
     "PREFIX = re.compile(r'^<\\d>')",
     ['Verdicts.test_passing', 'Verdicts.test_ktap_nesting']),
    ('a result with results nested under it counts as a case',
     "        if not nested.get(level + 1):", "        if True:",
     ['Verdicts.test_passing', 'Verdicts.test_ktap_nesting']),
    ('a suite failing with all cases passed is not counted',
     "        elif status == 'fail' and not failed.get(level + 1):",
     "        elif False:",
     ['Verdicts.test_ktap_nesting']),
    ('known reports match whatever their kind',
     "                    if k == rep[0] and rx.search(rep[3])), None)",
     "                    if rx.search(rep[3])), None)",
     ['Verdicts.test_known_report_needs_its_kind']),
    ('known reports are not applied',
     "        if why:\n            matched",
     "        if False:\n            matched",
     ['Verdicts.test_known_upstream_report']),
    ('--expect-reports lists nothing',
     "            print(f'  report (expected here) line {ln}: {t}')",
     "            pass",
     ['Verdicts.test_expect_reports']),
    ('an IGT skip never fails',
     "        if suite.startswith('igt:') and status == 'skip':",
     "        if False:",
     ['RealLogs.test_real_refused_mask',
      'Expectations.test_skip_where_a_line_says_pass',
      'Expectations.test_skip_not_listed',
      'Expectations.test_labelled_suites']),
    ('a skip that no line covers is allowed',
     "            if rule is None:\n                status = 'fail'",
     "            if rule is None:\n                pass",
     ['Expectations.test_skip_not_listed',
      'Expectations.test_labelled_suites']),
    ("a 'pass' line allows a skip",
     "            elif rule['verdict'] == 'pass':",
     "            elif False:",
     ['Expectations.test_skip_where_a_line_says_pass',
      'Expectations.test_first_match_wins']),
    ('the last matching line wins',
     "            rule = next((r for r in rules\n",
     "            rule = next((r for r in reversed(rules)\n",
     ['Expectations.test_first_match_wins']),
    ('lines apply to every platform',
     "             if r['platforms'] is None or platform in r['platforms']]",
     "             ]",
     ['Expectations.test_skip_where_a_line_says_pass',
      'Expectations.test_skip_not_listed']),
    ('expectations govern KUnit suites too',
     "        if suite.startswith('igt:') and status == 'skip':",
     "        if status == 'skip':",
     ['Expectations.test_kunit_not_governed']),
    ('suites match by prefix, not by name or glob',
     "                         if fnmatch.fnmatchcase(suite, r['suite']) and",
     "                         if suite.startswith(r['suite'].rstrip('*')) "
     "and",
     ['Expectations.test_labelled_suites']),
    ('suites match by name only, not by glob',
     "                         if fnmatch.fnmatchcase(suite, r['suite']) and",
     "                         if suite == r['suite'] and",
     ['Expectations.test_skips_allowed']),
    ('zero edu subtests executed is no failure',
     "        if not executed:\n", "        if False:\n",
     ['Expectations.test_zero_edu_subtests_executed',
      'Expectations.test_zero_edu_subtests_no_suite']),
    ('skipped edu subtests count as executed',
     "        if fnmatch.fnmatchcase(suite, EDU_SUITES) and status != 'skip':",
     "        if fnmatch.fnmatchcase(suite, EDU_SUITES):",
     ['Expectations.test_zero_edu_subtests_executed']),
    ('only the unlabelled suite counts as edu',
     "EDU_SUITES = 'igt:edu_gpu_dma*'", "EDU_SUITES = 'igt:edu_gpu_dma'",
     ['Expectations.test_labelled_suites', 'RealLogs.test_real_reload']),
    ('a line needs no reason',
     "        if not hashmark or not reason:\n",
     "        if False:\n",
     ['BadInput.test_expect_no_reason', 'BadInput.test_expect_empty_reason']),
    ('any verdict is accepted',
     "        if verdict not in ('pass', 'skip'):",
     "        if False:",
     ['BadInput.test_expect_bad_verdict']),
    ('lines of any length are accepted',
     "        if len(fields) != 4:",
     "        if len(fields) < 3:",
     ['BadInput.test_expect_missing_field']),
    ('unknown platforms are accepted',
     "                if platforms is not None and p not in platforms:",
     "                if False:",
     ['BadInput.test_expect_unknown_platform']),
    ('empty platform names are accepted',
     "                if not p:\n", "                if False:\n",
     ['BadInput.test_expect_empty_platform']),
    ('KUnit suites are accepted in the file',
     "        if not suite.startswith('igt:'):",
     "        if False:",
     ['BadInput.test_expect_kunit_suite']),
    ('the platform of the run is not checked',
     "            if platforms is not None and args.platform not in "
     "platforms:",
     "            if False:",
     ['BadInput.test_unknown_run_platform']),
    ('--expect works without --platform',
     "    if bool(args.expect) != bool(args.platform):",
     "    if False:",
     ['BadInput.test_expect_without_platform']),
    ('unreadable files end in a traceback',
     "    except OSError as e:\n"
     "        raise BadInput(f'{path}: {e.strerror}')",
     "    except KeyError as e:\n"
     "        raise BadInput(f'{path}: {e}')",
     ['BadInput.test_missing_log', 'BadInput.test_expect_missing_file']),
    ('malformed known reports are accepted',
     "        if len(parts) != 3 or not all(parts):",
     "        if False:",
     ['BadInput.test_malformed_known_reports']),
]

# The same for guest-init.sh and test_guest_init.
GUEST_MUTANTS = [
    ('a loaded module is not unloaded first',
     'if loaded "$mod" && ! rmmod "$mod"; then',
     'if false; then',
     ['GuestInit.test_module_reload', 'GuestInit.test_module_unload_fails']),
    ('a failed rmmod is ignored',
     'if loaded "$mod" && ! rmmod "$mod"; then',
     'if loaded "$mod" && ! rmmod "$mod" && false; then',
     ['GuestInit.test_module_unload_fails']),
    ('module names keep their dashes',
     'mod=$(echo "$1" | tr - _)', 'mod=$1',
     ['GuestInit.test_module_reload']),
    ('a failed modprobe is ignored',
     '\tif ! modprobe "$@"; then', '\tif false; then',
     ['GuestInit.test_module_load_fails']),
    ('the parameters of a loaded module are not shown',
     '\techo "ttm-dma: $mod loaded, parameters: ${params:-none}"', '',
     ['GuestInit.test_module_load']),
    ('the label is not in the suite name',
     'run_igt "igt:${name##*/}:${kind#igt:}"', 'run_igt "igt:${name##*/}"',
     ['GuestInit.test_igt_suites', 'GuestInit.test_bad_label']),
    ('labels are not checked',
     '\tigt:*[!A-Za-z0-9_.+=-]*|igt:)', '\tigt:__never__)',
     ['GuestInit.test_bad_label']),
    ('the filter is ignored',
     'if [ -z "$filter" ] || uwildmat "$s" "$filter"; then',
     'if true; then',
     ['GuestInit.test_run_subtest_filter',
      'GuestInit.test_run_subtest_no_match',
      'GuestInit.test_selection_as_igt']),
    ('the filter stays in the arguments',
     '\t\t\tfilter=$2\n', '\t\t\tfilter=$2; args="$args $1 $2"\n',
     ['GuestInit.test_run_subtest_filter']),
    ('--run-subtest=PATTERN is not understood',
     '--run-subtest=*) filter=${1#--run-subtest=} ;;',
     '--run-subtest=*) ;;',
     ['GuestInit.test_run_subtest_equals']),
    ("'!' does not negate",
     '!*) case $1 in ${pat#!}) match=1 ;; esac ;;', '!*) ;;',
     ['GuestInit.test_run_subtest_filter',
      'GuestInit.test_selection_as_igt']),
    ('the first matching pattern decides',
     '*) case $1 in $pat) match=0 ;; esac ;;',
     '*) case $1 in $pat) IFS=$save_ifs; return 0 ;; esac ;;',
     ['GuestInit.test_run_subtest_filter',
      'GuestInit.test_selection_as_igt']),
    ('globbing is on',
     'run_list() {\n\tset -f\n', 'run_list() {\n',
     ['GuestInit.test_run_subtest_filter']),
    ('--run-subtest without a pattern is not caught',
     '\t\t\tif [ $# = 1 ]; then', '\t\t\tif false; then',
     ['GuestInit.test_run_subtest_without_pattern']),
    ('a filter that selects nothing passes',
     '\tif [ $n = 0 ]; then', '\tif false; then',
     ['GuestInit.test_run_subtest_no_match']),
    ('a missing binary is not named',
     '\t\techo "# $bin: not in the initramfs"\n', '',
     ['GuestInit.test_missing_binary']),
    ('an IGT skip is a pass',
     '77) echo "    ok $i $s # SKIP" ;;', '77) echo "    ok $i $s" ;;',
     ['GuestInit.test_igt_suites']),
    ('ttm_dma.only= is ignored',
     '\t\tif [ -n "$only" ]; then', '\t\tif false; then',
     ['GuestInit.test_only']),
    ('a failing sh line passes',
     '*) ktap_one "$name" "not ok" ;;', '*) ktap_one "$name" "ok" ;;',
     ['GuestInit.test_kunit_and_sh']),
    ('an sh line that skips passes',
     '77) ktap_one "$name" "ok" "SKIP" ;;', '77) ktap_one "$name" "ok" ;;',
     ['GuestInit.test_kunit_and_sh']),
    ('an sh line that skips fails',
     '77) ktap_one "$name" "ok" "SKIP" ;;', '',
     ['GuestInit.test_kunit_and_sh']),
]

# prefix_objs.py variant: which objects of the tip's build the DC, KFD
# and SI configuration compiles again (test_prefix_objs.Variant)
VARIANT_MUTANTS = [
    ('a changed C file is not compiled again',
     '        if idx.source[o] in self.changed:\n',
     '        if False:\n',
     ['Variant.test_changed_c_file_testing_the_option']),
    ('a changed line in conditional code does not count',
     '                if any(mask[max(a, 0):b]):', '                if False:',
     ['Variant.test_changed_line_in_code_one_configuration_compiles']),
    ('a conditional #include that cannot be found is ignored',
     '            if paths is None:\n', '            if paths is None:\n'
     '                continue\n',
     ['Variant.test_include_only_one_configuration_reads']),
    ('a conditional #include of a changed file is ignored',
     '                if p in self.changed:\n', '                if False:\n',
     ['Variant.test_include_only_one_configuration_reads']),
    ('conditional code using a changed name does not count',
     '        hit = sorted(used & self.names)\n', '        hit = []\n',
     ['Variant.test_objects_testing_the_option',
      'Variant.test_else_branch_and_derived_macro',
      'Variant.test_include_only_one_configuration_reads']),
    ('a changed line using a conditional declaration does not count',
     '        hit = sorted(declared & added)\n', '        hit = []\n',
     ['Variant.test_added_line_uses_what_one_configuration_declares']),
    ('macros defined under the option are not followed',
     '                    new |= conditioned(t, names)[2]\n',
     '                    pass\n',
     ['Variant.test_else_branch_and_derived_macro']),
    ('an #else branch is compiled by both configurations',
     '            elif d.startswith("elif") and stack:',
     '            elif d == "else" and stack:\n'
     '                stack[-1] = False\n'
     '            elif d.startswith("elif") and stack:',
     ['Variant.test_else_branch_and_derived_macro']),
    ('every object testing the option is compiled again',
     '            why = d.why(o)\n', '            why = "all"\n',
     ['Variant.test_objects_testing_the_option',
      'Variant.test_include_only_one_configuration_reads']),
    ('a changed file only the variant builds is not compiled',
     '                and path not in built and tree.show(tip, path) '
     'is not None):',
     '                and False):',
     ['Variant.test_changed_file_only_the_variant_builds']),
    ('a file only the variant builds using a changed name is ignored',
     '            if f in built or not f.endswith((".c", ".h")):\n'
     '                continue\n',
     '            continue\n',
     ['Variant.test_file_only_the_variant_builds']),
    ("no object of the tip's build is compiled again",
     '        if tests and set(changed) & (idx.deps[o] | {idx.source[o]}):',
     '        if tests and False:',
     ['Variant.test_objects_testing_the_option']),
    ('macros built on a changed name are not followed',
     '        new = more - names\n', '        new = set()\n',
     ['Variant.test_macro_built_on_a_changed_name']),
    ("a macro's body under the option does not count",
     '            "\\n".join(ln for ln in code if not PP_TEXT.match(ln))))',
     '            "\\n".join(ln for ln in code if not ln.strip()'
     '.startswith("#"))))',
     ['Variant.test_macro_defined_for_one_configuration']),
    ('CONFIG_X_MODULE does not test X',
     '                        for m in ("", "_MODULE")}',
     '                        for m in ("",)}',
     ['Variant.test_module_option']),
    ("the user's git configuration shapes the diff read",
     'DIFF_OPTS = ("--no-color", "--no-ext-diff", "--src-prefix=a/",\n'
     '             "--dst-prefix=b/")',
     'DIFF_OPTS = ()',
     ['Variant.test_user_git_configuration']),
    ("a file under amdgpu's parent only the variant builds is ignored",
     '            if wtop and f.startswith(wtop):\n',
     '            if False:\n',
     ['Variant.test_file_only_the_variant_builds_in_amdgpu']),
    ('a file elsewhere counts whatever its Makefiles say',
     '            elif not wtop or kbuild_names(tree, f, under, symbols):',
     '            elif True:',
     ['Variant.test_file_elsewhere_the_variant_does_not_build']),
    ('a file elsewhere never counts',
     '            elif not wtop or kbuild_names(tree, f, under, symbols):',
     '            elif not wtop:',
     ['Variant.test_file_elsewhere_the_variant_may_build']),
    ('only the directory of a file is looked at, not those above',
     '        d = os.path.dirname(d)\n    return False',
     '        break\n    return False',
     ['Variant.test_file_elsewhere_the_variant_may_build']),
    ("a changed KFD file is compiled as if its directory built it",
     '                t = whole\n', '                pass\n',
     ['Variant.test_changed_file_built_from_amdgpu']),
    ("a header of the tip's build counts as only the variant's",
     '    built = set(idx.source.values()) | set(idx.users)\n',
     '    built = set(idx.source.values())\n',
     ['Variant.test_header_of_the_tip_build_is_not_only_the_variants']),
]

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
# file in scripts/ -> (test module, its variable for the file, mutants,
# the tests of the module the mutants cover: a Class. prefix, or all)
TARGETS = {
    'ktap.py': ('test_ktap', 'KTAP_PY', KTAP_MUTANTS, ''),
    'guest-init.sh': ('test_guest_init', 'GUEST_INIT', GUEST_MUTANTS, ''),
    'prefix_objs.py': ('test_prefix_objs', 'PREFIX_OBJS_PY',
                       VARIANT_MUTANTS, 'Variant.'),
}

# Runs the tests named on its command line, prints the ids of those that
# failed or broke ('F ID') or were skipped ('S ID'), one a line.
RUNNER = """
import sys, unittest
result = unittest.TestResult()
unittest.defaultTestLoader.loadTestsFromNames(sys.argv[1:]).run(result)
for test, _ in result.failures + result.errors:
    print('F', test.id().split(' ')[0])
for test, _ in result.skipped:
    print('S', test.id().split(' ')[0])
print('done')
"""


def failing(module, var, path, tests):
    """Which of MODULE's TESTS (Class.method) fail, and which skip, with
    $VAR=PATH."""
    env = dict(os.environ, **{var: path})
    proc = subprocess.run(
        [sys.executable, '-c', RUNNER] + [f'{module}.{t}' for t in tests],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=300)
    lines = proc.stdout.splitlines()
    if lines[-1:] != ['done']:
        raise RuntimeError(f'test runner: {proc.stderr.strip()}')
    out = {'F': set(), 'S': set()}
    for line in lines[:-1]:
        kind, test = line.split(' ', 1)
        out[kind].add(test.split('.', 1)[1])
    return out['F'], out['S']


class Mutants(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        # ktap.py finds the platform names next to its own directory.
        os.mkdir(os.path.join(cls.tmp.name, 'scripts'))
        platforms = os.path.join(os.path.dirname(SCRIPTS), 'platforms')
        if os.path.isdir(platforms):
            os.symlink(platforms, os.path.join(cls.tmp.name, 'platforms'))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_test_has_a_mutant(self):
        for file, (module, _, mutants, only) in TARGETS.items():
            names = set()
            suite = unittest.defaultTestLoader.loadTestsFromName(module)
            for case in suite:
                for t in case:
                    n = f'{type(t).__name__}.{t._testMethodName}'
                    if n.startswith(only):
                        names.add(n)
            targets = {t for *_, tests in mutants for t in tests}
            self.assertFalse(targets - names,
                             f'{file}: mutant targets that are not tests')
            # The project-file checks guard the repository's data, not
            # the rules: no mutant is theirs to kill.
            spare = {n for n in names - targets
                     if not n.startswith('ProjectFiles.')}
            self.assertFalse(spare,
                             f'{file}: tests no mutant shows able to fail')

    def killed(self, file, what, old, new, tests):
        module, var, _, _ = TARGETS[file]
        with open(os.path.join(SCRIPTS, file)) as fh:
            source = fh.read()
        self.assertEqual(source.count(old), 1,
                         f'mutant "{what}": its text is not in {file} '
                         f'exactly once; update it')
        path = os.path.join(self.tmp.name, 'scripts', file)
        mutant = source.replace(old, new)
        with open(path, 'w') as fh:
            fh.write(mutant)
        # A mutant that does not even parse would kill every test.
        if file.endswith('.py'):
            compile(mutant, path, 'exec')
        else:
            subprocess.run(['sh', '-n', path], check=True)
        failed, skipped = failing(module, var, path, tests)
        survived = sorted(set(tests) - failed - skipped)
        self.assertFalse(survived, f'mutant "{what}" survives')
        if skipped == set(tests):
            self.skipTest(f'{", ".join(sorted(skipped))} skipped here')


# One test per mutant: test_<file>_<what it breaks>.
for _file, (_, _, _mutants, _) in TARGETS.items():
    for _m in _mutants:
        _name = re.sub(r'\W+', '_', f'test_{_file.split(".")[0]}_{_m[0]}')
        _name = _name.strip('_')
        assert not hasattr(Mutants, _name), _name
        setattr(Mutants, _name, lambda self, f=_file, m=_m: self.killed(f, *m))
