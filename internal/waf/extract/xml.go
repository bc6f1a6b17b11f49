package extract

import (
	"bytes"
	"encoding/xml"
	"io"

	"rampart/internal/waf/detect"
)

// xml adds the text and attribute values of an XML body as KindXML
// targets located at xml:/a/b and xml:/a/b/@attr, processing instructions
// at xml:?target, and markup declarations (a DOCTYPE with its internal
// subset) at xml:doctype, which also set Facts.XMLDoctype and, with
// ENTITY, SYSTEM or PUBLIC in them, Facts.XMLExternal. The parser is
// lenient (encoding/xml without Strict) and expands nothing: only XML's
// five predefined entities are replaced, others stay as written, and no
// DTD is read. A syntax error, an unclosed element or no element at all
// makes the body malformed.
func (x *extractor) xml(body []byte) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.Entity = map[string]string{}
	d.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	var (
		path      = make([]byte, 0, 64)
		marks     []int
		names     []string
		depth     int
		roots     int
		malformed bool
	)
	for !x.full() {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			x.malformed(body)
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
			if depth > x.depth {
				x.facts.TooDeep = true
			} else {
				marks = append(marks, len(path))
				names = append(names, t.Name.Local)
				if n := len(t.Name.Space) + len(t.Name.Local) + 2; len(path)+n <= maxLoc {
					path = append(path, '/')
					path = appendQName(path, t.Name)
				}
			}
			if includeElement(t.Name.Local) && !x.full() {
				// XInclude and schema include/import elements fetch
				// what they name: the element itself goes to the XXE
				// detector, which judges the tag, not only its values.
				start := x.sb.Len()
				x.sb.WriteByte('<')
				x.sb.WriteString(qname(t.Name))
				for _, a := range t.Attr {
					x.sb.WriteByte(' ')
					x.sb.WriteString(qname(a.Name))
					x.sb.WriteString(`="`)
					x.sb.WriteString(a.Value)
					x.sb.WriteByte('"')
				}
				x.sb.WriteString("/>")
				tag := x.sb.String()[start:]
				x.add(detect.KindXML, t.Name.Local, x.locBytes("xml", path), tag)
			}
			for _, a := range t.Attr {
				if a.Value == "" || x.full() {
					continue
				}
				start := x.sb.Len()
				x.sb.WriteString("xml:")
				x.sb.Write(path)
				x.sb.WriteString("/@")
				x.sb.WriteString(qname(a.Name))
				x.add(detect.KindXML, a.Name.Local, x.sb.String()[start:], a.Value)
			}
		case xml.EndElement:
			if depth == 0 {
				malformed = true
				continue
			}
			if depth <= x.depth {
				path = path[:marks[depth-1]]
				marks, names = marks[:depth-1], names[:depth-1]
			}
			depth--
		case xml.CharData:
			if len(bytes.TrimSpace(t)) == 0 {
				continue
			}
			name := ""
			if len(names) > 0 {
				name = names[len(names)-1]
			}
			if depth == 0 {
				malformed = true // text outside the root element
			}
			x.add(detect.KindXML, name, x.locBytes("xml", path), x.str(t))
		case xml.Directive:
			x.facts.XMLDoctype = true
			if containsFold(t, "entity") || containsFold(t, "system") || containsFold(t, "public") {
				x.facts.XMLExternal = true
			}
			start := x.sb.Len()
			x.sb.WriteString("<!")
			x.sb.Write(t)
			x.sb.WriteByte('>')
			x.add(detect.KindXML, "", "xml:doctype", x.sb.String()[start:])
		case xml.ProcInst:
			if t.Target == "xml" || len(bytes.TrimSpace(t.Inst)) == 0 {
				continue
			}
			loc := x.loc("xml", "?"+t.Target)
			x.add(detect.KindXML, t.Target, loc, x.str(t.Inst))
		}
	}
	if x.facts.TooManyTargets {
		return // cut short: what follows was not read
	}
	if malformed || depth != 0 || roots == 0 {
		x.malformed(body)
	}
}

// includeElement reports the local names of elements that make an XML
// processor fetch a resource (xi:include, xs:include, xs:import,
// xs:redefine, xs:override, xsl:include, xsl:import).
func includeElement(local string) bool {
	switch local {
	case "include", "import", "redefine", "override":
		return true
	}
	return false
}

// qname is an XML name as written, with its prefix.
func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func appendQName(b []byte, n xml.Name) []byte {
	if n.Space != "" {
		b = append(b, n.Space...)
		b = append(b, ':')
	}
	return append(b, n.Local...)
}
