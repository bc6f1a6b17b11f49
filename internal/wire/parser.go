package wire

import (
	"bytes"
	"encoding/binary"
	"math"

	"rampart/internal/request"
)

// anomaly is a framing problem, indexed into anomalyText.
type anomaly uint8

const (
	anomNone anomaly = iota
	anomRequestLine
	anomVersion
	anomH2CPreface
	anomBareCR
	anomHeaderName
	anomSpaceBeforeColon
	anomNoColon
	anomHeaderValue
	anomObsFold
	anomContentLength
	anomDuplicateCL
	anomCLWithTE
	anomDuplicateTE
	anomUnsupportedTE
	anomTEOnHTTP10
	anomChunking
	anomTrailer
	anomTrailerTooLarge
	anomPoisoned
)

var anomalyText = [...]string{
	anomNone:             "",
	anomRequestLine:      "invalid request line",
	anomVersion:          "unsupported http version",
	anomH2CPreface:       "h2c preface",
	anomBareCR:           "bare cr",
	anomHeaderName:       "invalid header name",
	anomSpaceBeforeColon: "whitespace before colon",
	anomNoColon:          "header line without colon",
	anomHeaderValue:      "invalid header value",
	anomObsFold:          "obsolete line folding",
	anomContentLength:    "invalid content-length",
	anomDuplicateCL:      "duplicate content-length",
	anomCLWithTE:         "content-length with transfer-encoding",
	anomDuplicateTE:      "duplicate transfer-encoding",
	anomUnsupportedTE:    "unsupported transfer-encoding",
	anomTEOnHTTP10:       "transfer-encoding on http/1.0",
	anomChunking:         "invalid chunking",
	anomTrailer:          "invalid trailer",
	anomTrailerTooLarge:  "trailer section too large",
	anomPoisoned:         "connection poisoned by earlier anomaly",
}

const (
	// maxQueued bounds the facts queue. net/http reads at most 4 KiB ahead of
	// the request being served, so only a client pipelining dozens of tiny
	// requests at once reaches it; its connection is then poisoned.
	maxQueued = 64
	// maxFramingValue bounds a Content-Length or Transfer-Encoding value,
	// surrounding whitespace included; no honest client comes near it.
	maxFramingValue = 64
	// maxChunkExt bounds the extension of one chunk-size line, like
	// net/http's 4 KiB limit on the whole line.
	maxChunkExt = 4096
	// maxChunkDigits is the most hex digits net/http accepts in a chunk size.
	maxChunkDigits = 16
	// maxLimit keeps the saturated counts within an entry's uint32 fields.
	maxLimit = 1 << 30
)

// Parser states. The head states (request line and header block) count
// bytes; the header-line states are also used for the trailer section.
const (
	sReqStart     uint8 = iota // before a request: skip CR/LF after POST, then begin
	sMethod                    // in the method
	sTarget                    // in the request target
	sVersion                   // in the HTTP version
	sReqLineCR                 // after CR at the end of the request line
	sReqJunk                   // after an anomaly in the request line: skip to LF
	sLineStart                 // at the start of a header or trailer line
	sBlankCR                   // after CR at the start of a line: the end of the block?
	sName                      // in a field name
	sValue                     // in an ordinary field value
	sFramingValue              // in a Content-Length or Transfer-Encoding value
	sValueCR                   // after CR in a field value
	sHeaderJunk                // after an anomaly in a header line: skip to LF
	sBody                      // skipping a Content-Length body
	sChunkSize                 // in the hex digits of a chunk-size line
	sChunkExt                  // in a chunk extension
	sChunkSizeLF               // after CR of a chunk-size line
	sChunkData                 // skipping chunk data
	sChunkDataCR               // expecting CR after chunk data
	sChunkDataLF               // expecting LF after chunk data
	sDead                      // poisoned: the framing is lost, parse nothing more
)

// Kinds of the field being parsed; fieldCL and fieldTE are also the states of
// the name matcher until the colon.
const (
	fieldOther uint8 = iota
	fieldCL
	fieldTE
)

