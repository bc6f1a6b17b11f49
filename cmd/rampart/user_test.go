package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/pbkdf2"

	"rampart/internal/identity/apikey"
	"rampart/internal/identity/password"
	"rampart/internal/store"
	"rampart/internal/store/sqlite"
)

// runCLIIn runs rampart with stdin.
func runCLIIn(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(strings.NewReader(stdin))
	root.SetOut(&out)
	root.SetErr(&errb)
	if err := root.Execute(); err != nil {
		fmt.Fprintln(&errb, "rampart:", err)
		return 1, out.String(), errb.String()
	}
	return 0, out.String(), errb.String()
}

func userConfig(t *testing.T) (cfgPath, dbPath string) {
	t.Helper()
	dir := t.TempDir()
	dbPath = filepath.Join(dir, "r.db")
	cfgPath = filepath.Join(dir, "rampart.yaml")
	writeFile(t, cfgPath, fmt.Sprintf("store: {path: %q}\nroutes:\n  - {name: app, upstreams: [\"http://127.0.0.1:1\"]}\n", dbPath))
	return cfgPath, dbPath
}

func openTestStore(t *testing.T, path string) store.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func TestUserAddListDisable(t *testing.T) {
	cfg, db := userConfig(t)
	if code, _, stderr := runCLIIn("password1234\n", "user", "add", "alice", "--password-stdin", "-c", cfg); code == 0 || !strings.Contains(stderr, "common") {
		t.Errorf("common password: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLIIn("short\n", "user", "add", "alice", "--password-stdin", "-c", cfg); code == 0 || !strings.Contains(stderr, "password refused") {
		t.Errorf("short password: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLIIn("", "user", "add", "alice", "-c", cfg); code == 0 || !strings.Contains(stderr, "--password-stdin") {
		t.Errorf("no terminal, no --password-stdin: exit %d, %q", code, stderr)
	}
	pw := "correct horse battery staple"
	code, stdout, stderr := runCLIIn(pw+"\n", "user", "add", "alice", "--email", "alice@example.com", "--roles", "admin,staff", "--password-stdin", "-c", cfg)
	if code != 0 || !strings.Contains(stdout, "added user alice") {
		t.Fatalf("add: exit %d, %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runCLIIn(pw+"\n", "user", "add", "ALICE", "--password-stdin", "-c", cfg); code == 0 || !strings.Contains(stderr, "taken") {
		t.Errorf("duplicate name in another case: exit %d, %q", code, stderr)
	}
	st := openTestStore(t, db)
	u, err := st.UserByName(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := password.NewHasher(password.DefaultParams)
	if ok, rehash, err := h.Verify(pw, u.PasswordHash); !ok || rehash || err != nil {
		t.Errorf("stored hash: ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if strings.Join(u.Roles, ",") != "admin,staff" || u.Email != "alice@example.com" {
		t.Errorf("stored user: %+v", u)
	}

	code, stdout, _ = runCLI("user", "list", "-c", cfg)
	if code != 0 || !strings.Contains(stdout, "alice") || !strings.Contains(stdout, "admin,staff") || !strings.Contains(stdout, "active") {
		t.Errorf("list: exit %d, %q", code, stdout)
	}
	now := time.Now().UTC()
	if err := st.CreateSession(context.Background(), store.Session{ID: strings.Repeat("ab", 32), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := runCLI("user", "disable", "alice", "-c", cfg); code != 0 || !strings.Contains(stdout, "disabled (1 sessions ended)") {
		t.Errorf("disable: exit %d, %q %q", code, stdout, stderr)
	}
	if u, _ := st.UserByName(context.Background(), "alice"); !u.Disabled {
		t.Error("not disabled in the store")
	}
	if code, _, _ := runCLI("user", "enable", "alice", "-c", cfg); code != 0 {
		t.Errorf("enable: exit %d", code)
	}
	if u, _ := st.UserByName(context.Background(), "alice"); u.Disabled {
		t.Error("still disabled")
	}
	if code, _, stderr := runCLI("user", "disable", "nobody", "-c", cfg); code == 0 || !strings.Contains(stderr, `no user "nobody"`) {
		t.Errorf("unknown user: exit %d, %q", code, stderr)
	}

	if err := st.AddCredential(context.Background(), store.Credential{ID: "c1", UserID: u.ID, Kind: store.CredentialTOTP, Secret: []byte("sealed"), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if code, stdout, _ := runCLI("user", "reset-mfa", "alice", "-c", cfg); code != 0 || !strings.Contains(stdout, "1 second factors removed") {
		t.Errorf("reset-mfa: exit %d, %q", code, stdout)
	}
	if cs, _ := st.UserCredentials(context.Background(), u.ID, ""); len(cs) != 0 {
		t.Errorf("second factors left: %+v", cs)
	}
	if code, _, stderr := runCLI("user", "delete", "alice", "-c", cfg); code == 0 || !strings.Contains(stderr, "--yes") {
		t.Errorf("delete without --yes: exit %d, %q", code, stderr)
	}
	if code, _, _ := runCLI("user", "delete", "alice", "--yes", "-c", cfg); code != 0 {
		t.Errorf("delete: exit %d", code)
	}
	if _, err := st.UserByName(context.Background(), "alice"); err == nil {
		t.Error("user still there after delete")
	}
}

// TestUserImport imports each supported hash format and signs in with the
// original password.
func TestUserImport(t *testing.T) {
	cfg, db := userConfig(t)
	dir := filepath.Dir(cfg)
	pw := "Tr0ub4dor&3 is not enough"
	bc, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	salt := "c2FsdHNhbHRzYWx0"
	dk := pbkdf2.Key([]byte(pw), []byte(salt), 1000, 32, sha256.New)
	django := fmt.Sprintf("pbkdf2_sha256$1000$%s$%s", salt, base64.StdEncoding.EncodeToString(dk))
	ab64 := func(b []byte) string {
		return strings.ReplaceAll(base64.RawStdEncoding.EncodeToString(b), "+", ".")
	}
	psalt := []byte("0123456789abcdef")
	passlib := fmt.Sprintf("$pbkdf2-sha256$1000$%s$%s", ab64(psalt), ab64(pbkdf2.Key([]byte(pw), psalt, 1000, 32, sha256.New)))
	h, _ := password.NewHasher(password.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	argon, err := h.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	jsonl := filepath.Join(dir, "users.jsonl")
	writeFile(t, jsonl, fmt.Sprintf(`{"username": "bc", "email": "bc@example.com", "password_hash": %q, "roles": ["staff"]}
{"username": "dj", "password_hash": %q}
# a comment
{"username": "pl", "password_hash": %q}
{"username": "ar", "password_hash": %q, "email_verified": true}
`, bc, django, passlib, argon))
	code, stdout, stderr := runCLI("user", "import", jsonl, "-c", cfg)
	if code != 0 || !strings.Contains(stdout, "imported 4 accounts, skipped 0") {
		t.Fatalf("import: exit %d, %q %q", code, stdout, stderr)
	}
	st := openTestStore(t, db)
	verifier, _ := password.NewHasher(password.DefaultParams)
	for _, name := range []string{"bc", "dj", "pl", "ar"} {
		u, err := st.UserByName(context.Background(), name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ok, rehash, err := verifier.Verify(pw, u.PasswordHash)
		if !ok || !rehash || err != nil {
			t.Errorf("%s: sign-in with the original password: ok=%v rehash=%v err=%v", name, ok, rehash, err)
		}
		if ok, _, _ := verifier.Verify("wrong password entirely", u.PasswordHash); ok {
			t.Errorf("%s: a wrong password verified", name)
		}
	}

	// Again: every account is taken now, and reported.
	code, stdout, stderr = runCLI("user", "import", jsonl, "-c", cfg)
	if code != 0 || !strings.Contains(stdout, "imported 0 accounts, skipped 4") || !strings.Contains(stderr, "users.jsonl:1:") {
		t.Errorf("re-import: exit %d, %q %q", code, stdout, stderr)
	}

	// A file with a bad line imports nothing and names the line.
	csvFile := filepath.Join(dir, "users.csv")
	writeFile(t, csvFile, fmt.Sprintf("username,email,password_hash,roles\nnew1,n1@example.com,%s,admin;staff\nnew2,,md5$abc$def,\n", bc))
	code, _, stderr = runCLI("user", "import", csvFile, "-c", cfg)
	if code == 0 || !strings.Contains(stderr, "users.csv:3:") || !strings.Contains(stderr, "nothing imported") {
		t.Errorf("bad csv: exit %d, %q", code, stderr)
	}
	if _, err := st.UserByName(context.Background(), "new1"); err == nil {
		t.Error("a good line of a bad file was imported")
	}
	writeFile(t, csvFile, fmt.Sprintf("username,email,password_hash,roles\nnew1,n1@example.com,%s,admin;staff\n", bc))
	if code, stdout, stderr := runCLI("user", "import", csvFile, "-c", cfg); code != 0 || !strings.Contains(stdout, "imported 1") {
		t.Errorf("good csv: exit %d, %q %q", code, stdout, stderr)
	}
	if u, err := st.UserByName(context.Background(), "new1"); err != nil || strings.Join(u.Roles, ",") != "admin,staff" {
		t.Errorf("csv user: %+v %v", u, err)
	}
}

func TestAPIKeyCommands(t *testing.T) {
	cfg, db := userConfig(t)
	if code, _, stderr := runCLI("apikey", "create", "-c", cfg); code == 0 || !strings.Contains(stderr, "--name") {
		t.Errorf("create without --name: exit %d, %q", code, stderr)
	}
	code, stdout, stderr := runCLI("apikey", "create", "--name", "billing", "--roles", "reader,writer", "--expires", "720h", "-c", cfg)
	key := strings.TrimSpace(stdout)
	if code != 0 || !strings.HasPrefix(key, "rk_") || !strings.Contains(stderr, "not shown again") {
		t.Fatalf("create: exit %d, %q %q", code, stdout, stderr)
	}
	st := openTestStore(t, db)
	m, err := apikey.New(apikey.Config{CacheTTL: -1}, st, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := m.Validate(context.Background(), key)
	if err != nil || strings.Join(rec.Roles, ",") != "reader,writer" || rec.ExpiresAt.IsZero() {
		t.Fatalf("the printed key does not validate: %+v %v", rec, err)
	}
	code, stdout, _ = runCLI("apikey", "list", "-c", cfg)
	if code != 0 || !strings.Contains(stdout, rec.ID) || !strings.Contains(stdout, "active") || strings.Contains(stdout, key) {
		t.Errorf("list: exit %d, %q", code, stdout)
	}
	if code, stdout, _ := runCLI("apikey", "revoke", rec.ID, "-c", cfg); code != 0 || !strings.Contains(stdout, "revoked") {
		t.Errorf("revoke: exit %d, %q", code, stdout)
	}
	if _, err := m.Validate(context.Background(), key); err == nil {
		t.Error("a revoked key still validates")
	}
	if code, _, stderr := runCLI("apikey", "revoke", "nope", "-c", cfg); code == 0 || !strings.Contains(stderr, "no API key") {
		t.Errorf("revoke unknown: exit %d, %q", code, stderr)
	}
}

func TestDeleteExpired(t *testing.T) {
	_, db := userConfig(t)
	st := openTestStore(t, db)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now().UTC()
	u, err := st.CreateUser(ctx, store.User{ID: "u1", Username: "x", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	old := store.Session{ID: strings.Repeat("a", 64), UserID: u.ID, CreatedAt: now.Add(-2 * time.Hour), LastSeenAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)}
	live := store.Session{ID: strings.Repeat("b", 64), UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}
	for _, s := range []store.Session{old, live} {
		if err := st.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { deleteExpired(cctx, st, time.Hour, slog.New(slog.DiscardHandler)); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := st.Session(ctx, old.ID); err != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the expired session was not deleted")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if _, err := st.Session(ctx, live.ID); err != nil {
		t.Errorf("the live session was deleted: %v", err)
	}
}
