//go:build !race

package fastproxy

const raceEnabled = false
