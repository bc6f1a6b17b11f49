package events

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBusFansOut(t *testing.T) {
	b := NewBus("node-1")
	s1, s2 := b.Subscribe("one", 10), b.Subscribe("two", 10)
	b.Publish(Event{Type: ConfigChanged, Message: "x"})
	for _, s := range []*Subscription{s1, s2} {
		e := <-s.C()
		if e.Type != ConfigChanged || e.ID == "" || e.Time.IsZero() || e.Node != "node-1" {
			t.Errorf("%s got %+v", s.Name(), e)
		}
	}
}

func TestBusNeverBlocks(t *testing.T) {
	b := NewBus("")
	slow := b.Subscribe("slow", 2)
	done := make(chan struct{})
	go func() {
		for i := 0; i < 100; i++ {
			b.Publish(Event{Type: RequestRejected})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a full subscriber")
	}
	if slow.Dropped() != 98 {
		t.Errorf("Dropped = %d, want 98", slow.Dropped())
	}
}

func TestBusClose(t *testing.T) {
	b := NewBus("")
	s := b.Subscribe("s", 4)
	b.Publish(Event{Type: GatewayStarted})
	b.Close()
	b.Publish(Event{Type: GatewayStopping}) // discarded, no panic
	var got []Type
	for e := range s.C() {
		got = append(got, e.Type)
	}
	if len(got) != 1 || got[0] != GatewayStarted {
		t.Errorf("drained %v, want [gateway.started]", got)
	}
	late := b.Subscribe("late", 1)
	if _, ok := <-late.C(); ok {
		t.Error("subscription after Close is open")
	}
	var nilBus *Bus
	nilBus.Publish(Event{}) // a nil bus is a no-op
}

func TestBusConcurrent(t *testing.T) {
	b := NewBus("")
	s := b.Subscribe("s", 10000)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 500; j++ {
				b.Publish(Event{Type: RequestRejected})
			}
		}()
	}
	wg.Wait()
	if n := len(s.C()); n != 4000 {
		t.Errorf("queued %d events, want 4000", n)
	}
}

func TestSeverity(t *testing.T) {
	for s := SeverityInfo; s <= SeverityCritical; s++ {
		got, ok := ParseSeverity(s.String())
		if !ok || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s.String(), got, ok)
		}
	}
	if _, ok := ParseSeverity("bogus"); ok {
		t.Error("ParseSeverity(bogus) ok")
	}
	if Severity(42).String() != "unknown" {
		t.Error("out of range severity")
	}
}

func TestNewIDOrdered(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, b := NewID(t0), NewID(t0.Add(time.Millisecond))
	if len(a) != 32 || a[:12] >= b[:12] {
		t.Errorf("IDs not time ordered: %s %s", a, b)
	}
}

func TestLogSink(t *testing.T) {
	var buf bytes.Buffer
	b := NewBus("n")
	s := b.Subscribe("log", 4)
	b.Publish(Event{Type: RequestSmuggling, Severity: SeverityHigh, RequestID: "r1", ClientIP: "192.0.2.1",
		Message: "ambiguous request framing refused", Details: map[string]string{"anomaly": "cl.te"}})
	b.Close()
	LogSink(context.Background(), s, slog.New(slog.NewJSONHandler(&buf, nil)))
	line := buf.String()
	for _, want := range []string{`"level":"WARN"`, `"type":"request.smuggling"`, `"request_id":"r1"`, `"client_ip":"192.0.2.1"`, `"anomaly":"cl.te"`} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %s: %s", want, line)
		}
	}
}
