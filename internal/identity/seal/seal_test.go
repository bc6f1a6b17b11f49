package seal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// testKey returns a distinct 32-byte key for each seed.
func testKey(seed byte) []byte {
	k := make([]byte, KeySize)
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}

func mustKeyring(tb testing.TB, keys ...Key) *Keyring {
	tb.Helper()
	kr, err := NewKeyring(keys)
	if err != nil {
		tb.Fatalf("NewKeyring() = %v", err)
	}
	return kr
}

func TestRoundTrip(t *testing.T) {
	kr := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)})
	tests := []struct {
		name   string
		pt, ad []byte
	}{
		{"totp secret", []byte("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), []byte("user:42/cred:7")},
		{"empty plaintext", []byte{}, []byte("user:42/cred:7")},
		{"nil associated data", []byte("secret"), nil},
		{"binary", []byte{0, 1, 2, 255, 254}, []byte{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := kr.Seal(tt.pt, tt.ad)
			if err != nil {
				t.Fatalf("Seal() = %v", err)
			}
			if bytes.Contains(sealed, tt.pt) && len(tt.pt) > 4 {
				t.Errorf("Seal(%q) contains the plaintext", tt.pt)
			}
			if want := 1 + 1 + len("k1") + 12 + len(tt.pt) + 16; len(sealed) != want {
				t.Errorf("len(Seal()) = %d, want %d", len(sealed), want)
			}
			if sealed[0] != 1 || sealed[1] != 2 || string(sealed[2:4]) != "k1" {
				t.Errorf("Seal() header = %x, want 01 02 %x", sealed[:4], "k1")
			}
			got, err := kr.Open(sealed, tt.ad)
			if err != nil {
				t.Fatalf("Open() = %v", err)
			}
			if !bytes.Equal(got, tt.pt) {
				t.Errorf("Open() = %q, want %q", got, tt.pt)
			}
			if kr.NeedsRotation(sealed) {
				t.Error("NeedsRotation() = true for a value sealed under the current key")
			}
		})
	}
}

func TestSealNonceIsRandom(t *testing.T) {
	kr := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)})
	a, _ := kr.Seal([]byte("same"), nil)
	b, _ := kr.Seal([]byte("same"), nil)
	if bytes.Equal(a, b) {
		t.Error("two Seal() of the same plaintext are equal; the nonce is not random")
	}
}

func TestTamper(t *testing.T) {
	kr := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)}, Key{ID: "k2", Secret: testKey(2)})
	ad := []byte("user:1/cred:1")
	sealed, err := kr.Seal([]byte("JBSWY3DPEHPK3PXP"), ad)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sealed {
		for _, mask := range []byte{0x01, 0x80, 0xff} {
			bad := bytes.Clone(sealed)
			bad[i] ^= mask
			if pt, err := kr.Open(bad, ad); err == nil {
				t.Errorf("Open() with byte %d ^ %#x = %q, nil; want an error", i, mask, pt)
			}
		}
	}
	for n := range len(sealed) {
		if _, err := kr.Open(sealed[:n], ad); err == nil {
			t.Errorf("Open() of the first %d bytes = nil error; want an error", n)
		}
	}
	if _, err := kr.Open(append(bytes.Clone(sealed), 0), ad); !errors.Is(err, ErrAuth) {
		t.Errorf("Open() with a byte appended = %v; want ErrAuth", err)
	}
}

func TestWrongAssociatedData(t *testing.T) {
	kr := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)})
	// Two rows of the store: a ciphertext copied from one to the other
	// must not open.
	alice, err := kr.Seal([]byte("alice's secret"), []byte("user:1/cred:10"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		ad   []byte
	}{
		{"other user", []byte("user:2/cred:10")},
		{"other credential", []byte("user:1/cred:11")},
		{"none", nil},
		{"prefix", []byte("user:1/cred:1")},
		{"longer", []byte("user:1/cred:100")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pt, err := kr.Open(alice, tt.ad); !errors.Is(err, ErrAuth) {
				t.Errorf("Open(alice's value, %q) = %q, %v; want ErrAuth", tt.ad, pt, err)
			}
		})
	}
}

