package portal

import (
	"bytes"
	"strings"
	"testing"

	"rampart/internal/identity/seal"
	"rampart/internal/store"
)

func TestResealSecrets(t *testing.T) {
	e := newEnv(t) // its keyring has one key, k1
	b := e.browser()
	e.addUser("alice", "correct horse battery", nil)
	wantRedirect(t, "sign in", b.login("alice", "correct horse battery", ""), "/")
	secret, _ := enrolTOTP(t, e, b)

	k1 := seal.Key{ID: "k1", Secret: bytes.Repeat([]byte{7}, seal.KeySize)}
	k2 := seal.Key{ID: "k2", Secret: bytes.Repeat([]byte{8}, seal.KeySize)}
	rotated, err := seal.NewKeyring([]seal.Key{k2, k1})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	n, err := ResealSecrets(ctx, e.db, rotated)
	if err != nil || n != 1 {
		t.Fatalf("ResealSecrets = %d, %v; want 1", n, err)
	}
	if n, err := ResealSecrets(ctx, e.db, rotated); err != nil || n != 0 {
		t.Fatalf("second ResealSecrets = %d, %v; want 0", n, err)
	}
	onlyNew, _ := seal.NewKeyring([]seal.Key{k2})
	creds, err := e.db.UserCredentials(ctx, "id-alice", store.CredentialTOTP)
	if err != nil || len(creds) != 1 {
		t.Fatalf("credentials: %d, %v", len(creds), err)
	}
	pt, err := onlyNew.Open(creds[0].Secret, totpAD("id-alice", creds[0].ID))
	if err != nil {
		t.Fatalf("the resealed secret does not open with the new key alone: %v", err)
	}
	if string(pt) != secret {
		t.Fatalf("resealed secret opens to %q, want %q", pt, secret)
	}

	// A key dropped too early is reported, not skipped.
	k3 := seal.Key{ID: "k3", Secret: bytes.Repeat([]byte{9}, seal.KeySize)}
	lost, _ := seal.NewKeyring([]seal.Key{k3})
	if _, err := ResealSecrets(ctx, e.db, lost); err == nil || !strings.Contains(err.Error(), "alice") {
		t.Fatalf("ResealSecrets without the needed key = %v, want an error naming alice", err)
	}
}
