# container-lab: every entry point.  `make help` lists them.
SHELL   := /bin/bash
CC      ?= cc
CFLAGS  ?= -O2 -g
STEP_CFLAGS := -std=c11 -Wall -Wextra -Werror $(CFLAGS)
ROOTFS  := $(CURDIR)/rootfs/tree
# The stage table, .tools/stages, is the one list of stages: its columns
# say which need the rootfs and which link more than libc.
STAGES  := $(shell awk '!/^\#/ && NF { print $$1 }' .tools/stages)
ROOTFS_STAGES := $(shell awk '!/^\#/ && NF && $$2 == "yes" { print substr($$1, 1, 2) }' .tools/stages)
stage_libs = $(shell awk -v n=$(1) '!/^\#/ && NF && index($$1, n "-") == 1 && $$3 != "-" { print $$3 }' .tools/stages)
NUMS    := $(foreach s,$(STAGES),$(word 1,$(subst -, ,$(s))))

# 03 -> 03-pid; an unknown number stops make with the list of stages.
stage = $(or $(filter $(1)-%,$(STAGES)),$(error no stage "$(1)"; the stages are $(STAGES)))
# The runtime of stage $(1) from $(2) (steps or solutions) into $(3).
# Linked statically: a start then maps one file and loads no shared
# library, which saves about 0.5 ms of a 2 ms container here (make bench),
# and the runtime's peak RSS is smaller.  Every stage links libc, and what
# the stage table's link column adds (07: libseccomp).
build_runtime = $(CC) $(STEP_CFLAGS) -DSTEP_ROOTFS='"$(ROOTFS)"' -o $(3) $(2)/$(call stage,$(1))/runtime.c -static $(call stage_libs,$(1))

# step-NN and friends stay out of .PHONY: make never looks for a pattern
# rule to build a phony target.
.PHONY: help deps rootfs unit test test-vm demo clean progress doctor repair slides slides-check bench runtime

help:
	@echo "container-lab: write a container runtime, one namespace at a time"
	@echo
	@echo "  make step-NN         build your steps/NN-*/runtime.c into ./step"
	@echo "  sudo make check-NN   run stage NN's checks against ./step, then those of 01..NN-1"
	@echo "  make solution-NN     build the reference runtime of stage NN into ./step"
	@echo "  make diff-NN         what stage NN adds to the one before"
	@echo "  sudo make progress   build each of your steps and show which stages pass"
	@echo "  make reset-NN        put steps/NN-*/runtime.c back to its skeleton (asks first)"
	@echo "  make catch-up-NN     start at stage NN: earlier steps become their solutions"
	@echo "  make deep-NN         the deep version of step NN: write the given parts too"
	@echo "  make doctor          can this machine run every stage?"
	@echo "  sudo make repair     put back what an earlier run left on the host"
	@echo "  make rootfs          build the busybox root filesystem (stage 04 on)"
	@echo "  sudo make deps       install what is missing"
	@echo "  make unit            the unit tests (no root needed)"
	@echo "  sudo make test       everything, as CI runs it"
	@echo "  sudo make test-vm    the cgroup v2 checks, in a VM (qemu, a Debian kernel)"
	@echo "  sudo make demo       a short tour of the runtime"
	@echo "  sudo make bench      each stage's start-to-exit time against unshare, bwrap, crun, runc"
	@echo "  make slides          render the deck (slides/out/)"
	@echo "  sudo make class-setup  (lab server) keep a record of each learner's checks"
	@echo "  sudo make class        where every learner is, stuck ones first (ANON=1 hides names)"
	@echo "  sudo make class-page   the same as one HTML page for the projector (build/class/)"
	@echo
	@echo "  stages: $(STAGES)"

deps:
	@.tools/deps.sh

# The fixture is rebuilt only when the script that builds it changes.
rootfs: $(ROOTFS)/.built
$(ROOTFS)/.built: rootfs/build.sh rootfs/sysprobe.c
	@rootfs/build.sh $(ROOTFS)
	@touch $@

