package events

import (
	"context"

	"rampart/internal/request"
)

// ForRequest returns an event of type t about the request in ctx, with its
// request ID, client IP, route and user filled in from the request's Info.
func ForRequest(ctx context.Context, t Type, sev Severity, msg string, details map[string]string) Event {
	e := Event{Type: t, Severity: sev, Message: msg, Details: details}
	if info := request.FromContext(ctx); info != nil {
		e.RequestID = info.ID
		if info.ClientIP.IsValid() {
			e.ClientIP = info.ClientIP.String()
		}
		e.Route = info.Route
		e.User = info.User
	}
	return e
}
