// Package deptest holds only a test: it fails when an import arrow points
// the wrong way (see the layout in the style guide). It has no code.
package deptest
