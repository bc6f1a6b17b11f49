package xss

import "strings"

// tagKind says what an element can do.
type tagKind uint16

const (
	tkKnown    tagKind = 1 << iota // an HTML (or SVG/MathML) element name
	tkScript                       // runs its content or its src
	tkLoad                         // loads and renders another document or plugin
	tkBase                         // base: rewrites every relative URL
	tkLink                         // link: loads stylesheets, imports
	tkMeta                         // meta: refresh, set-cookie, charset
	tkForm                         // form: where submitted data goes
	tkStyle                        // style: CSS
	tkForeign                      // svg, math: foreign content, parsed differently
	tkSrcLoad                      // loads its src when it carries one (xml islands, bgsound, import)
	tkRawText                      // raw-text or RCDATA element; closing it breaks out
	tkDocument                     // html, head, body, frameset, title
)

// elements maps lower-case element names to what they can do. It is built
// once and never changes.
var elements = func() map[string]tagKind {
	m := map[string]tagKind{}
	for _, n := range strings.Fields(`a abbr acronym address area article aside audio b bdi bdo big
		blink blockquote br button canvas caption center cite code col colgroup data datalist dd del
		details dfn dialog dir div dl dt em fieldset figcaption figure font footer h1 h2 h3 h4 h5 h6
		header hgroup hr i img image input ins kbd keygen label legend li main map mark marquee menu
		menuitem meter nav nobr ol optgroup option output p param picture pre progress q rp rt ruby s
		samp section select slot small source span strike strong sub summary sup table tbody td tfoot
		th thead time tr track tt u ul var video wbr animate animatemotion animatetransform set use
		foreignobject feimage mtext mglyph maction annotation-xml`) {
		m[n] = tkKnown
	}
	set := func(kind tagKind, names string) {
		for _, n := range strings.Fields(names) {
			m[n] |= tkKnown | kind
		}
	}
	set(tkScript, "script")
	set(tkLoad, "iframe frame object embed applet portal layer ilayer")
	set(tkBase, "base")
	set(tkLink, "link")
	set(tkMeta, "meta")
	set(tkForm, "form isindex")
	set(tkStyle, "style")
	set(tkForeign, "svg math")
	set(tkSrcLoad, "xml bgsound import")
	set(tkRawText, "script style title textarea noscript xmp iframe noembed noframes plaintext template comment select")
	set(tkDocument, "html head body frameset title")
	return m
}()

// tagState collects what one tag's attributes say.
type tagState struct {
	kind     tagKind
	valid    bool // the name is a well-formed element name
	attrs    int  // attribute count
	valued   int  // attributes with a well-formed name and a value
	href     bool // href, src, data, action, code, codebase: something it would load or submit to
	equiv    bool // http-equiv refresh, set-cookie or link; content with a URL or UTF-7
	external bool // a src-like attribute with an absolute URL
	loads    bool // rel=stylesheet, import, preload
	image    bool // img/image/input: a data: image in src does not run
	jsType   bool // type="text/javascript" and friends
	style    bool // a style attribute
	pi       bool // a processing instruction, <?name ...>, other than <?xml
}

