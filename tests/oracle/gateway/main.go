// Command gateway is the stand-in for KrakenD CE in oc2otel's oracle tests
// (tests/it/oracle). KrakenD CE v2.13.8 and the modules it is made of
// (lura, krakend-otel, krakend-opencensus) are not served by the Go module
// proxy this project can reach, so the differential and end-to-end tiers run
// a KrakenD config's telemetry here instead, with the real libraries KrakenD
// uses for it: OpenCensus (go.opencensus.io: its probability sampler, the
// ochttp server handler and transport with B3 propagation, the zipkin
// exporter) for `telemetry/opencensus`, and the OpenTelemetry Go SDK (ratio
// and parent-based samplers, OTLP gRPC/HTTP exporters, W3C and B3
// propagators) for `telemetry/opentelemetry`. How a config's keys select
// those library behaviours follows krakend-opencensus and krakend-otel as
// docs/testing.md describes; that wiring is this file's own and is what the
// tests cannot take as independent evidence.
//
// Command line, as KrakenD's: `gateway run -c FILE [-p PORT]`, `gateway check
// -c FILE`. `/__health` answers 200.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// The version the stand-in reports as KrakenD's (the default
// service.version of OpenTelemetry spans), as a KrakenD built with
// `-X ...core.KrakendVersion=2.13.8` does.
const krakendVersion = "2.13.8"

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gateway run|check -c FILE [-p PORT]")
		os.Exit(2)
	}
	flags := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	file := flags.String("c", "", "config file")
	port := flags.Int("p", 0, "port (default: the config's)")
	_ = flags.Parse(os.Args[2:])
	cfg, err := loadConfig(*file)
	if err == nil {
		_, err = buildTelemetry(cfg, true)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "ERROR:", err)
		os.Exit(1)
	}
	switch os.Args[1] {
	case "check":
		fmt.Println("Syntax OK!")
	case "run":
		if *port != 0 {
			cfg.Port = *port
		}
		if err := run(cfg); err != nil {
			fmt.Fprintln(os.Stderr, "ERROR:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown command", os.Args[1])
		os.Exit(2)
	}
}

func run(cfg *gatewayConfig) error {
	tel, err := buildTelemetry(cfg, false)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/__health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	})
	for _, e := range cfg.Endpoints {
		register(mux, e, tel)
	}
	server := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", cfg.Port), Handler: mux}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	errs := make(chan error, 1)
	go func() { errs <- server.ListenAndServe() }()
	select {
	case err := <-errs:
		return err
	case <-stop:
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = server.Shutdown(ctx)
	// Flush every exporter, as KrakenD does on a graceful stop.
	tel.shutdown(ctx)
	return nil
}

// register routes method and path as KrakenD does; a pattern Go's mux
// cannot take (KrakenD's router is gin's) is left out with a log line: the
// tests only call the endpoints they add.
func register(mux *http.ServeMux, e endpointConfig, tel *modules) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "endpoint %s %s not routed: %v\n", e.Method, e.Endpoint, r)
		}
	}()
	method := e.Method
	if method == "" {
		method = http.MethodGet
	}
	mux.Handle(method+" "+e.Endpoint, endpointHandler(e, tel))
}

// endpointHandler proxies to the endpoint's first backend through the
// layers of every telemetry module: router (server), pipe, backend.
func endpointHandler(e endpointConfig, tel *modules) http.Handler {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, endPipe := tel.startPipe(r.Context(), e.Endpoint)
		defer endPipe()
		if len(e.Backend) == 0 || len(e.Backend[0].Host) == 0 {
			w.WriteHeader(http.StatusOK)
			return
		}
		b := e.Backend[0]
		ctx, endBackend := tel.startBackend(ctx, b.URLPattern)
		defer endBackend()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.Host[0]+b.URLPattern, nil)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		resp, err := tel.client().Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
	return tel.server(e.Endpoint, inner)
}
