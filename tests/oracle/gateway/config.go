package main

// The part of a KrakenD config the stand-in reads. Go's encoding/json
// matches keys case-insensitively and lets the last duplicate win, as
// KrakenD's own decoding of these blocks did.

import (
	"encoding/json"
	"fmt"
	"os"
)

const (
	legacyKey   = "telemetry/opencensus"
	legacyV1Key = "github_com/devopsfaith/krakend-opencensus"
	otelKey     = "telemetry/opentelemetry"
)

type gatewayConfig struct {
	Version     int                        `json:"version"`
	Name        string                     `json:"name"`
	Port        int                        `json:"port"`
	ExtraConfig map[string]json.RawMessage `json:"extra_config"`
	Endpoints   []endpointConfig           `json:"endpoints"`
}

type endpointConfig struct {
	Endpoint string          `json:"endpoint"`
	Method   string          `json:"method"`
	Backend  []backendConfig `json:"backend"`
}

type backendConfig struct {
	Host       []string `json:"host"`
	URLPattern string   `json:"url_pattern"`
}

// krakend-opencensus' Config (the fields that decide traces).
type legacyConfig struct {
	SampleRate      int `json:"sample_rate"`
	ReportingPeriod int `json:"reporting_period"`
	EnabledLayers   *struct {
		Router  bool `json:"router"`
		Pipe    bool `json:"pipe"`
		Backend bool `json:"backend"`
	} `json:"enabled_layers"`
	Exporters struct {
		Zipkin *struct {
			CollectorURL string `json:"collector_url"`
			ServiceName  string `json:"service_name"`
			IP           string `json:"ip"`
			Port         int    `json:"port"`
		} `json:"zipkin"`
	} `json:"exporters"`
}

// krakend-otel's ConfigData (the fields that decide traces and metrics).
type otelConfig struct {
	ServiceName           string   `json:"service_name"`
	ServiceVersion        string   `json:"service_version"`
	MetricReportingPeriod *int     `json:"metric_reporting_period"`
	TraceSampleRate       *float64 `json:"trace_sample_rate"`
	Layers                *struct {
		Global *struct {
			DisableMetrics     bool `json:"disable_metrics"`
			DisableTraces      bool `json:"disable_traces"`
			DisablePropagation bool `json:"disable_propagation"`
		} `json:"global"`
		Proxy *struct {
			DisableMetrics bool `json:"disable_metrics"`
			DisableTraces  bool `json:"disable_traces"`
		} `json:"proxy"`
		Backend *struct {
			Metrics *struct {
				DisableStage bool `json:"disable_stage"`
			} `json:"metrics"`
			Traces *struct {
				DisableStage bool  `json:"disable_stage"`
				RoundTrip    *bool `json:"round_trip"`
			} `json:"traces"`
		} `json:"backend"`
	} `json:"layers"`
	Exporters struct {
		OTLP []struct {
			Name           string `json:"name"`
			Host           string `json:"host"`
			Port           int    `json:"port"`
			UseHTTP        bool   `json:"use_http"`
			DisableMetrics bool   `json:"disable_metrics"`
			DisableTraces  bool   `json:"disable_traces"`
		} `json:"otlp"`
	} `json:"exporters"`
}

func loadConfig(path string) (*gatewayConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg gatewayConfig
	if err := json.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	if cfg.Version != 3 {
		return nil, fmt.Errorf("unsupported config version %d", cfg.Version)
	}
	return &cfg, nil
}

// The legacy block, from either key; KrakenD renames the v1 key onto the v2
// one, so the v2 key wins when both are present.
func (c *gatewayConfig) legacy() (*legacyConfig, error) {
	raw, ok := c.ExtraConfig[legacyKey]
	if !ok {
		raw, ok = c.ExtraConfig[legacyV1Key]
	}
	if !ok {
		return nil, nil
	}
	var l legacyConfig
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("%s: %w", legacyKey, err)
	}
	return &l, nil
}

func (c *gatewayConfig) otel() (*otelConfig, error) {
	raw, ok := c.ExtraConfig[otelKey]
	if !ok {
		return nil, nil
	}
	var o otelConfig
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("%s: %w", otelKey, err)
	}
	return &o, nil
}
