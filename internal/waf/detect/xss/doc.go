// Package xss detects cross-site scripting in request values.
//
// The Detector reads a value the way a browser would if the value were
// reflected into a page. An HTML tokenizer splits tags and attributes as
// the HTML5 tokenizer does (malformed, unquoted, slash- and
// newline-separated forms included) and judges what each element can do:
// run script (script, on* handlers on any element, javascript: and
// vbscript: URLs, srcdoc, CSS expression()), or load and navigate
// (iframe, object, embed, base, meta refresh, stylesheets and forms that
// point elsewhere, data: URLs of active types). A small JavaScript scanner
// judges code outside tags: a call or assignment of something dangerous
// (alert, eval, Function, setTimeout with a string, document.write,
// document.cookie, location, window[...], the Function constructor reached
// through .constructor) counts where JavaScript would run it (after a
// quote that breaks out of a string, in a template expression, after
// javascript:) or where the whole statement reads as code rather than
// prose ("alert(1)" but not "please confirm (yes)"). libinjection's HTML5
// check is one more, weak, signal.
//
// The kind of value matters for markup only: a query argument, path,
// header or cookie carrying structural or active markup, a link or image
// pointing elsewhere, CSS, or an element after a broken-out attribute
// value is HTML injection at paranoia 1; in form fields and JSON, where
// rich text lives, plain formatting and relative links pass, and rules at
// paranoia 2 (any element with attributes) and 3 (any element) report
// them for routes where no markup is expected.
//
// It looks for structure, never for lists of known payloads, and it does
// not decode: the engine hands it one decoded variant of a value per call
// (URL layers, HTML entities, JavaScript escapes). On top of that it
// tolerates what browsers tolerate: case, whitespace and control bytes
// inside URL schemes, comments and escapes inside CSS, junk between
// attributes, tags a sanitizer would strip ("o<x>nclick").
//
// A Detector has no state and is safe for concurrent use. Work per value is
// linear in its length: look-backs and look-aheads are bounded, and a
// per-value look-ahead budget shrinks them on values built to be slow.
// Typical values cost well under a microsecond and allocate nothing.
package xss
