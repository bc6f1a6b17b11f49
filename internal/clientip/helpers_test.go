package clientip

import (
	"net/http"

	"rampart/internal/request"
)

func httpHandlerFunc(f func(*request.Info)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f(request.FromContext(r.Context()))
	})
}