// tag parses the tag at s[i] == '<' the way the HTML5 tokenizer would and
// judges it. It returns where scanning goes on: after the tag, or i when
// s[i] does not open a tag.
func (sc *scanner) tag(i, hi, depth int) int {
	s := sc.s
	j := i + 1
	closing, pi := false, false
	if j < hi && s[j] == '/' {
		closing = true
		j++
	} else if j < hi && s[j] == '?' {
		pi = true // <?import ...>, <?xml:namespace ...>: judged like tags
		j++
	}
	if j >= hi || !isAlpha(s[j]) {
		if j < hi && s[j] == '!' && !closing && !pi {
			sc.odd = true // <!doctype, <![CDATA[, <!-- -->
		}
		return i // "a < b", "<3", "<!--", "</ "
	}
	ns := j
	for j < hi && !isSpace(s[j]) && s[j] != '/' && s[j] != '>' && s[j] != '<' {
		if !tagNameByte(s[j]) {
			// "<button.onclick=alert(1)": not a name a browser would
			// split attributes out of; read it as text.
			return i
		}
		j++
	}
	if j < hi && s[j] == '<' {
		// "<scr<script>": a filter that strips the inner tag leaves the
		// outer one; judge the inner tag next.
		return j
	}
	var t tagState
	var buf [16]byte
	if w, ok := foldWord(buf[:], s[ns:j], func(c byte) bool { return c == 0 }); ok {
		if !pi || string(w) == "import" {
			t.kind = elements[string(w)] // <?xml ...?> is a declaration, not the <xml> island
		}
		t.image = string(w) == "img" || string(w) == "image" || string(w) == "input"
		t.valid = validName(s[ns:j])
		t.pi = pi && string(w) != "xml"
	}
	if closing {
		end := strings.IndexByte(s[j:hi], '>')
		if end < 0 {
			end = hi
		} else {
			end += j + 1
		}
		if t.kind&(tkRawText|tkDocument) != 0 {
			sc.hit(ruleSuspiciousTag, i, end-i)
			if sc.noMarkup {
				sc.hit(ruleHTMLInjection, i, end-i)
			}
		}
		if t.kind&tkScript != 0 {
			if p := lastNonSpace(s, i); p >= 0 && s[p] == ';' {
				// code;</script>: the end of a script block we were
				// injected into.
				sc.hit(ruleJSBreakout, p, end-p)
			}
		}
		if t.kind&tkKnown != 0 {
			if sc.noMarkup && sc.quoteBreak(i) {
				sc.hit(ruleHTMLInjection, i, end-i)
			}
			sc.hit(ruleHTMLMarkup, i, end-i)
		}
		return end
	}
	// Attributes: HTML5 "before attribute name" state onwards.
	for j < hi {
		c := s[j]
		if isSpace(c) || c == '/' {
			j++
			continue
		}
		if c == '>' {
			j++
			break
		}
		an := j
		j++ // the first byte may be '=' or a quote: part of the name
		for j < hi && !isSpace(s[j]) && s[j] != '/' && s[j] != '>' && s[j] != '=' {
			j++
		}
		ae := j
		k := j
		for k < hi && isSpace(s[k]) {
			k++
		}
		if k >= hi || s[k] != '=' {
			sc.attr(&t, an, ae, -1, -1, depth)
			continue
		}
		k++
		for k < hi && isSpace(s[k]) {
			k++
		}
		var vs, ve int
		if k < hi && (s[k] == '"' || s[k] == '\'') {
			vs = k + 1
			if e := strings.IndexByte(s[vs:hi], s[k]); e >= 0 {
				ve = vs + e
				j = ve + 1
			} else {
				ve, j = hi, hi
			}
		} else {
			vs = k
			for k < hi && !isSpace(s[k]) && s[k] != '>' {
				k++
			}
			ve, j = k, k
		}
		sc.attr(&t, an, ae, vs, ve, depth)
	}
	if t.attrs == 0 && !pi && i > 0 && isAlpha(s[i-1]) && j < len(s) && isAlpha(s[j]) && s[j-1] == '>' {
		sc.stripped = true // "o<x>nfocus"
	}
	if t.kind == 0 && (t.attrs > 0 || pi) {
		sc.odd = true // markup our element table does not know: ask libinjection too
	}
	sc.judgeTag(&t, i, j)
	return j
}

// next returns the index of the first w (ASCII, lower case) at or after
// s[from], or len(s). *cache remembers the last answer: asked with
// growing from, as tags come in order, the searches cost linear time in
// all.
func (sc *scanner) next(cache *int, from int, w string) int {
	if c := *cache; c > 0 && c >= from {
		return c // nothing between the last from and c, so nothing between from and c
	}
	c := indexFold(sc.s[from:], w)
	if c < 0 {
		c = len(sc.s)
	} else {
		c += from
	}
	*cache = c
	return c
}

// lastNonSpace returns the index of the last non-blank byte before s[i],
// or -1.
func lastNonSpace(s string, i int) int {
	for i--; i >= 0 && isSpace(s[i]); i-- {
	}
	return i
}

// tagNameByte reports whether c may appear in a tag name we split
// attributes out of (NUL included: browsers once dropped it).
func tagNameByte(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == ':' || c == '_' || c == '.' || c == 0 || c >= 0x80
}

// validName reports whether n is an element or attribute name as markup
// writes them: a letter, then letters, digits, '-', '_', ':' or '.', and
// no trailing ':' ("https:" in "<https://...>" is a URL, not a tag).
func validName(n string) bool {
	if n == "" || !isAlpha(n[0]) || n[len(n)-1] == ':' {
		return false
	}
	for i := 1; i < len(n); i++ {
		if c := n[i]; !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' && c != ':' && c != '.' {
			return false
		}
	}
	return true
}

