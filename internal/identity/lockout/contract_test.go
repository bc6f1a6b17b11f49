package lockout_test

import (
	"testing"

	"rampart/internal/identity/lockout"
	"rampart/internal/identity/lockout/lockouttest"
)

func TestMemoryContract(t *testing.T) {
	lockouttest.Run(t, func(t *testing.T) lockout.Counter { return lockout.NewMemory(0) })
}
