package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"rampart/internal/identity/seal"
	"rampart/internal/store"
)

func TestUserReseal(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "r.db")
	cfgPath := filepath.Join(dir, "rampart.yaml")
	oldKey := bytes.Repeat([]byte{1}, seal.KeySize)
	newKey := bytes.Repeat([]byte{2}, seal.KeySize)
	t.Setenv("TEST_NEW_KEY", base64.StdEncoding.EncodeToString(newKey))
	t.Setenv("TEST_OLD_KEY", base64.StdEncoding.EncodeToString(oldKey))
	writeFile(t, cfgPath, fmt.Sprintf(`store: {path: %q}
identity:
  secrets_key: ${env:TEST_NEW_KEY}
  secrets_key_id: k2
  old_secrets_keys:
    - {id: k1, key: "${env:TEST_OLD_KEY}"}
routes:
  - {name: app, upstreams: ["http://127.0.0.1:1"]}
`, dbPath))
	if code, _, errOut := runCLIIn("", "migrate", "-c", cfgPath); code != 0 {
		t.Fatalf("migrate: %s", errOut)
	}
	st := openTestStore(t, dbPath)
	ctx := t.Context()
	now := time.Now().UTC()
	if _, err := st.CreateUser(ctx, store.User{ID: "u1", Username: "alice", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	old, _ := seal.NewKeyring([]seal.Key{{ID: "k1", Secret: oldKey}})
	sealed, err := old.Seal([]byte("JBSWY3DPEHPK3PXP"), []byte("u1/c1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddCredential(ctx, store.Credential{ID: "c1", UserID: "u1", Kind: store.CredentialTOTP, Name: "phone", Secret: sealed, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLIIn("", "user", "reseal", "-c", cfgPath)
	if code != 0 || !strings.Contains(out, "1 secrets resealed under key k2") {
		t.Fatalf("reseal = %d %q %q", code, out, errOut)
	}
	c, err := st.Credential(ctx, "c1")
	if err != nil {
		t.Fatal(err)
	}
	onlyNew, _ := seal.NewKeyring([]seal.Key{{ID: "k2", Secret: newKey}})
	if pt, err := onlyNew.Open(c.Secret, []byte("u1/c1")); err != nil || string(pt) != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("after reseal the new key alone opens %q, %v", pt, err)
	}
	if code, out, _ := runCLIIn("", "user", "reseal", "-c", cfgPath); code != 0 || !strings.Contains(out, "0 secrets resealed") {
		t.Fatalf("second reseal = %d %q", code, out)
	}
}