const (
	nameCL = "content-length"
	nameTE = "transfer-encoding"
	teWant = "chunked"
)

// entry is one request's facts as kept in the queue: 16 bytes, so the queue
// of an idle connection costs 1 KiB.
type entry struct {
	anomaly  anomaly
	line     uint32
	hdrBytes uint32
	hdrCount uint32
}

func (e entry) facts() request.WireFacts {
	return request.WireFacts{
		Anomaly:          anomalyText[e.anomaly],
		RequestLineBytes: int(e.line),
		HeaderBytes:      int(e.hdrBytes),
		HeaderCount:      int(e.hdrCount),
		Known:            true,
	}
}

// message is the state of the request being parsed, zeroed at its start.
type message struct {
	anomaly anomaly
	pushed  bool   // the facts are in the queue (or were, and were popped)
	seq     uint64 // sequence number of the facts in the queue, if pushed
	inHead  bool   // in the request line or header block
	trailer bool   // the header-line states are parsing the trailer section

	line     int // request line bytes, saturating at maxLine
	hdrBytes int // header (or trailer) bytes, saturating at maxHdrBytes
	hdrCount int // header (or trailer) fields, saturating at maxHdrCount

	method  [4]byte // the first bytes of the method
	mlen    int     // method length, saturating at len(method)+1
	tfirst  byte    // the first byte of the target
	tlen    int     // target length, saturating at 2
	version [8]byte
	vlen    int // version length, at most len(version)+1
	http10  bool

	field    uint8 // fieldOther, fieldCL or fieldTE
	nameIdx  int   // bytes of nameCL or nameTE matched so far
	valState uint8 // Content-Length: 0 leading OWS, 1 digits, 2 trailing OWS; Transfer-Encoding: bytes of "chunked" matched
	valLen   int
	valNum   uint64

	clCount int // Content-Length fields, saturating at 2
	teCount int // Transfer-Encoding fields, saturating at 2
	cl      uint64

	remaining uint64 // body or chunk bytes still to skip
	digits    int    // hex digits of the chunk size so far
	extLen    int    // chunk extension bytes, saturating at maxChunkExt+1
}

// parser follows the framing of HTTP/1.x requests fed to it in pieces of any
// size, and queues the facts of each request. It is not safe for concurrent
// use; Conn guards it with a mutex.
type parser struct {
	lim                               Limits
	maxLine, maxHdrBytes, maxHdrCount int // saturation points: each limit + 1

	state    uint8
	skipCRLF int // CR or LF bytes still to skip before the next request
	poisoned bool
	m        message

	q      [maxQueued]entry
	qHead  int
	qLen   int
	queued uint64 // entries ever queued: the next sequence number
}

func (p *parser) init(lim Limits) {
	p.lim = lim.withDefaults()
	p.maxLine = p.lim.MaxRequestLine + 1
	p.maxHdrBytes = p.lim.MaxHeaderBytes + 1
	p.maxHdrCount = p.lim.MaxHeaderCount + 1
	p.state = sReqStart
}

// pop returns the facts of the oldest queued request. With the queue empty
// it returns facts carrying anomPoisoned on a poisoned connection, and
// unknown facts otherwise.
func (p *parser) pop() request.WireFacts {
	if p.qLen > 0 {
		e := p.q[p.qHead]
		p.qHead = (p.qHead + 1) % maxQueued
		p.qLen--
		return e.facts()
	}
	if p.poisoned {
		return request.WireFacts{Anomaly: anomalyText[anomPoisoned], Known: true}
	}
	return request.WireFacts{}
}

// record queues the facts of the current request, or updates them if they
// are queued already. A full queue poisons the connection.
func (p *parser) record() {
	e := entry{
		anomaly: p.m.anomaly,
		// Counts saturate at the limits, which are capped at 1 GiB.
		line:     uint32(p.m.line),     // #nosec G115 -- bounded, see above
		hdrBytes: uint32(p.m.hdrBytes), // #nosec G115 -- bounded, see above
		hdrCount: uint32(p.m.hdrCount), // #nosec G115 -- bounded, see above
	}
	if p.m.pushed {
		if idx, ok := p.queueIndex(p.m.seq); ok {
			p.q[idx] = e
		}
		return
	}
	if p.qLen == maxQueued {
		p.poisoned = true
		p.state = sDead
		return
	}
	p.q[(p.qHead+p.qLen)%maxQueued] = e
	p.qLen++
	p.m.pushed = true
	p.m.seq = p.queued
	p.queued++
}

