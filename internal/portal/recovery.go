package portal

import (
	"fmt"
	"log/slog"
	"net/http"

	"rampart/internal/events"
	"rampart/internal/request"
)

// postRecoveryNew replaces the user's recovery codes with new ones and
// shows them once. Only a user with a second factor (an authenticator app
// or a passkey) has codes: they stand in for it.
func (p *Portal) postRecoveryNew(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	si, ok := p.requireSignedIn(w, r, p.cfg.Prefix+"account")
	if !ok {
		return
	}
	if !p.validToken(si.s.ID, p.cfg.Prefix+"recovery/new", r.PostForm.Get(csrfField)) {
		p.refuseCSRF(w, r, "token")
		return
	}
	if len(si.f.totp) == 0 && len(si.f.passkeys) == 0 {
		redirect(w, r, p.cfg.Prefix+"account")
		return
	}
	codes, err := p.replaceRecoveryCodes(r, si.u.ID, p.now())
	if err != nil {
		p.fail(w, r, http.StatusInternalServerError, fmt.Errorf("new recovery codes: %w", err))
		return
	}
	p.log.LogAttrs(ctx, slog.LevelInfo, "recovery codes replaced",
		append(request.LogAttrs(ctx), slog.String("user", si.u.Username))...)
	p.publish(r, events.AuthFactorAdded, events.SeverityLow, "recovery codes replaced", si.u.Username,
		map[string]string{"factor": "recovery_codes"})
	p.render(w, r, http.StatusOK, "recovery_codes", page{
		Title:      "Your new recovery codes",
		LogoutCSRF: p.csrfToken(si.s.ID, p.cfg.Prefix+"logout"),
		Username:   si.u.Username,
		Codes:      codes,
		Continue:   p.cfg.Prefix + "account",
		Message:    "Your earlier recovery codes no longer work. If you lose your second factors, each of these codes signs you in once instead.",
	})
}
