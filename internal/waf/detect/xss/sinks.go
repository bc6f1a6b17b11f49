package xss

// Sink tiers: how dangerous a called or assigned name is.
const (
	tierNone   = iota
	tierWeak   // fetch, open, write, import, ...: ordinary in code, an attack where code surely runs
	tierStrong // alert, prompt, confirm, eval, setTimeout, Function, ...: never ordinary input
)

// globalObject reports whether w names the global object (window and its
// aliases), through which every sink can be reached.
func globalObject(w string) bool {
	switch len(w) {
	case 3:
		return equalFold(w, "top")
	case 4:
		return equalFold(w, "self") || equalFold(w, "this")
	case 6:
		return equalFold(w, "window") || equalFold(w, "parent") || equalFold(w, "frames") || equalFold(w, "opener")
	case 7:
		return equalFold(w, "content")
	case 10:
		return equalFold(w, "globalthis")
	}
	return false
}

// sinkTier classifies a call of name on the receiver recv ("" for a bare
// call). JavaScript is case-sensitive, so a capitalised "Alert(" or
// "Confirm(" is not the sink (data sets that lower-case everything still
// match, as the rest of the name is compared without case).
func sinkTier(name, recv string) int {
	if name == "" {
		return tierNone
	}
	bare := recv == "" || globalObject(recv)
	lowerFirst := 'a' <= name[0] && name[0] <= 'z'
	switch len(name) {
	case 4:
		switch {
		case equalFold(name, "eval"):
			return bareTier(bare, lowerFirst)
		case equalFold(name, "open"):
			if recv == "" || globalObject(recv) {
				return tierWeak
			}
		case equalFold(name, "call"), equalFold(name, "bind"):
			return viaReceiver(recv)
		}
	case 5:
		switch {
		case equalFold(name, "alert"):
			return bareTier(bare, lowerFirst)
		case equalFold(name, "fetch"):
			if bare {
				return tierWeak
			}
		case equalFold(name, "write"):
			return documentWrite(recv)
		case equalFold(name, "apply"):
			return viaReceiver(recv)
		}
	case 6:
		switch {
		case equalFold(name, "prompt"), equalFold(name, "msgbox"):
			if equalFold(name, "msgbox") { // VBScript ignores case
				return tierStrong
			}
			return bareTier(bare, lowerFirst)
		case equalFold(name, "import"):
			if recv == "" {
				return tierWeak
			}
		case equalFold(name, "assign"):
			if equalFold(recv, "location") {
				return tierWeak
			}
		}
	case 7:
		switch {
		case equalFold(name, "confirm"):
			return bareTier(bare, lowerFirst)
		case equalFold(name, "writeln"):
			return documentWrite(recv)
		case equalFold(name, "replace"):
			if equalFold(recv, "location") {
				return tierWeak
			}
		}
	case 8:
		switch {
		case name == "Function" || (equalFold(name, "function") && name[0] == 'F'):
			return tierStrong
		case equalFold(name, "navigate"):
			return tierWeak
		}
	case 9:
		if equalFold(name, "getscript") {
			return tierWeak
		}
	case 10:
		switch {
		case equalFold(name, "settimeout"), equalFold(name, "execscript"):
			return bareTier(bare, lowerFirst)
		case equalFold(name, "sendbeacon"):
			return tierWeak
		}
	case 11:
		switch {
		case equalFold(name, "setinterval"):
			return bareTier(bare, lowerFirst)
		}
	case 12:
		switch {
		case equalFold(name, "setimmediate"):
			return bareTier(recv == "" || globalObject(recv), 'a' <= name[0] && name[0] <= 'z')
		}
	case 13:
		if equalFold(name, "importscripts") {
			return tierWeak
		}
	case 15:
		if equalFold(name, "showmodaldialog") {
			return tierWeak
		}
	case 18:
		if equalFold(name, "insertadjacenthtml") {
			return tierWeak
		}
	case 24:
		if equalFold(name, "createcontextualfragment") {
			return tierWeak
		}
	}
	return tierNone
}

