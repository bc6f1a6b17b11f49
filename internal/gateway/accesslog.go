package gateway

import (
	"io"
	"net/netip"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// accessLog writes one JSON line per request. It is hand-rolled rather than
// a slog handler because it runs on every request: one pooled buffer, no
// reflection, no allocation. Lines have the shape slog's JSON handler gives
// the other logs ("time", "level", "msg", "log", then the fields).
type accessLog struct {
	w io.Writer
}

var lineBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// accessEntry is what one line records.
type accessEntry struct {
	time      time.Time
	requestID string
	clientIP  netip.Addr
	method    string
	host      string
	path      string
	proto     string
	status    int
	bytes     int64
	duration  time.Duration
	route     string
	upstream  string
	userAgent string
}

func (l *accessLog) write(e *accessEntry) {
	bp := lineBufs.Get().(*[]byte)
	b := (*bp)[:0]
	b = append(b, `{"time":"`...)
	b = e.time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","log":"access","request_id":`...)
	b = appendJSONString(b, e.requestID)
	b = append(b, `,"client_ip":"`...)
	if e.clientIP.IsValid() {
		b = e.clientIP.AppendTo(b) // digits, dots and colons: nothing to escape
	}
	b = append(b, '"')
	b = append(b, `,"method":`...)
	b = appendJSONString(b, e.method)
	b = append(b, `,"host":`...)
	b = appendJSONString(b, truncate(e.host, 256))
	b = append(b, `,"path":`...)
	b = appendJSONString(b, truncate(e.path, 512))
	b = append(b, `,"proto":`...)
	b = appendJSONString(b, e.proto)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.bytes, 10)
	b = append(b, `,"duration_ms":`...)
	b = strconv.AppendFloat(b, float64(e.duration.Microseconds())/1000, 'f', -1, 64)
	b = append(b, `,"route":`...)
	b = appendJSONString(b, e.route)
	b = append(b, `,"upstream":`...)
	b = appendJSONString(b, e.upstream)
	b = append(b, `,"user_agent":`...)
	b = appendJSONString(b, truncate(e.userAgent, 256))
	b = append(b, "}\n"...)
	_, _ = l.w.Write(b)
	if cap(b) <= 64<<10 {
		*bp = b
		lineBufs.Put(bp)
	}
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string. Control characters, quotes,
// backslashes, '<', '>' and '&' are escaped; invalid UTF-8 becomes U+FFFD,
// so a hostile path or user agent cannot break or inject into the log line.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' && c != 0x7f {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
