package main

import (
	"context"
	"net/http"
)

// telemetry is one telemetry module's hooks into the request path, by
// KrakenD layer: the router (server), the pipe (proxy) and the backend
// (stage and HTTP client).
type telemetry interface {
	server(endpoint string, next http.Handler) http.Handler
	startPipe(ctx context.Context, endpoint string) (context.Context, func())
	startBackend(ctx context.Context, urlPattern string) (context.Context, func())
	// wrap the backend transport (propagation and client spans).
	transport(base http.RoundTripper) http.RoundTripper
	shutdown(ctx context.Context)
}

// The layer every span names in its `oracle.layer` attribute, so the tests
// compare layers without depending on span names.
const layerAttribute = "oracle.layer"

// modules runs every configured module side by side, as KrakenD runs
// OpenCensus and OpenTelemetry when a config holds both blocks.
type modules struct {
	list       []telemetry
	httpClient *http.Client
}

func buildTelemetry(cfg *gatewayConfig, checkOnly bool) (*modules, error) {
	m := &modules{}
	legacy, err := cfg.legacy()
	if err != nil {
		return nil, err
	}
	otel, err := cfg.otel()
	if err != nil {
		return nil, err
	}
	if checkOnly {
		return m, nil
	}
	if legacy != nil {
		t, err := newLegacy(legacy)
		if err != nil {
			return nil, err
		}
		m.list = append(m.list, t)
	}
	if otel != nil {
		t, err := newOtel(cfg, otel)
		if err != nil {
			return nil, err
		}
		m.list = append(m.list, t)
	}
	var rt http.RoundTripper = http.DefaultTransport
	for _, t := range m.list {
		rt = t.transport(rt)
	}
	m.httpClient = &http.Client{Transport: rt}
	return m, nil
}

func (m *modules) server(endpoint string, next http.Handler) http.Handler {
	for i := len(m.list) - 1; i >= 0; i-- {
		next = m.list[i].server(endpoint, next)
	}
	return next
}

func (m *modules) startPipe(ctx context.Context, endpoint string) (context.Context, func()) {
	return m.chain(ctx, func(t telemetry, ctx context.Context) (context.Context, func()) {
		return t.startPipe(ctx, endpoint)
	})
}

func (m *modules) startBackend(ctx context.Context, urlPattern string) (context.Context, func()) {
	return m.chain(ctx, func(t telemetry, ctx context.Context) (context.Context, func()) {
		return t.startBackend(ctx, urlPattern)
	})
}

func (m *modules) chain(ctx context.Context, start func(telemetry, context.Context) (context.Context, func())) (context.Context, func()) {
	var ends []func()
	for _, t := range m.list {
		var end func()
		ctx, end = start(t, ctx)
		ends = append(ends, end)
	}
	return ctx, func() {
		for i := len(ends) - 1; i >= 0; i-- {
			ends[i]()
		}
	}
}

func (m *modules) client() *http.Client { return m.httpClient }

func (m *modules) shutdown(ctx context.Context) {
	for _, t := range m.list {
		t.shutdown(ctx)
	}
}