// queueIndex returns where the entry with sequence number seq is, if it has
// not been popped yet.
func (p *parser) queueIndex(seq uint64) (int, bool) {
	popped := p.queued - uint64(p.qLen) // #nosec G115 -- qLen is 0..maxQueued
	if seq < popped || seq >= p.queued {
		return 0, false
	}
	return (p.qHead + int(seq-popped)) % maxQueued, true // #nosec G115 -- seq-popped < maxQueued
}

// fail records anomaly a. In the head of a request, the facts are queued at
// once (so they exist even if the block never ends), parsing goes on in state
// next to keep the counts, and the block's end stops it. In a body the facts
// were queued already and are probably taken: the anomaly is added if they
// were not, and parsing stops.
func (p *parser) fail(a anomaly, next uint8) {
	if p.m.anomaly == anomNone {
		p.m.anomaly = a
	}
	p.poisoned = true
	if !p.m.inHead {
		if idx, ok := p.queueIndex(p.m.seq); ok && p.m.pushed && p.q[idx].anomaly == anomNone {
			p.q[idx].anomaly = p.m.anomaly
		}
		p.state = sDead
		return
	}
	if !p.m.pushed {
		p.record()
		if p.state == sDead {
			return
		}
	}
	p.state = next
}

// failTrailer records a malformed trailer section.
func (p *parser) failTrailer() { p.fail(anomTrailer, sDead) }

// begin starts a new request.
func (p *parser) begin() {
	p.m = message{inHead: true}
	p.skipCRLF = 0
	p.state = sMethod
}

// endRequestLine checks the version once the request line has ended.
func (p *parser) endRequestLine() {
	p.state = sLineStart
	v := p.m.version[:min(p.m.vlen, len(p.m.version))]
	switch {
	case p.m.vlen == 8 && string(v[:7]) == "HTTP/1." && isDigit(v[7]):
		p.m.http10 = v[7] == '0'
	case string(v) == "HTTP/2.0" && p.m.mlen == 3 && string(p.m.method[:3]) == "PRI" && p.m.tlen == 1 && p.m.tfirst == '*':
		p.fail(anomH2CPreface, sLineStart)
	case p.m.vlen == 8 && string(v[:5]) == "HTTP/" && isDigit(v[5]) && v[6] == '.' && isDigit(v[7]):
		p.fail(anomVersion, sLineStart)
	default:
		p.fail(anomRequestLine, sLineStart)
	}
}

// nameStart begins a field name whose first byte is c.
func (p *parser) nameStart(c byte) {
	p.m.hdrCount = min(p.m.hdrCount+1, p.maxHdrCount)
	p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
	p.m.nameIdx = 1
	switch c | 0x20 {
	case nameCL[0]:
		p.m.field = fieldCL
	case nameTE[0]:
		p.m.field = fieldTE
	default:
		p.m.field = fieldOther
	}
	p.state = sName
	if p.m.trailer && p.m.hdrCount > p.lim.MaxHeaderCount {
		p.fail(anomTrailerTooLarge, sDead)
	}
}

