#
# tdbwins — the "waf test" runner (imported by the top-level wscript).
#
# Runs every unit test program in turn, streaming cmocka's own output, then
# the tshark oracle (testsuite/oracle/run.sh) and, with --integration,
# testsuite/integration/run.sh.  Counts test cases from cmocka's result
# lines
#
#   [  PASSED  ] n test(s).
#   [  FAILED  ] n test(s), listed below:
#   [  SKIPPED ] n test(s).
#
# and from the "N passed, N failed[, N skipped]" line our shell suites end
# with, and prints one final plain line "N passed, N failed".  A program
# that exits non-zero without a cmocka failure line (a crash, valgrind
# errors, a timeout) counts as one more failure, and so does a program that
# printed no result line at all: a test must be able to fail, so silence is
# not success.

import os
import re
import signal
import subprocess
import sys
import threading

from waflib import Options

PASSED_RE = re.compile(r'^\[  PASSED  \] (\d+) test\(s\)\.')
FAILED_RE = re.compile(r'^\[  FAILED  \] (\d+) test\(s\)')
SKIPPED_RE = re.compile(r'^\[  SKIPPED \] (\d+) test\(s\)')
SUMMARY_RE = re.compile(r'^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$')

VALGRIND = ['valgrind', '--leak-check=full', '--error-exitcode=1',
	    '--errors-for-leak-kinds=definite']

# Exit status a shell suite uses for "cannot run here" (automake's SKIP).
EXIT_SKIP = 77


class Tally(object):
	def __init__(self):
		self.passed = 0
		self.failed = 0
		self.skipped = 0
		self.problems = []

	def add_problem(self, what):
		self.failed += 1
		self.problems.append(what)


def say(msg):
	sys.stdout.write(msg + '\n')
	sys.stdout.flush()


def timeout_seconds(valgrind):
	default = 1200 if valgrind else 300
	try:
		return int(os.environ.get('TW_TEST_TIMEOUT', default))
	except ValueError:
		return default


def stream(cmd, cwd, env, timeout, on_line):
	"""Run cmd, echo its merged output line by line, return (rc, timed_out).

	The child runs in its own session so that a hung test and anything it
	started can be stopped together by the process-group id of the one
	process we started.
	"""
	proc = subprocess.Popen(cmd, cwd=cwd, env=env,
				stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
				stdin=subprocess.DEVNULL, start_new_session=True)
	state = {'timed_out': False}

	def kill():
		state['timed_out'] = True
		try:
			os.killpg(proc.pid, signal.SIGKILL)
		except ProcessLookupError:
			pass

	timer = threading.Timer(timeout, kill)
	timer.daemon = True
	timer.start()
	try:
		for raw in iter(proc.stdout.readline, b''):
			line = raw.decode('utf-8', 'replace').rstrip('\n')
			sys.stdout.write(line + '\n')
			sys.stdout.flush()
			on_line(line)
		rc = proc.wait()
	except BaseException:
		# Ctrl-C or an error here: the child is in its own session and
		# would not see the terminal's signal, so stop it ourselves.
		kill()
		proc.wait()
		raise
	finally:
		timer.cancel()
		proc.stdout.close()
	return rc, state['timed_out']


def describe_rc(rc, timed_out, timeout):
	if timed_out:
		return 'timed out after %d s' % timeout
	if rc < 0:
		try:
			return 'killed by %s' % signal.Signals(-rc).name
		except ValueError:
			return 'killed by signal %d' % -rc
	return 'exit status %d' % rc


def child_env(bld, extra=None):
	env = dict(os.environ)
	# Keep cmocka's standard output format: CI reads the result lines.
	env.pop('CMOCKA_MESSAGE_OUTPUT', None)
	env.pop('CMOCKA_XML_FILE', None)
	env['TW_SRCDIR'] = bld.path.abspath()
	env['TW_BUILD_DIR'] = bld.out_dir
	if extra:
		env.update(extra)
	return env


