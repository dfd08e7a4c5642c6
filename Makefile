# Microseg build interface. `make` builds the eBPF objects then the .NET solution;
# `make test` and `make bench` install what they need first (`make deps`).
# Quiet by default; `make V=1` shows every command.

SHELL := /bin/bash
.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

ARTIFACTS   := artifacts
BPF_OUT     := $(ARTIFACTS)/bpf
CONFIG      ?= Release
DOTNET      ?= dotnet
CLANG       ?= clang
ARCH        := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH   := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)

# Debian packages the build and the tests need; `make deps` installs the missing ones.
# The Native AOT link (ILCompiler 10.0) needs clang as the linker driver, binutils' ld, libc6-dev,
# and llvm-objcopy (llvm) to split the symbols into a .dbg file; it needs no zlib1g-dev: the
# runtime's compression library carries zlib-ng unless UseSystemZlib is set.
DEB_PACKAGES := clang llvm libbpf-dev libbpf1 bpftool iproute2 linux-libc-dev gcc libc6-dev binutils \
                pkg-config xdp-tools iputils-ping prometheus graphviz nftables iptables ethtool gnuplot-nox nmap python3

ifeq ($(V),1)
  Q :=
  msg = @true
else
  Q := @
  msg = @printf '  %-8s %s\n' "$(1)" "$(2)"
endif

