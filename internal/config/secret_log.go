package config

import "log/slog"

type slogValue = slog.Value

func slogStringValue(s string) slog.Value { return slog.StringValue(s) }