// endName handles the colon after a field name.
func (p *parser) endName() {
	switch {
	case p.m.field == fieldCL && p.m.nameIdx == len(nameCL):
	case p.m.field == fieldTE && p.m.nameIdx == len(nameTE):
	default:
		p.m.field = fieldOther
	}
	p.m.valState, p.m.valLen, p.m.valNum = 0, 0, 0
	switch p.m.field {
	case fieldOther:
		p.state = sValue
		return
	case fieldCL:
		p.m.clCount = min(p.m.clCount+1, 2)
	case fieldTE:
		p.m.teCount = min(p.m.teCount+1, 2)
	}
	p.state = sFramingValue
	switch {
	case p.m.trailer:
		p.failTrailer()
	case p.m.clCount > 1 && p.m.field == fieldCL:
		p.fail(anomDuplicateCL, sHeaderJunk)
	case p.m.teCount > 1 && p.m.field == fieldTE:
		p.fail(anomDuplicateTE, sHeaderJunk)
	case p.m.http10 && p.m.field == fieldTE:
		p.fail(anomTEOnHTTP10, sHeaderJunk)
	}
}

// framingByte feeds byte c of a Content-Length or Transfer-Encoding value
// (already known to be a valid value byte) to its small parser.
func (p *parser) framingByte(c byte) anomaly {
	p.m.valLen++
	ows := c == ' ' || c == '\t'
	if p.m.field == fieldCL {
		if p.m.valLen > maxFramingValue {
			return anomContentLength
		}
		switch {
		case c == ',':
			return anomDuplicateCL
		case isDigit(c) && p.m.valState < 2:
			d := uint64(c - '0')
			if p.m.valNum > (math.MaxInt64-d)/10 {
				return anomContentLength
			}
			p.m.valNum = p.m.valNum*10 + d
			p.m.valState = 1
		case ows && p.m.valState == 1:
			p.m.valState = 2
		case ows:
		default:
			return anomContentLength
		}
		return anomNone
	}
	if p.m.valLen > maxFramingValue {
		return anomUnsupportedTE
	}
	switch s := int(p.m.valState); {
	case ows && (s == 0 || s == len(teWant)):
		// Leading or trailing OWS: net/http trims it too.
	case s < len(teWant) && c|0x20 == teWant[s]:
		p.m.valState++
	default:
		return anomUnsupportedTE
	}
	return anomNone
}

// endLine ends a header or trailer line whose LF was just consumed.
func (p *parser) endLine() {
	p.state = sLineStart
	if p.m.trailer {
		if p.m.hdrBytes > p.lim.MaxHeaderBytes {
			p.fail(anomTrailerTooLarge, sDead)
		}
		return
	}
	switch p.m.field {
	case fieldCL:
		if p.m.valState == 0 {
			p.fail(anomContentLength, sLineStart)
			return
		}
		p.m.cl = p.m.valNum
	case fieldTE:
		if int(p.m.valState) != len(teWant) {
			p.fail(anomUnsupportedTE, sLineStart)
		}
	}
}

// endHead ends the header block, whose final LF was just consumed.
func (p *parser) endHead() {
	if p.m.anomaly == anomNone && p.m.clCount > 0 && p.m.teCount > 0 {
		p.m.anomaly = anomCLWithTE
	}
	p.record()
	p.m.inHead = false
	if p.m.anomaly != anomNone {
		p.poisoned = true
		p.state = sDead
	}
	if p.state == sDead {
		return
	}
	switch {
	case p.m.teCount > 0:
		p.state = sChunkSize
	case p.m.cl > 0:
		p.m.remaining = p.m.cl
		p.state = sBody
	default:
		p.endRequest()
	}
}

// endRequest ends a request after its body. Like net/http, up to four CR or
// LF bytes after a POST request are skipped.
func (p *parser) endRequest() {
	p.state = sReqStart
	p.skipCRLF = 0
	if p.m.mlen == 4 && string(p.m.method[:]) == "POST" {
		p.skipCRLF = 4
	}
}