BPF_SOURCES := $(wildcard bpf/*.bpf.c) $(wildcard tests/bpf/*.bpf.c)
BPF_HEADERS := $(wildcard bpf/include/*.h)
BPF_OBJECTS := $(addprefix $(BPF_OUT)/,$(notdir $(BPF_SOURCES:.bpf.c=.bpf.o)))
BPF_CFLAGS  := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
               -I bpf/include -I /usr/include/$(MULTIARCH)

.PHONY: all deps bpf build native test test-flood test-unit bench bench-datapath bench-policy bench-ringbuf bench-sre demo clean link unlink

all: bpf build native

# Installs whichever of the Debian packages named in $(1) are missing (one apt-get for all).
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "  DEPS     installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))
	@command -v $(DOTNET) >/dev/null || { echo "error: the .NET 10 SDK (dotnet) is not on PATH; install it from Microsoft's packages first" >&2; exit 1; }

# ── Fuzzing (issue 10) ───────────────────────────────────────────────────────────────────
# afl++ drives the SharpFuzz harness (fuzz/Microseg.Fuzz) over the policy and settings
# loaders. `make fuzz FUZZ_SECONDS=1800 FUZZ_TARGET=policy|settings|all` runs a campaign and
# exits non-zero on any crash or hang; `make test` runs a short one per target (FUZZ_TEST_SECONDS
# in tests/run-tests.sh), so it installs afl++ too.
FUZZ_PACKAGES := afl++
FUZZ_SECONDS  ?= 1800
FUZZ_TARGET   ?= all

.PHONY: deps-fuzz fuzz
# make test runs the short campaign (tests/run-tests.sh), so it needs afl++ too.
test: deps-fuzz

deps-fuzz:
	$(call install_missing,$(FUZZ_PACKAGES))

fuzz: deps deps-fuzz
	$(Q)fuzz/run.sh --target $(FUZZ_TARGET) --seconds $(FUZZ_SECONDS)

bpf: $(BPF_OBJECTS)

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HEADERS) | $(BPF_OUT)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT)/%.bpf.o: tests/bpf/%.bpf.c $(BPF_HEADERS) | $(BPF_OUT)
	$(call msg,CLANG,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_OUT):
	$(Q)mkdir -p $@

build: bpf
	$(call msg,DOTNET,build Microseg.sln)
	$(Q)$(DOTNET) build Microseg.sln -c $(CONFIG) --nologo -v quiet -clp:NoSummary $(if $(V),,| grep -E 'error|warn' ; test $${PIPESTATUS[0]} -eq 0)

# ── Native AOT (issue 11) ────────────────────────────────────────────────────────────────
# microsegd and microsegctl as they ship: Native AOT executables (no JIT, no managed runtime)
# in artifacts/native/, published once per `make` and again only when a source changed (each
# takes about three minutes on two cores). Their own intermediate directory, so a `make build`
# beside never races this restore. Trim and AOT warnings are errors (Directory.Build.props).
NATIVE_DIR     := $(ARTIFACTS)/native
NATIVE_TOOLS   := $(NATIVE_DIR)/microsegd $(NATIVE_DIR)/microsegctl
NATIVE_SOURCES := $(shell find src -name '*.cs' -o -name '*.csproj') Directory.Build.props
# The numeric part of the package version (0.1.0 of 0.1.0~git…): what --version prints.
NATIVE_VERSION  = $(firstword $(subst ~, ,$(DEB_VERSION)))

native: $(NATIVE_TOOLS)

# One rule for both (grouped target): the two publishes share the libraries' intermediate files.
$(NATIVE_TOOLS) &: $(NATIVE_SOURCES)
	$(Q)for project in Microseg.Agent Microseg.Cli; do \
	  printf '  %-8s %s\n' PUBLISH "$$project (Native AOT, linux-x64)"; \
	  $(DOTNET) publish src/$$project/$$project.csproj -c Release -r linux-x64 \
	    -p:ArtifactsPath=$(CURDIR)/$(ARTIFACTS)/publish/native-obj -p:GenerateDocumentationFile=false \
	    -p:Version=$(NATIVE_VERSION) -o $(NATIVE_DIR) --nologo -v quiet -clp:NoSummary || exit 1; \
	done
	$(Q)touch $(NATIVE_TOOLS)

# The test runner prints per-assembly results; tests/summarize turns them into the one
# closing line CI reads: "N passed, N failed, N skipped".
test: deps all
	$(Q)tests/run-tests.sh $(CONFIG)

# The two-minute spoofed-source SYN flood (tests marked Category=Long, which `make test` leaves
# out; it runs a 20-second version): pre-flood flow records kept, microsegd under a quarter of a
# core, deny events plus deny summaries equal to the kernel's counters. Prints the rate and CPU.
test-flood: deps all
	$(Q)CI=true $(DOTNET) test tests/Microseg.Agent.Tests/Microseg.Agent.Tests.csproj -c $(CONFIG) --no-build --nologo \
	  --filter "Category=Long&FullyQualifiedName~SpoofedFloodTests" --logger "console;verbosity=detailed"

bench: deps all bench-datapath bench-policy bench-ringbuf bench-sre bench-agent bench-hotpaths

bench-datapath: deps all
	$(Q)mkdir -p $(ARTIFACTS)/bench
	$(Q)$(DOTNET) run --project bench/Microseg.Bench -c $(CONFIG) --no-build -- datapath --out $(ARTIFACTS)/bench/datapath.json

bench-policy: deps all
	$(Q)mkdir -p $(ARTIFACTS)/bench
	$(Q)$(DOTNET) run --project bench/Microseg.Bench -c $(CONFIG) --no-build -- policy --out $(ARTIFACTS)/bench/policy.json

# The reference consumer the C# ring buffer reader is measured against: libbpf's own.
$(ARTIFACTS)/bench-bin/ringbuf_consumer: bench/ringbuf/ringbuf_consumer.c bpf/include/microseg_abi.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)gcc -O2 -Wall -Werror -I bpf/include -o $@ $< -lbpf

bench-ringbuf: deps all $(ARTIFACTS)/bench-bin/ringbuf_consumer
	$(Q)mkdir -p $(ARTIFACTS)/bench
	$(Q)$(DOTNET) run --project bench/Microseg.Bench -c $(CONFIG) --no-build -- ringbuf --out $(ARTIFACTS)/bench/ringbuf.json

# Receive throughput beside nftables, iptables and xdp-filter, on veth pairs in namespaces it
# makes and removes (docs/benchmarks.md); after bench-datapath, whose JSON it charts too.
bench-sre: deps all
	$(Q)mkdir -p $(ARTIFACTS)/bench
	$(Q)$(DOTNET) run --project bench/Microseg.Bench -c $(CONFIG) --no-build -- sre --out-dir $(ARTIFACTS)/bench

# BenchmarkDotNet with MemoryDiagnoser over event decoding and map batch updates.
bench-hotpaths: deps all
	$(Q)mkdir -p $(ARTIFACTS)/bench
	$(Q)$(DOTNET) run --project bench/Microseg.Bench -c $(CONFIG) --no-build -- hotpaths --out $(ARTIFACTS)/bench/hotpaths.json

# The daemon as it ships (Native AOT, artifacts/native) side by side with a self-contained
# ReadyToRun build of the same source (what shipped before issue 11), in interleaved rounds;
# plus microsegctl's offline `policy check` wall time. The ReadyToRun build has its own
# intermediate directory, so a `make build` beside it never races the restore.
AGENT_PUBLISH := $(ARTIFACTS)/publish/agent

bench-agent: deps all
	$(call msg,PUBLISH,microsegd (self-contained, ReadyToRun, for comparison))
	$(Q)$(DOTNET) publish src/Microseg.Agent/Microseg.Agent.csproj -c Release -r linux-x64 --self-contained \
	  -p:PublishAot=false -p:PublishReadyToRun=true -p:ArtifactsPath=$(CURDIR)/$(ARTIFACTS)/publish/dotnet \
	  -p:GenerateDocumentationFile=false -o $(AGENT_PUBLISH) --nologo -v quiet -clp:NoSummary
	$(Q)mkdir -p $(ARTIFACTS)/bench
	$(Q)$(DOTNET) run --project bench/Microseg.Bench -c $(CONFIG) --no-build -- agent --daemon $(NATIVE_DIR)/microsegd \
	  --ready-to-run $(AGENT_PUBLISH)/microsegd --ctl $(NATIVE_DIR)/microsegctl --out $(ARTIFACTS)/bench/agent.json

demo: deps all
	$(Q)CONFIG=$(CONFIG) scripts/demo.sh

clean:
	$(call msg,CLEAN,$(ARTIFACTS))
	$(Q)rm -rf $(ARTIFACTS)

# `make link`: microsegctl and microsegd on PATH from this checkout, as symbolic links in BINDIR
# to the native executables `make` built (artifacts/native/microsegctl and microsegd, what the
# package ships); a later `make` updates what they run. `make unlink`
# removes them, and only links into this checkout. Run from a checkout, microsegd is told where
# its eBPF objects are: --bpf-dir artifacts/bpf (the package puts them in /usr/lib/microseg/bpf).
BINDIR      ?= /usr/local/bin
BUILT_TOOLS := $(CURDIR)/$(NATIVE_DIR)/microsegctl $(CURDIR)/$(NATIVE_DIR)/microsegd

link:
	$(Q)for tool in $(BUILT_TOOLS); do \
	  [ -x "$$tool" ] || { echo "error: $$tool is not built yet: run make first" >&2; exit 1; }; \
	done
	$(Q)mkdir -p $(BINDIR)
	$(Q)for tool in $(BUILT_TOOLS); do \
	  ln -sfn "$$tool" "$(BINDIR)/$${tool##*/}" && printf '  %-8s %s -> %s\n' LINK "$(BINDIR)/$${tool##*/}" "$$tool"; \
	done
	@echo "  NOTE     microsegd from this checkout needs --bpf-dir $(CURDIR)/$(BPF_OUT)"

unlink:
	$(Q)for tool in $(BUILT_TOOLS); do \
	  link="$(BINDIR)/$${tool##*/}"; \
	  if [ "$$(readlink "$$link" 2>/dev/null)" = "$$tool" ]; then rm -f "$$link" && printf '  %-8s %s\n' UNLINK "$$link"; fi; \
	done

# ── Packaging (issue 6) ──────────────────────────────────────────────────────────────────
# `make deb`: artifacts/microseg_<version>_amd64.deb (packaging/build-deb.sh). The version
# counts commits, so a later commit's package upgrades an earlier one's.
# `make test-package`: lintian on the .deb, then the package in a real systemd (PID 1) in a
# systemd-nspawn container on a cached Debian 12 root (tests/package/run.sh). Kept out of
# `make test`: it takes minutes and needs the container tools below.
DEB_VERSION  ?= 0.1.0~git$(shell git rev-list --count HEAD 2>/dev/null || echo 0).g$(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
DEB_FILE     := $(ARTIFACTS)/microseg_$(DEB_VERSION)_amd64.deb
PACKAGE_TEST_PACKAGES := lintian debootstrap systemd-container man-db

.PHONY: deb deps-package test-package

deb: deps bpf native
	$(Q)packaging/build-deb.sh $(DEB_VERSION)

deps-package:
	$(call install_missing,$(PACKAGE_TEST_PACKAGES))

test-package: deps-package deb
	$(Q)tests/package/run.sh $(DEB_FILE)
