package main

// telemetry/opentelemetry, as krakend-otel wires the OpenTelemetry SDK:
// service.name from service_name, else the config's name, else "KrakenD";
// service.version from service_version, else KrakenD's version; a tracer
// provider only when an OTLP exporter carries traces, sampling every trace
// unless 0 < trace_sample_rate < 1, which samples parent-based by trace-id
// ratio; a meter provider pushing every metric_reporting_period seconds
// (default 30) when an exporter carries metrics; propagation from
// OTEL_PROPAGATORS (default tracecontext,baggage), extracted by the global
// layer unless disable_propagation, injected by the backend client only for
// recording spans.

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/propagators/b3"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/metric"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.21.0"
	"go.opentelemetry.io/otel/trace"
	nooptrace "go.opentelemetry.io/otel/trace/noop"
)

type otelTelemetry struct {
	tracer     trace.Tracer
	propagator propagation.TextMapPropagator
	requests   metric.Int64Counter
	duration   metric.Float64Histogram

	globalTraces, globalMetrics, extract bool
	proxyTraces, backendTraces, client   bool
	shutdowns                            []func(context.Context) error
}

func newOtel(cfg *gatewayConfig, o *otelConfig) (*otelTelemetry, error) {
	t := &otelTelemetry{globalTraces: true, globalMetrics: true, extract: true,
		proxyTraces: true, backendTraces: true, client: true}
	t.readLayers(o)
	name := firstNonEmpty(o.ServiceName, cfg.Name, "KrakenD")
	version := firstNonEmpty(o.ServiceVersion, krakendVersion)
	res := resource.NewSchemaless(semconv.ServiceName(name), semconv.ServiceVersion(version))
	t.propagator = propagatorFromEnv()

	var traceOpts []sdktrace.TracerProviderOption
	var metricOpts []sdkmetric.Option
	period := 30
	if o.MetricReportingPeriod != nil {
		period = *o.MetricReportingPeriod
	}
	ctx := context.Background()
	for _, e := range o.Exporters.OTLP {
		endpoint := fmt.Sprintf("%s:%d", e.Host, e.Port)
		if !e.DisableTraces {
			exp, err := traceExporter(ctx, endpoint, e.UseHTTP)
			if err != nil {
				return nil, fmt.Errorf("otlp exporter %s: %w", e.Name, err)
			}
			traceOpts = append(traceOpts, sdktrace.WithBatcher(exp))
		}
		if !e.DisableMetrics {
			exp, err := metricExporter(ctx, endpoint, e.UseHTTP)
			if err != nil {
				return nil, fmt.Errorf("otlp exporter %s: %w", e.Name, err)
			}
			reader := sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(time.Duration(period)*time.Second))
			metricOpts = append(metricOpts, sdkmetric.WithReader(reader))
		}
	}
	t.tracer = nooptrace.NewTracerProvider().Tracer("")
	if len(traceOpts) > 0 {
		sampler := sdktrace.AlwaysSample()
		if r := o.TraceSampleRate; r != nil && *r > 0 && *r < 1 {
			sampler = sdktrace.ParentBased(sdktrace.TraceIDRatioBased(*r))
		}
		traceOpts = append(traceOpts, sdktrace.WithSampler(sampler), sdktrace.WithResource(res))
		tp := sdktrace.NewTracerProvider(traceOpts...)
		t.tracer = tp.Tracer("io.krakend.krakend-otel")
		t.shutdowns = append(t.shutdowns, tp.Shutdown)
	}
	var mp metric.MeterProvider = noopmetric.NewMeterProvider()
	if len(metricOpts) > 0 {
		metricOpts = append(metricOpts, sdkmetric.WithResource(res))
		sdkmp := sdkmetric.NewMeterProvider(metricOpts...)
		t.shutdowns = append(t.shutdowns, sdkmp.Shutdown)
		mp = sdkmp
	}
	meter := mp.Meter("io.krakend.krakend-otel")
	t.requests, _ = meter.Int64Counter("http.server.request.count")
	t.duration, _ = meter.Float64Histogram("http.server.duration", metric.WithUnit("s"))
	return t, nil
}