func TestRotation(t *testing.T) {
	old := Key{ID: "2024-01", Secret: testKey(1)}
	cur := Key{ID: "2025-06", Secret: testKey(2)}
	ad := []byte("user:1/cred:1")
	sealedOld, err := mustKeyring(t, old).Seal([]byte("secret"), ad)
	if err != nil {
		t.Fatal(err)
	}

	kr := mustKeyring(t, cur, old)
	if got := kr.CurrentID(); got != "2025-06" {
		t.Errorf("CurrentID() = %q, want %q", got, "2025-06")
	}
	got, err := kr.Open(sealedOld, ad)
	if err != nil || string(got) != "secret" {
		t.Fatalf("Open(old value) = %q, %v; want %q, nil", got, err, "secret")
	}
	if !kr.NeedsRotation(sealedOld) {
		t.Error("NeedsRotation(old value) = false, want true")
	}
	resealed, err := kr.Seal(got, ad)
	if err != nil {
		t.Fatal(err)
	}
	if kr.NeedsRotation(resealed) {
		t.Error("NeedsRotation(resealed value) = true, want false")
	}
	if _, err := mustKeyring(t, cur).Open(resealed, ad); err != nil {
		t.Errorf("Open(resealed value) without the old key = %v", err)
	}
	if kr.NeedsRotation([]byte("garbage")) {
		t.Error("NeedsRotation(garbage) = true, want false")
	}
}

func TestUnknownKeyID(t *testing.T) {
	secret := testKey(9)
	sealed, err := mustKeyring(t, Key{ID: "retired", Secret: secret}).Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	kr := mustKeyring(t, Key{ID: "current", Secret: testKey(1)})
	_, err = kr.Open(sealed, nil)
	if !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("Open() = %v; want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), "retired") {
		t.Errorf("Open() error %q does not name key ID %q", err, "retired")
	}
	if !kr.NeedsRotation(sealed) {
		t.Error("NeedsRotation() = false for a value under an unknown key, want true")
	}
}

func TestSameIDOtherSecret(t *testing.T) {
	sealed, err := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)}).Seal([]byte("x"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mustKeyring(t, Key{ID: "k1", Secret: testKey(2)}).Open(sealed, nil); !errors.Is(err, ErrAuth) {
		t.Errorf("Open() under another key with the same ID = %v; want ErrAuth", err)
	}
}

func TestOpenMalformed(t *testing.T) {
	kr := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)})
	good, _ := kr.Seal([]byte("x"), nil)
	tests := []struct {
		name string
		in   []byte
	}{
		{"nil", nil},
		{"empty", []byte{}},
		{"version 0", append([]byte{0}, good[1:]...)},
		{"version 2", append([]byte{2}, good[1:]...)},
		{"empty key ID", append([]byte{1, 0}, make([]byte, 40)...)},
		{"key ID longer than input", []byte{1, 200, 'k', '1'}},
		{"key ID with a space", append([]byte{1, 2, 'k', ' '}, make([]byte, 40)...)},
		{"key ID too long", append(append([]byte{1, 33}, strings.Repeat("k", 33)...), make([]byte, 40)...)},
		{"too large", append(bytes.Clone(good), make([]byte, MaxSealedSize)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if pt, err := kr.Open(tt.in, nil); !errors.Is(err, ErrMalformed) {
				t.Errorf("Open() = %q, %v; want ErrMalformed", pt, err)
			}
		})
	}
}

func TestSealSizeLimit(t *testing.T) {
	id := strings.Repeat("k", MaxKeyIDLen)
	kr := mustKeyring(t, Key{ID: id, Secret: testKey(1)})
	largest := MaxSealedSize - (2 + len(id) + 12 + 16)
	sealed, err := kr.Seal(make([]byte, largest), nil)
	if err != nil {
		t.Fatalf("Seal(%d bytes) = %v", largest, err)
	}
	if len(sealed) != MaxSealedSize {
		t.Errorf("len(Seal(%d bytes)) = %d, want %d", largest, len(sealed), MaxSealedSize)
	}
	if _, err := kr.Open(sealed, nil); err != nil {
		t.Errorf("Open() of a value of the largest size = %v", err)
	}
	if _, err := kr.Seal(make([]byte, largest+1), nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Seal(%d bytes) = %v; want ErrTooLarge", largest+1, err)
	}
}

