//go:build !race

package sqli

const raceEnabled = false
