package gateway

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"rampart/internal/events"
)

// Metrics are the gateway's Prometheus collectors.
type Metrics struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	inflight   prometheus.Gauge
	events     *prometheus.CounterVec
	upstreamUp *prometheus.GaugeVec
	rejected   *prometheus.CounterVec

	mu     sync.Mutex
	routes map[string]*routeMetrics
}

// routeMetrics caches a route's children so the hot path does no label
// hashing: one counter per status code, created on first use.
type routeMetrics struct {
	name     string
	duration prometheus.Observer
	codes    [600]atomic.Pointer[prometheus.Counter]
	vec      *prometheus.CounterVec
}

func (rm *routeMetrics) observe(code int, seconds float64) {
	rm.duration.Observe(seconds)
	if code < 0 || code >= len(rm.codes) {
		code = 0
	}
	c := rm.codes[code].Load()
	if c == nil {
		counter := rm.vec.WithLabelValues(rm.name, strconv.Itoa(code))
		c = &counter
		rm.codes[code].Store(c)
	}
	(*c).Inc()
}

// NewMetrics registers the gateway's collectors with reg. bus subscribers
// are reported as dropped-event gauges.
func NewMetrics(reg prometheus.Registerer, bus *events.Bus) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rampart_requests_total", Help: "Requests served, by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "rampart_request_duration_seconds",
			Help:    "Time from the first byte of the request to the end of the response, by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"route"}),
		inflight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rampart_requests_in_flight", Help: "Requests being served now.",
		}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rampart_events_total", Help: "Security events published, by type.",
		}, []string{"type"}),
		upstreamUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rampart_upstream_healthy", Help: "1 when the upstream passes its health checks, else 0.",
		}, []string{"route", "upstream"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rampart_connections_rejected_total", Help: "Requests refused before routing, by reason.",
		}, []string{"reason"}),
		routes: map[string]*routeMetrics{},
	}
	reg.MustRegister(m.requests, m.duration, m.inflight, m.events, m.upstreamUp, m.rejected)
	if bus != nil {
		reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "rampart_events_dropped", Help: "Events that did not fit a subscriber's queue, summed over subscribers.",
		}, func() float64 {
			var n uint64
			for _, s := range bus.Subscriptions() {
				n += s.Dropped()
			}
			return float64(n)
		}))
	}
	return m
}

func (m *Metrics) route(name string) *routeMetrics {
	m.mu.Lock()
	defer m.mu.Unlock()
	if rm, ok := m.routes[name]; ok {
		return rm
	}
	rm := &routeMetrics{name: name, duration: m.duration.WithLabelValues(name), vec: m.requests}
	m.routes[name] = rm
	return rm
}

func (m *Metrics) setUpstream(route, upstream string, healthy bool) {
	if m == nil {
		return
	}
	v := 0.0
	if healthy {
		v = 1
	}
	m.upstreamUp.WithLabelValues(route, upstream).Set(v)
}

// CountEvents increments rampart_events_total for every event of sub until
// its channel closes or ctx ends.
func (m *Metrics) CountEvents(ctx context.Context, sub *events.Subscription) {
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C():
			if !ok {
				return
			}
			m.events.WithLabelValues(string(e.Type)).Inc()
		}
	}
}