# One runtime, for the scripts: make runtime NN=07 FROM=steps OUT=build/x
# (FROM: steps, solutions, or a folder laid out like them, e.g. build/deep)
runtime:
	@$(if $(and $(NN),$(FROM),$(OUT)),,$(error make runtime wants NN=, FROM=steps, solutions or a folder like them, and OUT=))
	@$(call build_runtime,$(NN),$(FROM),$(OUT))

# The host's names before any run: sudo make repair puts them back from
# this copy if a buggy runtime renamed the host.  Made once, never
# overwritten (a later copy could save a name a bug gave).
save_host_names = [ -e .host-names ] || printf 'hostname %s\ndomainname %s\n' "$$(hostname)" "$$(cat /proc/sys/kernel/domainname)" > .host-names

step-%:
	@$(save_host_names)
	@$(if $(filter $*,$(ROOTFS_STAGES)),$(MAKE) --no-print-directory rootfs)
	$(call build_runtime,$*,steps,step)

solution-%:
	@$(save_host_names)
	@$(if $(filter $*,$(ROOTFS_STAGES)),$(MAKE) --no-print-directory rootfs)
	$(call build_runtime,$*,solutions,step)

check-%:
	@$(if $(filter $(word 1,$(subst -, ,$(call stage,$*))),$(ROOTFS_STAGES)),$(MAKE) --no-print-directory rootfs)
	@tests/check.sh $*

# Stage 01's "before" is the base runtime: its skeleton without the TODOs.
diff-%:
	@color=$$([ -t 1 ] && echo always || echo never); \
	new=solutions/$(call stage,$*)/runtime.c; \
	if [ "$*" = 01 ]; then \
	  .tools/skeleton.sh base | diff -u --color=$$color --label base/runtime.c --label $$new - $$new; \
	else \
	  prev=$$(ls -d solutions/$$(printf '%02d' $$((10#$* - 1)))-*); \
	  diff -u --color=$$color $$prev/runtime.c $$new; \
	fi; test $$? -le 1

# Build each of your steps/NN-*/runtime.c and run its own stage's checks,
# in order, stopping at the first that fails.
progress:
	@ROOTFS='$(ROOTFS)' .tools/progress.sh

doctor:
	@.tools/doctor.sh

# Put back what an earlier (buggy) run of this clone left on the host.
repair:
	@.tools/repair.sh

# Both ask y/N on a terminal; FORCE=1 goes ahead without asking.
reset-%:
	@.tools/reset.sh reset $*

catch-up-%:
	@.tools/reset.sh catch-up $*

# The deep version of step NN: its given parts become TODOs too.
deep-%:
	@.tools/reset.sh deep $*

unit:
	@tests/unit/run.sh build/unit

test: deps rootfs
	@tests/run-all.sh

# Start-to-exit latency of every stage against unshare, bwrap, crun and
# runc, containers per second, peak RSS; goals met or missed, never a
# failing test.
bench: rootfs
	@.tools/deps.sh bench
	@.tools/bench.sh

# The cgroup v2 lane: a Debian kernel under qemu, pure cgroup v2, no
# network device.  Part of make test wherever qemu and a kernel are.
test-vm: deps rootfs
	@.tools/deps.sh vm
	@tests/vm/run.sh

demo: deps rootfs
	@slides/demo.sh

# The instructor's deck: slides/out/deck.html and slides/out/deck.pdf.
# Installs chromium, node and npm first when they are missing.
slides:
	@.tools/deps.sh slides
	@slides/build.sh

# Every slide renders, none blank or overflowing, every code excerpt still
# matches its solution; and the check itself can fail.
slides-check:
	@.tools/deps.sh slides
	@slides/check.sh
	@slides/check.sh --self-test >/dev/null

# The room at a glance, on a lab server the learners share: class-setup
# makes the spool where every check-NN and progress records the learner's
# state; class and class-page read it (.tools/class.sh says how).
.PHONY: class-setup class class-page
class-setup:
	@.tools/class.sh setup

class:
	@.tools/class.sh show

class-page:
	@.tools/class.sh page

clean:
	rm -rf build step slides/out