// quoteBreak reports whether a quote closed by '>' outside any tag ("> or
// '>: an attribute value broken out of) comes before s[i].
func (sc *scanner) quoteBreak(i int) bool {
	return sc.qb > 0 && sc.qb < i
}

// judgeTag reports what an opening tag is, once its attributes are known.
// s[i:end] is the tag.
func (sc *scanner) judgeTag(t *tagState, i, end int) {
	n := end - i
	if sc.noMarkup && t.valid && (t.kind&^tkKnown != 0 || t.external || t.style || t.pi && t.valued > 0 ||
		t.kind&tkKnown != 0 && sc.quoteBreak(i)) {
		// Where no markup belongs: structure, active elements, links to
		// elsewhere, CSS, processing instructions, or an element after
		// a broken-out attribute value.
		sc.hit(ruleHTMLInjection, i, n)
	}
	switch {
	case t.kind&tkScript != 0:
		sc.hit(ruleScriptTag, i, n)
	case t.kind&tkLoad != 0 && t.valued > 0:
		sc.hit(ruleDangerousTag, i, n) // <iframe src=...>; a bare <object> in prose loads nothing
	case t.kind&(tkBase|tkSrcLoad) != 0 && t.href:
		sc.hit(ruleDangerousTag, i, n)
	case t.kind&(tkLink|tkForm) != 0 && t.external && (t.kind&tkForm != 0 || t.loads):
		// A form posting elsewhere, a style sheet or import from
		// elsewhere; <link rel=icon href=/favicon.ico> is harmless.
		sc.hit(ruleDangerousTag, i, n)
	case t.kind&(tkLoad|tkLink|tkForm) != 0:
		sc.hit(ruleSuspiciousTag, i, n)
	case t.kind&tkMeta != 0 && t.equiv:
		sc.hit(ruleDangerousTag, i, n)
	case t.kind&tkStyle != 0:
		if t.jsType {
			sc.hit(ruleScriptTag, i, n)
		}
		close := sc.next(&sc.styleClose, end, "</style")
		if sc.next(&sc.styleImport, end, "@import") < close {
			// A style sheet that loads another one.
			sc.hit(ruleCSSExpression, i, close-i)
		}
		if sc.next(&sc.styleEscape, end, `\`) < close {
			sc.cssEscaped(sc.s[end:close], end, close)
		}
		sc.hit(ruleSuspiciousTag, i, n)
	case t.kind&(tkForeign|tkDocument|tkSrcLoad|tkMeta) != 0:
		sc.hit(ruleSuspiciousTag, i, n)
	}
	if t.kind&tkKnown != 0 {
		if t.attrs > 0 || t.kind&^tkKnown != 0 {
			sc.hit(ruleHTMLTag, i, n)
		}
		sc.hit(ruleHTMLMarkup, i, n)
	}
}

// attr judges one attribute: s[an:ae] is its name, s[vs:ve] its value
// (vs < 0 when it has none).
func (sc *scanner) attr(t *tagState, an, ae, vs, ve, depth int) {
	s := sc.s
	t.attrs++
	var buf [32]byte
	name := attrName(buf[:], s[an:ae])
	if depth < 1 && len(name) < ae-an && mayHold(s[an:ae]) {
		sc.text(an, ae, depth+1) // junk in a name: "<img 6;avascript:alert(1)>"
	}
	if vs < 0 {
		return
	}
	if validName(s[an:ae]) {
		t.valued++
	}
	v := s[vs:ve]
	tv := trimURL(v)
	if len(name) > 2 && name[0] == 'o' && name[1] == 'n' && isAlpha(name[2]) && tv != "" {
		// Any on* attribute on any element, unknown ones included: the
		// browser runs it for whatever event of that name fires. Unknown
		// names ("onx") only count when the value is code.
		if isEvent(string(name[2:])) || jsValue(tv) {
			sc.hit(ruleEventHandler, an, ve-an)
		}
	}
	switch string(name) {
	case "style":
		t.style = true
		sc.cssEscaped(v, vs, ve)
	case "srcdoc":
		if tv != "" {
			sc.hit(ruleSrcdoc, an, ve-an)
		}
	case "dataformatas":
		// IE data binding: the bound data is rendered as HTML.
		if equalFold(strings.TrimSpace(v), "html") {
			sc.hit(ruleDangerousAttr, an, ve-an)
		}
	case "attributename":
		// SVG <set>/<animate> writing an event handler or a URL.
		if hasPrefixFold(tv, "on") {
			sc.hit(ruleEventHandler, an, ve-an)
		}
	case "rel":
		if indexFold(v, "stylesheet") >= 0 || indexFold(v, "import") >= 0 || indexFold(v, "preload") >= 0 {
			t.loads = true
		}
	case "href", "src", "data", "action", "code", "codebase", "implementation", "dynsrc", "lowsrc",
		"background", "poster", "formaction", "xlink:href", "ping", "cite", "longdesc", "manifest":
		if tv != "" {
			t.href = true
			if string(name) == "formaction" {
				// Where the form the element sits in is sent.
				sc.hit(ruleDangerousAttr, an, ve-an)
			}
		}
		if absoluteURL(tv) {
			t.external = true
		}
	case "http-equiv":
		// refresh navigates, set-cookie plants a cookie, link loads a
		// style sheet; content-type with a charset is judged below.
		if ev := strings.TrimSpace(v); equalFold(ev, "refresh") || equalFold(ev, "set-cookie") || equalFold(ev, "link") {
			t.equiv = true
		}
	case "content":
		if indexFold(v, "url=") >= 0 || indexFold(v, "utf-7") >= 0 || indexFold(v, "utf7") >= 0 {
			t.equiv = true
		}
	case "type", "language":
		if indexFold(v, "script") >= 0 {
			t.jsType = true
		}
	}
	switch scheme(tv) {
	case schemeScript:
		sc.hit(ruleJSURL, vs, ve-vs)
	case schemeData:
		if m := dataMIME(tv); m == mimeActive || (m == mimeSVG && !t.image) {
			sc.hit(ruleDataURL, vs, ve-vs)
		}
	}
	if depth < 1 && mayHold(v) {
		sc.text(vs, ve, depth+1)
	}
}

// attrName returns the lower-cased leading name bytes of an attribute
// name (letters, digits, '-', ':'; NUL bytes dropped as browsers once
// did), at most len(buf) of them. Junk after the name ("onload!#$=") is
// ignored.
func attrName(buf []byte, s string) []byte {
	n := 0
	for i := 0; i < len(s) && n < len(buf); i++ {
		c := s[i]
		if c == 0 {
			continue
		}
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != ':' && c != '_' {
			break
		}
		buf[n] = lower(c)
		n++
	}
	return buf[:n]
}

// isEvent reports whether name (lower case, without "on") is a DOM event.
func isEvent(name string) bool {
	_, ok := events[name]
	return ok
}

// events are the DOM, SVG and legacy IE event names; a set built once.
var events = func() map[string]struct{} {
	m := map[string]struct{}{}
	for _, n := range strings.Fields(`abort activate afterprint afterscriptexecute afterupdate
		animationcancel animationend animationiteration animationstart auxclick beforeactivate
		beforecopy beforecut beforedeactivate beforeeditfocus beforeinput beforepaste beforeprint
		beforescriptexecute beforetoggle beforeunload beforeupdate begin blur bounce cancel canplay
		canplaythrough cellchange change click close contentvisibilityautostatechange contextlost
		contextmenu contextrestored controlselect copy cuechange cut dataavailable datasetchanged
		datasetcomplete dblclick deactivate drag dragend dragenter dragexit dragleave dragover
		dragstart drop durationchange emptied end ended error errorupdate filterchange finish focus
		focusin focusout formchange formdata forminput fullscreenchange fullscreenerror gotpointercapture
		hashchange help input invalid keydown keypress keyup layoutcomplete load loadeddata
		loadedmetadata loadend loadstart losecapture lostpointercapture message messageerror
		mousedown mouseenter mouseleave mousemove mouseout mouseover mouseup mousewheel move moveend
		movestart offline online pagehide pageshow paste pause play playing pointercancel pointerdown
		pointerenter pointerleave pointermove pointerout pointerover pointerrawupdate pointerup
		popstate progress propertychange ratechange readystatechange repeat reset resize
		resizeend resizestart rowenter rowexit rowsdelete rowsinserted scroll scrollend
		scrollsnapchange scrollsnapchanging search securitypolicyviolation seeked seeking select
		selectionchange selectstart show slotchange stalled start stop storage submit suspend
		timeupdate toggle touchcancel touchend touchmove touchstart transitioncancel transitionend
		transitionrun transitionstart unload volumechange waiting webkitanimationend
		webkitanimationiteration webkitanimationstart webkittransitionend wheel zoom`) {
		m[n] = struct{}{}
	}
	return m
}()
