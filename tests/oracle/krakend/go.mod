// KrakenD CE v2.13.8, pinned for the oracle tests. The Go module proxy
// reachable here serves no version of github.com/krakend/krakend-ce/v2 (nor
// of lura, krakend-otel or krakend-opencensus), so `go mod tidy` cannot
// write the go.sum that would pin the whole build, and tests/oracle/build.sh
// skips this oracle while go.sum is missing (docs/testing.md). Where the
// proxy serves it, `go mod tidy` here makes go.sum, and build.sh then builds
// the tool with the KrakendVersion ldflag.
module oc2otel.test/oracle/krakend

go 1.25.3

require github.com/krakend/krakend-ce/v2 v2.13.8

tool github.com/krakend/krakend-ce/v2/cmd/krakend-ce