// feed parses b, the next bytes of the connection. Each state consumes as
// many bytes as it can in a tight loop over b before the switch runs again.
func (p *parser) feed(b []byte) {
	n := len(b)
	i := 0
	for i < n {
		switch p.state {
		case sDead:
			return

		case sReqStart:
			if c := b[i]; p.skipCRLF > 0 && (c == '\r' || c == '\n') {
				p.skipCRLF--
				i++
				continue
			}
			p.begin()

		case sMethod:
			i0 := i
			for i < n && isTchar[b[i]] {
				i++
			}
			if p.m.mlen < len(p.m.method) {
				copy(p.m.method[p.m.mlen:], b[i0:i])
			}
			p.m.mlen = min(p.m.mlen+i-i0, len(p.m.method)+1)
			p.m.line = min(p.m.line+i-i0, p.maxLine)
			if i == n {
				continue
			}
			if b[i] == ' ' && p.m.mlen > 0 {
				i++
				p.m.line = min(p.m.line+1, p.maxLine)
				p.state = sTarget
				continue
			}
			p.fail(anomRequestLine, sReqJunk)

		case sTarget:
			i0 := i
			for i+8 <= n && !hasCTLSpaceOrDEL(binary.LittleEndian.Uint64(b[i:])) {
				i += 8
			}
			for i < n && isTargetByte[b[i]] {
				i++
			}
			if i > i0 && p.m.tlen == 0 {
				p.m.tfirst = b[i0]
			}
			p.m.tlen = min(p.m.tlen+i-i0, 2)
			p.m.line = min(p.m.line+i-i0, p.maxLine)
			if i == n {
				continue
			}
			if b[i] == ' ' && p.m.tlen > 0 {
				i++
				p.m.line = min(p.m.line+1, p.maxLine)
				p.state = sVersion
				continue
			}
			p.fail(anomRequestLine, sReqJunk)

		case sVersion:
			// Scan no further than one byte past a full version, so that
			// a version too long fails at the same byte however the input
			// is split.
			i0 := i
			end := min(n, i+len(p.m.version)+1-p.m.vlen)
			for i < end && b[i] != '\r' && b[i] != '\n' {
				i++
			}
			copy(p.m.version[p.m.vlen:], b[i0:i])
			p.m.vlen += i - i0
			p.m.line = min(p.m.line+i-i0, p.maxLine)
			if p.m.vlen > len(p.m.version) {
				p.fail(anomRequestLine, sReqJunk)
				continue
			}
			if i == n {
				continue
			}
			if b[i] == '\r' {
				i++
				p.state = sReqLineCR
				continue
			}
			i++
			p.endRequestLine()

		case sReqLineCR:
			if b[i] == '\n' {
				i++
				p.endRequestLine()
				continue
			}
			p.m.line = min(p.m.line+1, p.maxLine) // the CR
			p.fail(anomBareCR, sReqJunk)

		case sReqJunk:
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				p.m.line = min(p.m.line+n-i, p.maxLine)
				i = n
				continue
			}
			p.m.line = min(p.m.line+j, p.maxLine)
			i += j + 1
			p.state = sLineStart

		case sLineStart:
			switch c := b[i]; {
			case isTchar[c] && !p.m.trailer && c|0x20 != nameCL[0] && c|0x20 != nameTE[0]:
				// The common case of nameStart, without a call.
				i++
				p.m.hdrCount = min(p.m.hdrCount+1, p.maxHdrCount)
				p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
				p.m.field = fieldOther
				p.state = sName
			case isTchar[c]:
				i++
				p.nameStart(c)
			case c == '\r':
				i++
				p.state = sBlankCR
			case c == '\n':
				if p.m.trailer {
					p.failTrailer()
					continue
				}
				i++
				p.endHead()
			case c == ' ' || c == '\t':
				if p.m.trailer {
					p.failTrailer()
					continue
				}
				p.fail(anomObsFold, sHeaderJunk)
			default:
				if p.m.trailer {
					p.failTrailer()
					continue
				}
				p.fail(anomHeaderName, sHeaderJunk)
			}

		case sBlankCR:
			if b[i] == '\n' {
				i++
				if p.m.trailer {
					p.endRequest()
				} else {
					p.endHead()
				}
				continue
			}
			if p.m.trailer {
				p.failTrailer()
				continue
			}
			p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes) // the CR
			p.fail(anomBareCR, sHeaderJunk)

		case sName:
			i0 := i
			if p.m.field != fieldOther {
				want := nameCL
				if p.m.field == fieldTE {
					want = nameTE
				}
				k := p.m.nameIdx
				for i < n && k < len(want) && b[i]|0x20 == want[k] {
					k++
					i++
				}
				p.m.nameIdx = k
				if i < n && isTchar[b[i]] {
					p.m.field = fieldOther
				}
			}
			for i < n && isTchar[b[i]] {
				i++
			}
			p.m.hdrBytes = min(p.m.hdrBytes+i-i0, p.maxHdrBytes)
			if i == n {
				continue
			}
			c := b[i]
			if c == ':' {
				i++
				p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
				if p.m.field == fieldOther {
					p.state = sValue // the common case, without a call
					continue
				}
				p.endName()
				continue
			}
			a := anomHeaderName
			switch c {
			case ' ', '\t':
				a = anomSpaceBeforeColon
			case '\r', '\n':
				a = anomNoColon
			}
			if p.m.trailer {
				p.failTrailer()
				continue
			}
			p.fail(a, sHeaderJunk)

		case sValue:
			i0 := i
			for i+8 <= n && !hasCTLOrDEL(binary.LittleEndian.Uint64(b[i:])) {
				i += 8
			}
			for i < n && isValueByte[b[i]] {
				i++
			}
			if i < n && b[i] == '\r' && i+1 < n && b[i+1] == '\n' {
				// The usual end of a line, without a trip through sValueCR.
				i += 2
				p.m.hdrBytes = min(p.m.hdrBytes+i-i0, p.maxHdrBytes)
				if p.m.field == fieldOther && !p.m.trailer {
					p.state = sLineStart // the common case of endLine
					continue
				}
				p.endLine()
				continue
			}
			p.m.hdrBytes = min(p.m.hdrBytes+i-i0, p.maxHdrBytes)
			if p.m.trailer && p.m.hdrBytes > p.lim.MaxHeaderBytes {
				p.fail(anomTrailerTooLarge, sDead)
				continue
			}
			if i == n {
				continue
			}
			p.valueEnd(b[i])
			i++

		case sFramingValue:
			i0 := i
			a := anomNone
			for i < n && isValueByte[b[i]] {
				if a = p.framingByte(b[i]); a != anomNone {
					break
				}
				i++
			}
			p.m.hdrBytes = min(p.m.hdrBytes+i-i0, p.maxHdrBytes)
			if a != anomNone {
				p.fail(a, sHeaderJunk)
				continue
			}
			if i == n {
				continue
			}
			p.valueEnd(b[i])
			i++

		case sValueCR:
			if b[i] == '\n' {
				i++
				p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
				p.endLine()
				continue
			}
			if p.m.trailer {
				p.failTrailer()
				continue
			}
			p.fail(anomBareCR, sHeaderJunk)

		case sHeaderJunk:
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				p.m.hdrBytes = min(p.m.hdrBytes+n-i, p.maxHdrBytes)
				i = n
				continue
			}
			p.m.hdrBytes = min(p.m.hdrBytes+j+1, p.maxHdrBytes)
			i += j + 1
			p.state = sLineStart

		case sBody, sChunkData:
			k := uint64(n - i) // #nosec G115 -- i <= n
			if k > p.m.remaining {
				k = p.m.remaining
			}
			i += int(k) // #nosec G115 -- k <= n-i
			p.m.remaining -= k
			if p.m.remaining > 0 {
				continue
			}
			if p.state == sBody {
				p.endRequest()
			} else {
				p.state = sChunkDataCR
			}

		case sChunkSize:
			for i < n {
				d := unhex[b[i]]
				if d > 0xf {
					break
				}
				if p.m.digits == maxChunkDigits || p.m.remaining > (math.MaxInt64-uint64(d))>>4 {
					p.fail(anomChunking, sDead)
					break
				}
				p.m.remaining = p.m.remaining<<4 | uint64(d)
				p.m.digits++
				i++
			}
			if i == n || p.state == sDead {
				continue
			}
			switch {
			case p.m.digits == 0:
				p.fail(anomChunking, sDead)
			case b[i] == ';':
				i++
				p.state = sChunkExt
			case b[i] == '\r':
				i++
				p.state = sChunkSizeLF
			default:
				p.fail(anomChunking, sDead)
			}

		case sChunkExt:
			i0 := i
			for i < n && isValueByte[b[i]] {
				i++
			}
			p.m.extLen = min(p.m.extLen+i-i0, maxChunkExt+1)
			switch {
			case p.m.extLen > maxChunkExt:
				p.fail(anomChunking, sDead)
			case i == n:
			case b[i] == '\r':
				i++
				p.state = sChunkSizeLF
			default:
				p.fail(anomChunking, sDead)
			}

		case sChunkSizeLF:
			if b[i] != '\n' {
				p.fail(anomChunking, sDead)
				continue
			}
			i++
			p.m.digits, p.m.extLen = 0, 0
			if p.m.remaining > 0 {
				p.state = sChunkData
				continue
			}
			// The last chunk: the trailer section follows, counted afresh
			// in the header fields, whose values are in the queue already.
			p.m.trailer = true
			p.m.hdrBytes, p.m.hdrCount = 0, 0
			p.state = sLineStart

		case sChunkDataCR:
			if b[i] != '\r' {
				p.fail(anomChunking, sDead)
				continue
			}
			i++
			p.state = sChunkDataLF

		case sChunkDataLF:
			if b[i] != '\n' {
				p.fail(anomChunking, sDead)
				continue
			}
			i++
			p.state = sChunkSize
		}
	}
}

