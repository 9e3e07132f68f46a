# tdbwins — a thin make front end for waf, in the shape of talloc, tevent
# and tdb:  ./configure && make && make test
#
# "make" and "make test" also work without ./configure: waf configures by
# itself when it has not been configured yet (wscript: Configure.autoconfig).
#
#   make            build everything (build/)
#   make test       build, run the unit tests and the tshark oracle
#   make valgrind   the unit tests under valgrind
#   make integration  unit tests + testsuite/integration/run.sh (root)
#   make fuzz       libFuzzer smoke run, FUZZ_SECONDS per target (60)
#   make install / uninstall / clean / distclean
#   make V=1        show compiler command lines

PYTHON ?= python3
WAF = $(PYTHON) ./waf
ifeq ($(V),1)
WAF_VERBOSE = -v
endif
FUZZ_SECONDS ?= 60

all: build

build:
	$(WAF) build $(WAF_VERBOSE)

test check:
	$(WAF) test $(WAF_VERBOSE)

valgrind:
	$(WAF) test --valgrind $(WAF_VERBOSE)

integration:
	$(WAF) test --integration $(WAF_VERBOSE)

fuzz:
	testsuite/fuzz/run.sh $(FUZZ_SECONDS)

install:
	$(WAF) install $(WAF_VERBOSE) $(if $(DESTDIR),--destdir=$(DESTDIR))

uninstall:
	$(WAF) uninstall $(WAF_VERBOSE)

clean:
	$(WAF) clean

distclean:
	$(WAF) distclean

.PHONY: all build test check valgrind integration fuzz install uninstall \
	clean distclean
