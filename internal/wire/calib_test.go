package wire

import "testing"

var sink int

func BenchmarkCalibTable(b *testing.B) {
	buf := []byte(typicalGET)
	for b.Loop() {
		n := 0
		for _, c := range buf {
			if isValueByte[c] {
				n++
			}
		}
		sink = n
	}
}

func BenchmarkCalibLock(b *testing.B) {
	c := NewConn(nil, Limits{})
	for b.Loop() {
		c.mu.Lock()
		c.mu.Unlock()
	}
}
