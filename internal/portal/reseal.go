package portal

import (
	"context"
	"fmt"

	"rampart/internal/identity/seal"
	"rampart/internal/store"
)

// ResealStore is what ResealSecrets reads and writes; every store.Store is
// one.
type ResealStore interface {
	ListUsers(ctx context.Context, f store.UserFilter) ([]store.User, error)
	UserCredentials(ctx context.Context, userID string, kind store.CredentialKind) ([]store.Credential, error)
	UpdateCredential(ctx context.Context, c store.Credential) error
}

// ResealSecrets seals every TOTP secret that names a key other than ring's
// current one again under the current key, after a rotation of
// identity.secrets_key, so that the old key can then be dropped from
// identity.old_secrets_keys. It returns how many it resealed. A secret no
// key of ring opens stops it with an error naming the user and credential:
// removing a key it still needs would lock those users out.
func ResealSecrets(ctx context.Context, st ResealStore, ring *seal.Keyring) (int, error) {
	n, after := 0, ""
	for {
		users, err := st.ListUsers(ctx, store.UserFilter{Limit: store.MaxUserLimit, After: after})
		if err != nil {
			return n, fmt.Errorf("reseal: %w", err)
		}
		for _, u := range users {
			creds, err := st.UserCredentials(ctx, u.ID, store.CredentialTOTP)
			if err != nil {
				return n, fmt.Errorf("reseal: user %s: %w", u.Username, err)
			}
			for _, c := range creds {
				if !ring.NeedsRotation(c.Secret) {
					continue
				}
				ad := totpAD(u.ID, c.ID)
				pt, err := ring.Open(c.Secret, ad)
				if err != nil {
					return n, fmt.Errorf("reseal: user %s, authenticator %q: %w (is its key in identity.old_secrets_keys?)", u.Username, c.Name, err)
				}
				c.Secret, err = ring.Seal(pt, ad)
				clear(pt)
				if err != nil {
					return n, fmt.Errorf("reseal: %w", err)
				}
				if err := st.UpdateCredential(ctx, c); err != nil {
					return n, fmt.Errorf("reseal: user %s: %w", u.Username, err)
				}
				n++
			}
		}
		if len(users) < store.MaxUserLimit {
			return n, nil
		}
		after = users[len(users)-1].Username
	}
}