func (t *otelTelemetry) readLayers(o *otelConfig) {
	if o.Layers == nil {
		return
	}
	if g := o.Layers.Global; g != nil {
		t.globalTraces, t.globalMetrics, t.extract = !g.DisableTraces, !g.DisableMetrics, !g.DisablePropagation
	}
	if p := o.Layers.Proxy; p != nil {
		t.proxyTraces = !p.DisableTraces
	}
	if b := o.Layers.Backend; b != nil && b.Traces != nil {
		t.backendTraces = !b.Traces.DisableStage
		t.client = b.Traces.RoundTrip == nil || *b.Traces.RoundTrip
	}
}

func traceExporter(ctx context.Context, endpoint string, useHTTP bool) (sdktrace.SpanExporter, error) {
	if useHTTP {
		return otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure())
	}
	return otlptracegrpc.New(ctx, otlptracegrpc.WithEndpoint(endpoint), otlptracegrpc.WithInsecure())
}

func metricExporter(ctx context.Context, endpoint string, useHTTP bool) (sdkmetric.Exporter, error) {
	if useHTTP {
		return otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpoint(endpoint), otlpmetrichttp.WithInsecure())
	}
	return otlpmetricgrpc.New(ctx, otlpmetricgrpc.WithEndpoint(endpoint), otlpmetricgrpc.WithInsecure())
}

// propagatorFromEnv reads OTEL_PROPAGATORS as the SDK's autoprop does, for
// the names KrakenD's docs use.
func propagatorFromEnv() propagation.TextMapPropagator {
	names := os.Getenv("OTEL_PROPAGATORS")
	if names == "" {
		names = "tracecontext,baggage"
	}
	var list []propagation.TextMapPropagator
	for _, n := range strings.Split(names, ",") {
		switch strings.TrimSpace(n) {
		case "tracecontext":
			list = append(list, propagation.TraceContext{})
		case "baggage":
			list = append(list, propagation.Baggage{})
		case "b3":
			list = append(list, b3.New())
		case "b3multi":
			list = append(list, b3.New(b3.WithInjectEncoding(b3.B3MultipleHeader)))
		}
	}
	return propagation.NewCompositeTextMapPropagator(list...)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

func (t *otelTelemetry) span(ctx context.Context, on bool, name, layer string, kind trace.SpanKind) (context.Context, func()) {
	if !on {
		return ctx, func() {}
	}
	ctx, span := t.tracer.Start(ctx, name, trace.WithSpanKind(kind),
		trace.WithAttributes(attribute.String(layerAttribute, layer)))
	return ctx, func() { span.End() }
}

func (t *otelTelemetry) server(endpoint string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx := r.Context()
		if t.extract {
			ctx = t.propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
		}
		ctx, end := t.span(ctx, t.globalTraces, endpoint, "router", trace.SpanKindServer)
		next.ServeHTTP(w, r.WithContext(ctx))
		end()
		if t.globalMetrics {
			t.requests.Add(ctx, 1)
			t.duration.Record(ctx, time.Since(start).Seconds())
		}
	})
}

func (t *otelTelemetry) startPipe(ctx context.Context, endpoint string) (context.Context, func()) {
	return t.span(ctx, t.proxyTraces, "proxy-"+endpoint, "pipe", trace.SpanKindInternal)
}

func (t *otelTelemetry) startBackend(ctx context.Context, urlPattern string) (context.Context, func()) {
	return t.span(ctx, t.backendTraces, "backend-"+urlPattern, "backend", trace.SpanKindInternal)
}

func (t *otelTelemetry) transport(base http.RoundTripper) http.RoundTripper {
	if !t.backendTraces || !t.client {
		return base
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		ctx, span := t.tracer.Start(r.Context(), r.Method, trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(attribute.String(layerAttribute, "client")))
		defer span.End()
		r = r.Clone(ctx)
		if span.IsRecording() {
			t.propagator.Inject(ctx, propagation.HeaderCarrier(r.Header))
		}
		return base.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func (t *otelTelemetry) shutdown(ctx context.Context) {
	for _, s := range t.shutdowns {
		_ = s(ctx)
	}
}
