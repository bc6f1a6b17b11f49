// Package config turns rampart.yaml into a typed, validated *Config.
//
// Load and Parse read the YAML into a node tree (so every key keeps its
// line), substitute ${env:NAME} and ${file:PATH} secrets in scalar values,
// decode strictly onto a Config pre-filled with defaults, let each route
// inherit the global limits, headers, upstream and waf blocks key by key,
// and validate the result. Every problem is reported at once as an *Error
// carrying file:line, joined with errors.Join. Lint lists settings that are
// valid but dangerous; Redacted prints the effective config without
// secrets; Diff names the keys a reload changes; Watcher reloads on file
// changes and on request.
//
// The package does not open listeners, stores or upstream connections; it
// only checks that the files a config names can be read.
//
// A *Config returned by Load or Parse is never modified by this package
// afterwards and may be read from many goroutines. A Watcher is driven by
// one goroutine calling Run; Trigger may be called from any goroutine.
package config