func TestNewKeyringErrors(t *testing.T) {
	secret := testKey(7)
	tests := []struct {
		name string
		keys []Key
		want []string
	}{
		{"none", nil, []string{"no keys"}},
		{"empty ID", []Key{{ID: "", Secret: secret}}, []string{"key 0", "empty"}},
		{"long ID", []Key{{ID: strings.Repeat("a", 33), Secret: secret}}, []string{"key 0", "33 characters"}},
		{"bad character", []Key{{ID: "a.b", Secret: secret}}, []string{"key 0", `"a.b"`}},
		{"short secret", []Key{{ID: "k1", Secret: secret[:16]}}, []string{"key 0 (k1)", "16 bytes"}},
		{"long secret", []Key{{ID: "k1", Secret: append(bytes.Clone(secret), 0)}}, []string{"33 bytes"}},
		{"duplicate", []Key{{ID: "k1", Secret: secret}, {ID: "k1", Secret: testKey(8)}}, []string{"key 1", "k1 is used twice"}},
		{"all reported", []Key{{ID: "", Secret: secret}, {ID: "k2", Secret: nil}}, []string{"key 0", "key 1 (k2)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewKeyring(tt.keys)
			if err == nil {
				t.Fatal("NewKeyring() = nil error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("NewKeyring() = %q; want it to contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), string(secret)) || strings.Contains(err.Error(), fmt.Sprintf("%x", secret[:8])) {
				t.Errorf("NewKeyring() error %q shows key material", err)
			}
		})
	}
	if _, err := NewKeyring([]Key{{ID: "a-Z_09", Secret: secret}, {ID: strings.Repeat("x", 32), Secret: testKey(8)}}); err != nil {
		t.Errorf("NewKeyring(valid IDs) = %v", err)
	}
}

func TestNoKeyMaterialShown(t *testing.T) {
	secret := []byte("0123456789abcdefghijklmnopqrstuv")
	k := Key{ID: "k1", Secret: secret}
	kr := mustKeyring(t, k, Key{ID: "k0", Secret: testKey(3)})
	var logged bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logged, nil))
	log.Info("config", "key", k, "keyring", kr)
	for _, s := range []string{
		fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s", k, k, k, k), fmt.Sprint([]Key{k}),
		fmt.Sprintf("%v %+v %#v %s", kr, kr, kr, kr), logged.String(),
	} {
		if strings.Contains(s, "0123456789") || strings.Contains(s, "3031323334") || strings.Contains(s, "[48 49") {
			t.Errorf("formatted key shows the secret: %s", s)
		}
		if !strings.Contains(s, "k1") {
			t.Errorf("formatted key does not show its ID: %s", s)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	kr := mustKeyring(t, Key{ID: "k1", Secret: testKey(1)}, Key{ID: "k0", Secret: testKey(2)})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			ad := []byte{byte(g)}
			for i := range 100 {
				pt := []byte{byte(g), byte(i)}
				s, err := kr.Seal(pt, ad)
				if err != nil {
					t.Error(err)
					return
				}
				if got, err := kr.Open(s, ad); err != nil || !bytes.Equal(got, pt) {
					t.Errorf("Open() = %x, %v; want %x", got, err, pt)
					return
				}
			}
		})
	}
	wg.Wait()
}

func FuzzOpen(f *testing.F) {
	old := Key{ID: "old", Secret: testKey(1)}
	kr := mustKeyring(f, Key{ID: "cur", Secret: testKey(2)}, old)
	for _, pt := range []string{"", "JBSWY3DPEHPK3PXP", strings.Repeat("x", 100)} {
		s, _ := kr.Seal([]byte(pt), []byte("ad"))
		f.Add(s, []byte("ad"))
		s, _ = mustKeyring(f, old).Seal([]byte(pt), nil)
		f.Add(s, []byte(nil))
	}
	f.Add([]byte{1, 3, 'c', 'u', 'r'}, []byte{})
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		if len(sealed) > 2*MaxSealedSize || len(ad) > 4096 {
			return
		}
		pt, err := kr.Open(sealed, ad)
		rot := kr.NeedsRotation(sealed)
		if err != nil {
			if pt != nil {
				t.Errorf("Open() = %q, %v; want nil plaintext with an error", pt, err)
			}
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnknownKey) && !errors.Is(err, ErrAuth) {
				t.Errorf("Open() = %v; want ErrMalformed, ErrUnknownKey or ErrAuth", err)
			}
			return
		}
		// The fuzzer cannot forge GCM: anything that opens is a seed or
		// a value whose ID changed into an equal one, and seals again.
		again, err := kr.Seal(pt, ad)
		if err != nil {
			t.Fatalf("Seal(Open()) = %v", err)
		}
		if got, err := kr.Open(again, ad); err != nil || !bytes.Equal(got, pt) {
			t.Errorf("Open(Seal(%q)) = %q, %v", pt, got, err)
		}
		if rot != (string(sealed[2:2+int(sealed[1])]) != "cur") {
			t.Errorf("NeedsRotation() = %v for key ID %q", rot, sealed[2:2+int(sealed[1])])
		}
	})
}
