//go:build race

package extract

// raceEnabled says the race detector is on; it makes sync.Pool drop
// items, so allocation counts mean nothing.
const raceEnabled = true
