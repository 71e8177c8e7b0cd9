# SPDX-License-Identifier: GPL-2.0
#
# TTM DMA pool backends: the one entry point. 'make help' lists targets.

SHELL := /bin/bash
.DEFAULT_GOAL := help
S := scripts

ALL_PLATFORMS := $(sort $(basename $(notdir $(wildcard platforms/*.conf))))
PLATFORMS ?= $(ALL_PLATFORMS)

.PHONY: help deps base tree export mbox kernel vm check-series check-mips test check repro mutants clean unit hw-kernel fresh-test

help:
	@echo "make kernel        build the patched test kernels (x86_64, arm64): the main job"
	@echo "make check         every test: series checks, kernels, all VM platforms"
	@echo ""
	@echo "make deps          install the Debian packages the project needs (root)"
	@echo "make base          download and commit the base tree (cache: ~/.cache/ttm-dma)"
	@echo "make tree          build/linux = base + patches/ (FORCE=1 discards unexported work)"
	@echo "make export        regenerate patches/ from build/linux"
	@echo "make mbox          build/series.mbox, for b4 am -m (AUTHOR='Name <mail>': signed by you, for posting; VERSION=N: [PATCH vN])"
	@echo "make check-series  git am, b4 am, checkpatch, every prefix builds, kernel-doc, sparse, W=1"
	@echo "                   (FULL=1: every prefix whole, not only the objects it can break)"
	@echo "make check-mips    the TTM KUnit tests as modules on loongson64 (MIPS, own DMA address translation)"
	@echo "make test          the VM platforms on what 'make kernel' built"
	@echo "make repro         the edu/IGT tests on the unpatched base and on the series: docs/repro.md"
	@echo "make fresh-test    README's two commands in a fresh Debian 12 root (root; an hour; CHECK_ONLY=1)"
	@echo "make unit          the harness's own tests, flake8 and shellcheck (under a minute)"
	@echo "make mutants       each ownership transfer removed in turn must fail a test: docs/mutants.md (LIST=1: the sites)"
	@echo "make bench         pool benchmarks, base vs series, in the VMs: docs/bench.md (BENCH_QUICK=1: a 2-minute subset)"
	@echo "                   (BENCH_KCONFIG=nodebug: kernels without the debug options; BENCH_PROFILE=KIB: perf profiles)"
	@echo "make hw-kernel CONFIG=FILE [ARCH=x86_64|arm64] [FORMAT=deb|tar] [LSMOD=FILE] [CONFIGURE_ONLY=1]"
	@echo "                   a kernel with the series for your own machine (docs/hardware-testing.md)"
	@echo "make hw-tests [ARCH=x86_64|arm64]   the real-GPU tests and hw-test.sh, static: build/hw/tests-ARCH"
	@echo "make vm PLATFORM=NAME [SHELL_VM=1]   one VM (SHELL_VM=1: a shell); NAME is one of:"
	@echo "                   $(ALL_PLATFORMS) (platforms/*.conf)"
	@echo ""
	@echo "KSRC=/path/to/linux applies the series to your own git tree instead of the base."

deps:
	@$(S)/deps.sh

base:
	@$(S)/base.sh

tree:
	@$(S)/tree.sh

export:
	@[ -d build/linux/.git ] || { echo "make export: error: no work tree build/linux (run 'make tree')" >&2; exit 1; }
	@$(S)/series.py export build/linux patches

# AUTHOR="Name <mail>": signed by you, To/Cc from build/linux's get_maintainer.pl
# VERSION=N: subjects [PATCH vN NN/MM], for a repost
mbox:
	@mkdir -p build && $(S)/series.py mbox $(if $(AUTHOR),--author "$$AUTHOR" --maintainers build/linux) \
		$(if $(VERSION),--version "$$VERSION") \
		patches build/series.mbox

kernel:
	@$(S)/make-kernel.sh

vm:
	@[ -n "$(PLATFORM)" ] || { echo "make vm: error: say which: PLATFORM=NAME, one of: $(ALL_PLATFORMS)" >&2; exit 2; }
	@$(S)/vm.sh $(if $(filter 1,$(SHELL_VM)),-i) $(PLATFORM)

check-series:
	@TTM_DMA_FULL=$(FULL) $(S)/check-series.sh >/dev/null

check-mips:
	@$(S)/check-mips.sh

test:
	@$(S)/check.sh --built $(PLATFORMS)

check:
	@$(S)/check.sh $(PLATFORMS)

repro:
	@$(S)/repro.sh

unit:
	@$(S)/tests/unit.sh

mutants:
	@$(S)/mutants.py $(if $(filter 1,$(LIST)),--list)

.PHONY: bench
bench:
	@$(S)/bench.sh

hw-kernel:
	@[ -n "$(CONFIG)" ] || { echo "make hw-kernel: error: say which configuration: CONFIG=/boot/config-\$$(uname -r) (or any kernel .config)" >&2; exit 2; }
	@$(S)/hw-kernel.sh $(if $(ARCH),-a $(ARCH)) $(if $(FORMAT),-f $(FORMAT)) \
		$(if $(LSMOD),-l $(LSMOD)) $(if $(filter 1,$(CONFIGURE_ONLY)),-n) $(CONFIG)

hw-tests:
	@$(S)/hw-tests.sh $(or $(ARCH),x86_64)

# README's two commands in a debootstrapped Debian 12 root, caches empty
fresh-test:
	@$(S)/fresh-test.sh $(if $(filter 1,$(CHECK_ONLY)),-c)

clean:
	rm -rf build/obj build/vm build/guest build/check-series