// bareTier is the tier of a strong sink: strong when called bare or on the
// global object with JavaScript's spelling, weak on another receiver
// (readline.prompt(), $.confirm()).
func bareTier(bare, lowerFirst bool) int {
	switch {
	case !lowerFirst:
		return tierNone
	case bare:
		return tierStrong
	}
	return tierWeak
}

// viaReceiver is the tier of alert.call(...), alert.apply(...), alert.bind(...).
func viaReceiver(recv string) int {
	if recv == "" {
		return tierNone
	}
	return sinkTier(recv, "")
}

// documentWrite is the tier of write(...) and writeln(...).
func documentWrite(recv string) int {
	switch {
	case equalFold(recv, "document"):
		return tierStrong
	case recv == "":
		return tierWeak
	}
	return tierNone
}

// targetTier classifies an assignment to name on the receiver recv.
func targetTier(name, recv string) int {
	switch {
	case equalFold(name, "cookie"), equalFold(name, "domain"):
		if equalFold(recv, "document") {
			return tierStrong
		}
	case equalFold(name, "location"):
		if recv == "" || globalObject(recv) || equalFold(recv, "document") {
			return tierWeak
		}
	case equalFold(name, "href"):
		if equalFold(recv, "location") {
			return tierWeak
		}
	case equalFold(name, "innerhtml"), equalFold(name, "outerhtml"), equalFold(name, "srcdoc"):
		if recv != "" {
			return tierWeak
		}
	}
	return tierNone
}

// evaluates reports whether name is a sink that only evaluates code given
// as a string: the timers and the Function constructor.
func evaluates(name string) bool {
	return equalFold(name, "settimeout") || equalFold(name, "setinterval") || equalFold(name, "setimmediate") ||
		equalFold(name, "function")
}

// decodes reports whether name is a function that turns data into a
// string of code: what obfuscated payloads feed to eval-like sinks.
func decodes(name string) bool {
	switch {
	case equalFold(name, "atob"), equalFold(name, "unescape"), equalFold(name, "decodeuri"),
		equalFold(name, "decodeuricomponent"), equalFold(name, "fromcharcode"), equalFold(name, "fromcodepoint"),
		equalFold(name, "join"), equalFold(name, "concat"), equalFold(name, "reverse"):
		return true
	}
	return false
}

// takesCallback reports whether name is a function that calls a function
// it is given: passing alert to it runs alert.
func takesCallback(name string) bool {
	switch len(name) {
	case 3:
		return name == "map"
	case 4:
		return name == "find" || name == "some" || name == "then" || name == "call" || name == "bind" || name == "sort"
	case 5:
		return name == "every" || name == "apply" || name == "catch"
	case 6:
		return name == "filter" || name == "reduce"
	case 7:
		return name == "forEach" || name == "finally"
	case 9:
		return name == "findIndex"
	case 10:
		return name == "setTimeout"
	case 11:
		return name == "setInterval"
	case 14:
		return name == "queueMicrotask"
	case 16:
		return name == "addEventListener"
	case 21:
		return name == "requestAnimationFrame"
	}
	return false
}

// keyword reports whether w is a JavaScript keyword that may be followed by
// an expression.
func keyword(w string) bool {
	switch w {
	case "return", "typeof", "void", "new", "delete", "throw", "in", "of", "instanceof",
		"case", "do", "else", "yield", "await", "extends", "var", "let", "const", "async":
		return true
	}
	return false
}

// scriptless drops a "script" glued to the front of an identifier, what a
// filter that deletes angle brackets leaves of "<script>alert(1)":
// "scriptalert(1)".
func scriptless(w string) string {
	d := 0
	for d < len(w) && isDigit(w[d]) {
		d++ // "-1<script>" without brackets: "-1script..."
	}
	if len(w)-d > 6 && hasPrefixFold(w[d:], "script") {
		return w[d+6:]
	}
	return w
}

// sensitiveKey reports whether a computed key of document names what an
// attacker reads or writes: cookie, domain, location, write.
func sensitiveKey(k string) bool {
	return indexFold(k, "cookie") >= 0 || indexFold(k, "domain") >= 0 || indexFold(k, "location") >= 0 ||
		indexFold(k, "write") >= 0
}
