// Package decode turns a value taken from a request into the forms an
// application might see after decoding it: URL percent-encoding in up to
// three layers (with IIS %uXXXX), HTML character references, JavaScript,
// JSON and CSS escapes, overlong UTF-8 and fullwidth ASCII, NUL bytes, and
// base64 where a value clearly is base64.
//
// Every decoder is bounded: its output is never longer than its input and
// its work is linear in the input's length. Invalid escapes are kept as they
// are, so no decoder loses a value; they are reported in [Flags] instead,
// because unusual encoding is itself a weak sign of an attack.
//
// The package does not fold case, SQL comments or whitespace, nor clean
// paths on its own: those are the detectors' domain normalisations ([Path]
// is here for them to use).
//
// A [Decoder] is the entry point for the WAF engine. It reuses its buffers
// between calls and is not safe for concurrent use; keep one per goroutine
// (the engine keeps them in a sync.Pool). The package-level functions are
// safe for concurrent use.
package decode
