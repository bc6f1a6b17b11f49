package gateway

import (
	"log/slog"

	"rampart/internal/wire"
)

func wireLimitsForTest() wire.Limits {
	return wire.Limits{MaxRequestLine: 8192, MaxHeaderBytes: 32 << 10, MaxHeaderCount: 100}
}

func slogDiscard() *slog.Logger { return slog.New(slog.DiscardHandler) }