def run_unit(bld, tally, valgrind):
	wanted = [w for w in Options.options.tests.split(',') if w]
	tests = sorted(getattr(bld, 'tw_unit_tests', []))
	if wanted:
		tests = [t for t in tests if any(w in t[0] for w in wanted)]
	if not tests:
		say('no unit test programs found (testsuite/unit/test_*.c)')
		return
	timeout = timeout_seconds(valgrind)
	env = child_env(bld)
	for name, path in tests:
		counts = {'passed': 0, 'failed': 0, 'skipped': 0, 'lines': 0}

		def on_line(line, counts=counts):
			m = PASSED_RE.match(line)
			if m:
				counts['passed'] += int(m.group(1))
				counts['lines'] += 1
				return
			m = FAILED_RE.match(line)
			if m:
				counts['failed'] += int(m.group(1))
				counts['lines'] += 1
				return
			m = SKIPPED_RE.match(line)
			if m:
				counts['skipped'] += int(m.group(1))

		cmd = [path]
		if valgrind:
			cmd = VALGRIND + cmd
		say('==> %s%s' % (name, ' (valgrind)' if valgrind else ''))
		# Run from the top of the tree, as a developer would run
		# build/testsuite/unit/test_x by hand.
		rc, timed_out = stream(cmd, bld.path.abspath(), env, timeout,
				       on_line)
		tally.passed += counts['passed']
		tally.failed += counts['failed']
		tally.skipped += counts['skipped']
		if counts['failed']:
			tally.problems.append('%s: %d failed test case(s)'
					      % (name, counts['failed']))
		if rc != 0 and counts['failed'] == 0:
			tally.add_problem('%s: %s with no cmocka failure '
					  'reported%s' % (
						  name,
						  describe_rc(rc, timed_out,
							      timeout),
						  ' (valgrind errors?)'
						  if valgrind else ''))
		elif rc == 0 and counts['lines'] == 0:
			tally.add_problem('%s: printed no cmocka result line'
					  % name)


def run_suite(bld, tally, label, cmd, extra_env, timeout):
	"""A shell suite ending with 'N passed, N failed[, N skipped]'."""
	found = {'summary': None}

	def on_line(line):
		m = SUMMARY_RE.match(line)
		if m:
			found['summary'] = m

	say('==> %s' % label)
	rc, timed_out = stream(cmd, bld.path.abspath(),
			       child_env(bld, extra_env), timeout, on_line)
	m = found['summary']
	if rc == EXIT_SKIP and not timed_out:
		tally.skipped += 1
		say('%s: skipped' % label)
		return
	if m:
		tally.passed += int(m.group(1))
		tally.failed += int(m.group(2))
		tally.skipped += int(m.group(3) or 0)
		if int(m.group(2)):
			tally.problems.append('%s: %s failed'
					      % (label, m.group(2)))
	if rc != 0 and (not m or int(m.group(2)) == 0):
		tally.add_problem('%s: %s' % (label,
					      describe_rc(rc, timed_out,
							  timeout)))
	elif rc == 0 and not m:
		tally.add_problem('%s: printed no "N passed, N failed" line'
				  % label)


def run_all(bld):
	valgrind = Options.options.valgrind
	if valgrind and not bld.env.VALGRIND:
		say('valgrind not found (it was not there at configure time)')
		sys.exit(1)
	tally = Tally()

	run_unit(bld, tally, valgrind)

	oracle = bld.path.find_node('testsuite/oracle/run.sh')
	if oracle and not Options.options.no_oracle and \
	   not Options.options.tests:
		extra = {}
		if valgrind:
			extra['TW_WRAPPER'] = ' '.join(VALGRIND)
		run_suite(bld, tally, 'tshark oracle',
			  ['sh', oracle.abspath()], extra,
			  timeout_seconds(valgrind))

	if Options.options.integration:
		suite = bld.path.find_node('testsuite/integration/run.sh')
		if suite:
			extra = {'TDBWINSD': os.path.join(bld.out_dir,
							  'tdbwinsd')}
			run_suite(bld, tally, 'integration',
				  ['bash', suite.abspath()], extra,
				  timeout_seconds(True))
		else:
			say('integration: testsuite/integration/run.sh does '
			    'not exist yet; nothing to run')

	for p in tally.problems:
		say('FAILED: ' + p)
	if tally.skipped:
		say('(%d skipped)' % tally.skipped)
	say('%d passed, %d failed' % (tally.passed, tally.failed))
	if tally.failed:
		sys.exit(1)
