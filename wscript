#!/usr/bin/env python3
#
# tdbwins — waf build script (waf 2.0).
#
#   ./waf configure build test        or   ./configure && make && make test
#   ./waf test --valgrind             unit tests under valgrind
#   ./waf test --integration          also testsuite/integration/run.sh
#
# Everything is found by glob, so a new source or test file needs no edit
# here:
#   source/**/*.c minus source/host/** and source/tool/**  -> libtwcore.a
#   testsuite/unit/test_*.c               -> one cmocka program each
#   testsuite/unit/*.c (other names)      -> helpers linked into every test
#   source/host/standalone/*.c + source/host/common/*.c -> tdbwinsd
#   source/host/samba/*.c + source/host/common/*.c -> tdbwins.so
#   source/tool/<dir>/*.c                 -> one program named <dir>
#   testsuite/{bench,tools,oracle}/*.c    -> one program per file
#
# A program source may name files it needs with a line
#   twbuild-needs: source/wire/wrepl.c ...
# in its first 40 lines; it is skipped (with a note) while one is missing.

import os
import sys

from waflib import Build, Configure, Context, Logs, Options

# waf sets run_dir to this file's directory before it loads us.
sys.path.insert(0, os.path.join(Context.run_dir, 'buildtools'))
import twtest  # noqa: E402  (buildtools/twtest.py, our test runner)

APPNAME = 'tdbwins'
VERSION = '0.1.0'

top = '.'
out = 'build'

# make/configure shape of talloc, tevent and tdb: "make" after a fresh
# clone configures by itself, and a changed wscript re-runs configure with
# the options stored by the last one.
Configure.autoconfig = 'clobber'

PKGS = ['talloc', 'tevent', 'tdb', 'cmocka', 'samba-hostconfig', 'samba-util']

# Order matters only for -O2 coming after any user CFLAGS.
WANTED_CFLAGS = [
	'-std=gnu11',
	'-Wall',
	'-Wextra',
	# tevent and talloc callbacks have fixed signatures whose parameters
	# are often unused; like the kernel's W=1 set, -Wextra minus that.
	'-Wno-unused-parameter',
	'-Wstringop-overflow',
	'-fvisibility=hidden',
	'-O2',
	'-g',
	'-fno-strict-aliasing',
]

INCLUDES = ['source', 'include']
CORE_LIBS = ['TALLOC', 'TEVENT', 'TDB']

FORTIFY_FRAGMENT = '''
#include <string.h>
int main(int argc, char **argv)
{
	char buf[8];

	(void)argv;
	memset(buf, 0, sizeof(buf));
	return buf[argc & 7];
}
'''


def uselib_name(pkg):
	return pkg.upper().replace('-', '_')


def options(opt):
	opt.load('compiler_c')
	grp = opt.add_option_group('tdbwins test options')
	grp.add_option('--valgrind', action='store_true', default=False,
		       help='run unit tests under valgrind --leak-check=full '
			    '(definite leaks and memory errors fail the test)')
	grp.add_option('--integration', action='store_true', default=False,
		       help='also run testsuite/integration/run.sh (root)')
	grp.add_option('--tests', action='store', default='',
		       help='comma-separated substrings: run only the unit '
			    'test programs whose name contains one of them')
	grp.add_option('--no-oracle', action='store_true', default=False,
		       help='skip the tshark oracle in "waf test"')
	opt.add_option('--samba-moduledir', action='store', default='',
		       help='where to install tdbwins.so [default: '
			    '<samba libdir>/samba/service]')


def configure(conf):
	conf.load('compiler_c')
	conf.find_program('pkg-config', var='PKGCONFIG')
	for pkg in PKGS:
		conf.check_cfg(package=pkg, args=['--cflags', '--libs'],
			       uselib_store=uselib_name(pkg),
			       global_define=False, mandatory=True)

	ok_flags = []
	for flag in WANTED_CFLAGS:
		ok = conf.check_cc(fragment='int main(void) { return 0; }\n',
				   cflags=['-Werror', flag],
				   msg='Checking for compiler flag %s' % flag,
				   mandatory=False)
		if ok:
			ok_flags.append(flag)
		else:
			Logs.warn('compiler rejects %s: building without it' % flag)

	# _FORTIFY_SOURCE=3 needs gcc >= 12 (or clang) and glibc >= 2.34;
	# older pairs warn, which -Werror turns into an error: fall back to 2.
	fortify = None
	for level in ('3', '2'):
		cflags = ['-Werror', '-O2', '-U_FORTIFY_SOURCE',
			  '-D_FORTIFY_SOURCE=' + level]
		ok = conf.check_cc(fragment=FORTIFY_FRAGMENT, cflags=cflags,
				   msg='Checking for -D_FORTIFY_SOURCE=' + level,
				   mandatory=False)
		if ok:
			fortify = level
			break
	if fortify:
		ok_flags += ['-U_FORTIFY_SOURCE', '-D_FORTIFY_SOURCE=' + fortify]

	# -Werror last, so that the checks above were not judged by it.
	conf.env.append_value('CFLAGS', ok_flags + ['-Werror'])
	conf.env.TW_FORTIFY = fortify or ''

	# Samba loads service modules from <its libdir>/samba/service
	# (DESIGN.md "Samba integration facts"); --samba-moduledir overrides.
	moddir = getattr(Options.options, 'samba_moduledir', '')
	if not moddir:
		libdir = conf.cmd_and_log(conf.env.PKGCONFIG +
					  ['--variable=libdir',
					   'samba-hostconfig']).strip()
		moddir = os.path.join(libdir, 'samba', 'service')
	conf.env.SAMBA_MODULEDIR = moddir
	# daemons go to sbin, tools to bin (waf sets neither by itself)
	conf.env.SBINDIR = conf.env.SBINDIR or conf.env.PREFIX + '/sbin'
	conf.env.BINDIR = conf.env.BINDIR or conf.env.PREFIX + '/bin'
	conf.msg('Samba service module directory', moddir)

	conf.find_program('valgrind', var='VALGRIND', mandatory=False)
	conf.find_program('tshark', var='TSHARK', mandatory=False)


