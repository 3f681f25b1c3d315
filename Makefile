# Spar: `make run` starts a server on embedded defaults; `make test` runs every test.
# Both install the Debian packages they need first (apt-get, as root or through sudo).

SHELL     := /bin/bash
GO        ?= go
TAGS      ?= pocketsphinx,libopus
BIN       := bin/spar
APT_PKGS  := redis-server flite espeak-ng pocketsphinx libpocketsphinx-dev libsphinxbase-dev \
             pocketsphinx-en-us libopus-dev pkg-config gcc sox poppler-utils
# The Dockerfile installs the same packages (TestDockerfilePackages checks it): keep them in step.
# sip-tester installs sipp, the independent SIP caller of the SIP end-to-end test.
TEST_PKGS := chromium firefox-esr sip-tester
TEST_REDIS_DIR := $(CURDIR)/.test-redis

.PHONY: all deps build run test bench agreement fuzz clean help

all: build

help: ## list targets
	@grep -E '^[a-z]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

deps: ## install missing Debian packages (speech engines, redis-server, pdftotext)
	@missing=""; for p in $(APT_PKGS) $(EXTRA_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "==> installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; \
	  else echo "need root or sudo to install:$$missing" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null \
	    || { echo "apt-get install failed for:$$missing" >&2; exit 1; }; \
	else echo "==> Debian packages present"; fi
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/dl/" >&2; exit 1; }

build: deps ## build bin/spar with offline speech
	@echo "==> building $(BIN) (tags: $(TAGS))"
	@$(GO) build -tags '$(TAGS)' -o $(BIN) ./cmd/spar

run: build ## start spar serve on embedded defaults (local redis under ./data unless REDIS_URL is set)
	@exec ./$(BIN) serve

test: EXTRA_PKGS = $(TEST_PKGS)
test: deps ## run every test against a private redis-server, a 3-master Redis Cluster and a Sentinel-watched master+replica (installs chromium and firefox-esr for browser tests, sip-tester for sipp)
	@echo "==> go vet"
	@$(GO) vet -tags '$(TAGS)' ./...
	@echo "==> build without speech libraries (plain go build)"
	@CGO_ENABLED=0 $(GO) build ./...
	@rm -rf $(TEST_REDIS_DIR) && mkdir -p $(TEST_REDIS_DIR)
	@set -e; d=$(TEST_REDIS_DIR); \
	trap 'for f in $$d/*.pid; do [ -f $$f ] && kill $$(cat $$f) 2>/dev/null; done; true' EXIT; \
	free() { p=$$1; while (echo > /dev/tcp/127.0.0.1/$$p) 2>/dev/null || (echo > /dev/tcp/127.0.0.1/$$((p+10000))) 2>/dev/null; \
	  do p=$$((p+1)); done; echo $$p; }; \
	port=$$(free $$(( 20000 + $$$$ % 20000 ))); \
	redis-server --port $$port --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
	  --dir $$d --pidfile $$d/redis.pid --logfile $$d/redis.log; \
	echo "==> redis-server on 127.0.0.1:$$port"; \
	nodes=""; next=$$((port+1)); \
	for i in 1 2 3; do \
	  p=$$(free $$next); next=$$((p+1)); mkdir -p $$d/cluster-$$i; \
	  redis-server --port $$p --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file $$d/cluster-$$i/nodes.conf \
	    --save '' --appendonly no --daemonize yes --dir $$d/cluster-$$i \
	    --pidfile $$d/cluster-$$i.pid --logfile $$d/cluster-$$i.log; \
	  nodes="$$nodes 127.0.0.1:$$p"; \
	done; \
	for n in $$nodes; do for try in $$(seq 100); do redis-cli -h $${n%:*} -p $${n#*:} ping >/dev/null 2>&1 && break; sleep 0.1; done; done; \
	redis-cli --cluster create $$nodes --cluster-replicas 0 --cluster-yes >$$d/cluster-create.log 2>&1 \
	  || { cat $$d/cluster-create.log >&2; exit 1; }; \
	for n in $$nodes; do for try in $$(seq 100); do \
	  redis-cli -h $${n%:*} -p $${n#*:} cluster info | grep -q cluster_state:ok && break; sleep 0.1; done; done; \
	cluster=$$(echo $$nodes | tr ' ' ','); \
	echo "==> redis cluster (3 masters) on $$cluster"; \
	sm=$$(free $$next); sr=$$(free $$((sm+1))); ss=$$(free $$((sr+1))); mkdir -p $$d/sentinel; \
	redis-server --port $$sm --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir $$d/sentinel \
	  --dbfilename m.rdb --pidfile $$d/sentinel-master.pid --logfile $$d/sentinel-master.log; \
	redis-server --port $$sr --bind 127.0.0.1 --save '' --appendonly no --daemonize yes --dir $$d/sentinel \
	  --dbfilename r.rdb --replicaof 127.0.0.1 $$sm --pidfile $$d/sentinel-replica.pid --logfile $$d/sentinel-replica.log; \
	printf 'port %s\nbind 127.0.0.1\ndaemonize yes\ndir %s\npidfile %s\nlogfile %s\nsentinel monitor spar 127.0.0.1 %s 1\nsentinel down-after-milliseconds spar 1000\nsentinel failover-timeout spar 3000\n' \
	  $$ss $$d/sentinel $$d/sentinel.pid $$d/sentinel.log $$sm > $$d/sentinel/sentinel.conf; \
	redis-server $$d/sentinel/sentinel.conf --sentinel; \
	for try in $$(seq 200); do redis-cli -p $$ss sentinel replicas spar 2>/dev/null | grep -q "^$$sr$$" && break; sleep 0.1; done; \
	echo "==> redis master 127.0.0.1:$$sm, replica :$$sr, sentinel :$$ss (master name spar)"; \
	echo "==> go test"; \
	set +e; \
	SPAR_TEST_REDIS_URL=redis://127.0.0.1:$$port/0 SPAR_TEST_REDIS_CLUSTER=$$cluster \
	  SPAR_TEST_REDIS_SENTINEL=127.0.0.1:$$ss/spar \
	  $(GO) test -tags '$(TAGS)' -count=1 -timeout 40m ./...

bench: build ## run the benchmarks (see docs/BENCHMARKS.md); BENCH_ARGS=--search for the capacity search
	@echo "==> hot-path micro-benchmarks"
	@$(GO) test -tags '$(TAGS)' -run '^$$' -bench . -benchmem ./...
	@echo "==> endpointing quality"
	@$(GO) test -tags '$(TAGS)' -count=1 -run '^TestEndpointingReport$$' -v ./cmd/spar/ | grep '|'
	@$(MAKE) --no-print-directory agreement
	@echo "==> spar bench (concurrent simulated calls on 127.0.0.1)"
	@./$(BIN) bench $${BENCH_ARGS:---calls 50}

agreement: ## score the labeled calls and print how far the scorer agrees with trainers (docs/SCORING.md)
	@echo "==> scorer agreement with trainers' labels (tune, held-out and phone-path halves)"
	@$(GO) test -count=1 -run '^(TestLabeledSet|TestAdversarial)$$' ./scoring/ >/dev/null || { \
	  echo "the labeled-set tests fail: go test -run 'TestLabeledSet|TestAdversarial' -v ./scoring/" >&2; exit 1; }
	@cat scoring/testdata/agreement.golden

fuzz: ## fuzz every Fuzz target in the tree for a while each (FUZZTIME, default 30s)
	@$(GO) list -f '{{.Dir}} {{.ImportPath}}' ./... | while read -r dir pkg; do \
	  for t in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | cut -c6-); do \
	    echo "==> $$t ($$pkg)"; \
	    $(GO) test -tags '$(TAGS)' -run '^$$' -fuzz "^$$t$$" -fuzztime $${FUZZTIME:-30s} $$pkg || exit 1; \
	  done; done

clean: ## remove build output and test state
	rm -rf bin $(TEST_REDIS_DIR)
