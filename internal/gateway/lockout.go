package gateway

import (
	"errors"

	"rampart/internal/config"
	"rampart/internal/identity/lockout"
)

// lockoutCounter returns the counter for the portal's lockout guard: the
// one the caller gave (Deps.Lockout), or a memory counter of this node's
// own. The guard is made once, with the identity parts, so the backend is
// fixed at the first config with identity enabled; a later change takes a
// restart (rampart's reload says so).
func (g *Gateway) lockoutCounter(cfg *config.Config) (lockout.Counter, error) {
	switch {
	case g.lockout != nil:
		return g.lockout, nil
	case cfg.Identity.Lockout.Backend == "redis":
		// Counting in memory instead would give each node its own
		// max_failures: refuse rather than weaken the lockout silently.
		return nil, errors.New("identity.lockout.backend is redis, but this process was started without Redis; restart rampart to connect to it")
	}
	return lockout.NewMemory(0), nil
}