def needs_ok(bld, node):
	"""Honour a 'twbuild-needs:' line; False (and a note) if unmet."""
	missing = []
	with open(node.abspath(), 'r', errors='replace') as f:
		for i, line in enumerate(f):
			if i >= 40:
				break
			if 'twbuild-needs:' not in line:
				continue
			rest = line.split('twbuild-needs:', 1)[1]
			for path in rest.replace('*/', ' ').split():
				if not bld.path.find_node(path):
					missing.append(path)
	if missing:
		Logs.info('not building %s yet: missing %s'
			  % (node.path_from(bld.path), ' '.join(missing)))
		return False
	return True


def glob(bld, pattern, excl=None):
	return bld.path.ant_glob(pattern, excl=excl or [])


def build(bld):
	core = glob(bld, 'source/**/*.c',
		    excl=['source/host/**', 'source/tool/**'])
	# Objects are -fPIC so that the Samba module (a shared object) can
	# reuse them later.
	bld.stlib(source=core, target='twcore', includes=INCLUDES,
		  export_includes=INCLUDES, cflags=['-fPIC'],
		  use=CORE_LIBS, install_path=None)

	# unit tests
	helpers = [n for n in glob(bld, 'testsuite/unit/*.c')
		   if not n.name.startswith('test_')]
	unit_use = ['twcore'] + CORE_LIBS + ['CMOCKA']
	if helpers:
		bld.stlib(source=helpers, target='twunithelpers',
			  includes=INCLUDES + ['testsuite/unit'],
			  use=unit_use, install_path=None)
		unit_use = ['twunithelpers'] + unit_use
	bld.tw_unit_tests = []
	for src in glob(bld, 'testsuite/unit/test_*.c'):
		name = src.name[:-2]
		target = 'testsuite/unit/' + name
		bld.program(source=[src], target=target,
			    includes=INCLUDES + ['testsuite/unit'],
			    use=unit_use, install_path=None)
		bld.tw_unit_tests.append(
			(name, bld.path.find_or_declare(target).abspath()))

	# the standalone daemon
	daemon = glob(bld, 'source/host/standalone/*.c')
	if daemon:
		daemon = daemon + glob(bld, 'source/host/common/*.c')
	if daemon:
		bld.program(source=daemon, target='tdbwinsd',
			    includes=INCLUDES,
			    use=['twcore'] + CORE_LIBS +
				['SAMBA_HOSTCONFIG', 'SAMBA_UTIL'],
			    install_path='${SBINDIR}')

	# the Samba module: tdbwins.so, dlopen()ed by the samba daemon.  Only
	# samba_init_module may be exported (-fvisibility=hidden does the
	# rest); Samba's private symbols stay undefined and resolve from the
	# samba process, so no --no-undefined here.
	module = glob(bld, 'source/host/samba/*.c')
	if module:
		tg = bld(features='c cshlib',
			 source=module + glob(bld, 'source/host/common/*.c'),
			 target='tdbwins', includes=INCLUDES,
			 use=['twcore'] + CORE_LIBS +
			     ['SAMBA_HOSTCONFIG', 'SAMBA_UTIL'],
			 install_path='${SAMBA_MODULEDIR}')
		tg.env.cshlib_PATTERN = '%s.so'

	# admin tools: one program per directory under source/tool/
	tooldir = bld.path.find_dir('source/tool')
	if tooldir:
		for d in sorted(tooldir.listdir()):
			srcs = glob(bld, 'source/tool/%s/*.c' % d)
			if srcs:
				# tools read smb.conf the way the daemon does
				srcs = srcs + glob(bld,
						   'source/host/common/lpconf.c')
				bld.program(source=srcs, target=d,
					    includes=INCLUDES,
					    use=['twcore'] + CORE_LIBS +
						['SAMBA_HOSTCONFIG',
						 'SAMBA_UTIL'],
					    install_path='${BINDIR}')

	# helper programs for benchmarks, integration tests and the oracle
	for sub in ('bench', 'tools', 'oracle'):
		for src in glob(bld, 'testsuite/%s/*.c' % sub):
			if not needs_ok(bld, src):
				continue
			target = 'testsuite/%s/%s' % (sub, src.name[:-2])
			bld.program(source=[src], target=target,
				    includes=INCLUDES + ['testsuite/' + sub],
				    use=['twcore'] + CORE_LIBS,
				    install_path=None)

	if bld.cmd == 'test':
		bld.add_post_fun(twtest.run_all)


class TestContext(Build.BuildContext):
	'''builds, then runs the unit tests and the tshark oracle'''
	cmd = 'test'
	fun = 'build'