// valueEnd consumes byte c, which stopped the scan of a field value.
func (p *parser) valueEnd(c byte) {
	switch {
	case c == '\r':
		p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
		p.state = sValueCR
	case c == '\n' && p.m.trailer:
		p.failTrailer()
	case c == '\n':
		p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
		p.endLine()
	case p.m.trailer:
		p.failTrailer()
	default:
		p.m.hdrBytes = min(p.m.hdrBytes+1, p.maxHdrBytes)
		p.fail(anomHeaderValue, sHeaderJunk)
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Eight bytes at a time: the tests are exact as booleans (the borrows of the
// subtractions can only flag bytes after one that really matches).
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// hasCTLOrDEL reports whether w holds a byte below 0x20 or equal to 0x7f,
// the bytes that stop a field value (HTAB among them, sorted out bytewise).
func hasCTLOrDEL(w uint64) bool {
	d := w ^ (lsb * 0x7f)
	return ((w-lsb*0x20)&^w|(d-lsb)&^d)&msb != 0
}

// hasCTLSpaceOrDEL reports whether w holds a byte below 0x21 or equal to
// 0x7f, the bytes that stop a request target.
func hasCTLSpaceOrDEL(w uint64) bool {
	d := w ^ (lsb * 0x7f)
	return ((w-lsb*0x21)&^w|(d-lsb)&^d)&msb != 0
}

// Byte classes, as lookup tables so the scanning loops stay branch-light.
var (
	// isTchar: RFC 9110 tchar, the bytes of a method or field name.
	isTchar = byteClass(func(c byte) bool {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) ||
			bytes.IndexByte([]byte("!#$%&'*+-.^_`|~"), c) >= 0
	})
	// isTargetByte: visible ASCII and obs-text, as net/http lets through.
	isTargetByte = byteClass(func(c byte) bool { return c > ' ' && c != 0x7f })
	// isValueByte: field-content, HTAB, SP, VCHAR and obs-text; no CTLs.
	isValueByte = byteClass(func(c byte) bool { return c == '\t' || c >= ' ' && c != 0x7f })
	// unhex: the value of a hex digit, or 0xff.
	unhex = func() (t [256]byte) {
		for i := range t {
			c := byte(i)
			switch {
			case isDigit(c):
				t[i] = c - '0'
			case 'a' <= c && c <= 'f':
				t[i] = c - 'a' + 10
			case 'A' <= c && c <= 'F':
				t[i] = c - 'A' + 10
			default:
				t[i] = 0xff
			}
		}
		return t
	}()
)

func byteClass(f func(c byte) bool) (t [256]bool) {
	for i := range t {
		t[i] = f(byte(i))
	}
	return t
}
