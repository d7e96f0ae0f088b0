package main

// telemetry/opencensus, as krakend-opencensus wires OpenCensus: one
// process-wide probability sampler of sample_rate/100 (0, the default,
// never samples a root span; OpenCensus samples every child of a sampled
// parent), spans per enabled layer (no enabled_layers: all; present: a
// missing layer is off), B3 headers read by the router and written by the
// backend transport whether or not the request is sampled, and the zipkin
// exporter with its own service name and local endpoint.

import (
	"context"
	"fmt"
	"net/http"

	oczipkin "contrib.go.opencensus.io/exporter/zipkin"
	"github.com/openzipkin/zipkin-go"
	"github.com/openzipkin/zipkin-go/model"
	zipkinhttp "github.com/openzipkin/zipkin-go/reporter/http"
	"go.opencensus.io/plugin/ochttp"
	"go.opencensus.io/plugin/ochttp/propagation/b3"
	"go.opencensus.io/trace"
)

type legacyTelemetry struct {
	router, pipe, backend bool
	closers               []func() error
}

func newLegacy(cfg *legacyConfig) (*legacyTelemetry, error) {
	t := &legacyTelemetry{router: true, pipe: true, backend: true}
	if l := cfg.EnabledLayers; l != nil {
		t.router, t.pipe, t.backend = l.Router, l.Pipe, l.Backend
	}
	trace.ApplyConfig(trace.Config{DefaultSampler: trace.ProbabilitySampler(float64(cfg.SampleRate) / 100)})
	if z := cfg.Exporters.Zipkin; z != nil {
		var endpoint *model.Endpoint
		if e, err := zipkin.NewEndpoint(z.ServiceName, fmt.Sprintf("%s:%d", z.IP, z.Port)); err == nil {
			endpoint = e
		}
		reporter := zipkinhttp.NewReporter(z.CollectorURL)
		trace.RegisterExporter(oczipkin.NewExporter(reporter, endpoint))
		t.closers = append(t.closers, reporter.Close)
	}
	return t, nil
}

func layerAttr(layer string) trace.Attribute {
	return trace.StringAttribute(layerAttribute, layer)
}

func (t *legacyTelemetry) server(endpoint string, next http.Handler) http.Handler {
	if !t.router {
		return next
	}
	tagged := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if span := trace.FromContext(r.Context()); span != nil {
			span.AddAttributes(layerAttr("router"))
		}
		next.ServeHTTP(w, r)
	})
	return &ochttp.Handler{
		Handler:        tagged,
		Propagation:    &b3.HTTPFormat{},
		FormatSpanName: func(*http.Request) string { return endpoint },
		StartOptions:   trace.StartOptions{SpanKind: trace.SpanKindServer},
	}
}

func (t *legacyTelemetry) startPipe(ctx context.Context, endpoint string) (context.Context, func()) {
	if !t.pipe {
		return ctx, func() {}
	}
	ctx, span := trace.StartSpan(ctx, "pipe-"+endpoint)
	span.AddAttributes(layerAttr("pipe"))
	return ctx, span.End
}

func (t *legacyTelemetry) startBackend(ctx context.Context, urlPattern string) (context.Context, func()) {
	if !t.backend {
		return ctx, func() {}
	}
	ctx, span := trace.StartSpan(ctx, "backend-"+urlPattern)
	span.AddAttributes(layerAttr("backend"))
	return ctx, span.End
}

func (t *legacyTelemetry) transport(base http.RoundTripper) http.RoundTripper {
	if !t.backend {
		return base
	}
	return &ochttp.Transport{
		Base:        base,
		Propagation: &b3.HTTPFormat{},
		FormatSpanName: func(r *http.Request) string {
			return r.Method
		},
		StartOptions: trace.StartOptions{SpanKind: trace.SpanKindClient},
	}
}

func (t *legacyTelemetry) shutdown(context.Context) {
	for _, c := range t.closers {
		_ = c()
	}
}
