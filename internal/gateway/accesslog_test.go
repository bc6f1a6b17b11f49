package gateway

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestAccessLogLine(t *testing.T) {
	var buf bytes.Buffer
	l := &accessLog{w: &buf}
	l.write(&accessEntry{
		time: time.Date(2026, 11, 27, 12, 0, 0, 123456789, time.UTC), requestID: "rid", clientIP: netip.MustParseAddr("2001:db8::1"),
		method: "GET", host: "shop.test", path: "/a\"b\\c\n<script>\x00\xff", proto: "HTTP/1.1", status: 200, bytes: 1024,
		duration: 1500 * time.Microsecond, route: "app", upstream: "http://127.0.0.1:3000", userAgent: "curl/8",
	})
	line := buf.String()
	if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
		t.Fatalf("not one line: %q", line)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(line), &got); err != nil {
		t.Fatalf("invalid JSON %q: %v", line, err)
	}
	want := map[string]any{"level": "INFO", "msg": "request", "log": "access", "request_id": "rid", "client_ip": "2001:db8::1",
		"path": "/a\"b\\c\n<script>\x00\ufffd", "status": 200.0, "bytes": 1024.0, "duration_ms": 1.5, "time": "2026-11-27T12:00:00.123456789Z"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	if strings.Contains(line, "<script>") {
		t.Error("angle brackets not escaped")
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "a\"b", "\\", "\x00\x1f\x7f", "\xff\xfe", "héllo", "\u2028\u2029", "<&>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 4096 {
			return
		}
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("appendJSONString(%q) = %s: invalid JSON: %v", s, b, err)
		}
		// Invalid bytes become U+FFFD (one per byte or per run, which
		// encoding/json and strings.ToValidUTF8 count differently).
		want := strings.ToValidUTF8(s, "\ufffd")
		if strings.ReplaceAll(got, "\ufffd", "") != strings.ReplaceAll(want, "\ufffd", "") {
			t.Fatalf("round trip of %q = %q, want %q", s, got, want)
		}
		if bytes.ContainsAny(b[1:len(b)-1], "\n\r<>") {
			t.Fatalf("raw newline or angle bracket in %s", b)
		}
	})
}

func BenchmarkAccessLog(b *testing.B) {
	l := &accessLog{w: ioDiscard{}}
	e := &accessEntry{time: time.Now(), requestID: "5qgsym4x4v6g000000000001", clientIP: netip.MustParseAddr("192.0.2.1"),
		method: "GET", host: "shop.test", path: "/search", proto: "HTTP/1.1", status: 200, bytes: 1024,
		duration: time.Millisecond, route: "app", upstream: "http://127.0.0.1:3000", userAgent: "Mozilla/5.0 (X11; Linux x86_64)"}
	b.ReportAllocs()
	for b.Loop() {
		l.write(e)
	}
}

type ioDiscard struct{}

func (ioDiscard) Write(p []byte) (int, error) { return len(p), nil }
