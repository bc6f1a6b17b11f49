package totp

import (
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	otptotp "github.com/pquerna/otp/totp"
)

// rfcSecret is the SHA-1 seed of RFC 6238 appendix B, "12345678901234567890".
var rfcSecret = base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))

// rfcVectors are RFC 6238 appendix B's SHA-1 rows; the RFC prints 8
// digits, of which a 6-digit code is the last 6.
var rfcVectors = []struct {
	unix  int64
	step  int64
	code8 string
}{
	{59, 0x1, "94287082"},
	{1111111109, 0x23523EC, "07081804"},
	{1111111111, 0x23523ED, "14050471"},
	{1234567890, 0x273EF07, "89005924"},
	{2000000000, 0x3F940AA, "69279037"},
	{20000000000, 0x27BC86AA, "65353130"},
}

func TestRFC6238Vectors(t *testing.T) {
	for _, v := range rfcVectors {
		t.Run(fmt.Sprint(v.unix), func(t *testing.T) {
			now := time.Unix(v.unix, 0)
			if got := Step(now); got != v.step {
				t.Errorf("Step(%d) = %#x, want %#x", v.unix, got, v.step)
			}
			want := v.code8[2:]
			got, err := Code(rfcSecret, v.step)
			if err != nil || got != want {
				t.Errorf("Code(rfc secret, %#x) = %q, %v; want %q", v.step, got, err, want)
			}
			step, ok := Validate(want, rfcSecret, now, 0)
			if !ok || step != v.step {
				t.Errorf("Validate(%q, rfc secret, %d, 0) = %#x, %v; want %#x, true", want, v.unix, step, ok, v.step)
			}
			if _, ok := Validate(v.code8, rfcSecret, now, 0); ok {
				t.Errorf("Validate(%q) (8 digits) = true, want false", v.code8)
			}
		})
	}
}

func TestStep(t *testing.T) {
	tests := []struct {
		unix, want int64
	}{
		{0, 0}, {29, 0}, {30, 1}, {-1, -1}, {-30, -1}, {-31, -2},
	}
	for _, tt := range tests {
		if got := Step(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("Step(%d) = %d, want %d", tt.unix, got, tt.want)
		}
	}
	if got := Step(time.Unix(59, 999_999_999)); got != 1 {
		t.Errorf("Step(59.999999999) = %d, want 1", got)
	}
}

func TestValidateSkew(t *testing.T) {
	now := time.Unix(1234567890, 0)
	cur := Step(now)
	codeFor := func(step int64) string {
		t.Helper()
		c, err := Code(rfcSecret, step)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	tests := []struct {
		name   string
		offset int64 // steps from now's
		skew   uint
		ok     bool
	}{
		{"current, no skew", 0, 0, true},
		{"previous, no skew", -1, 0, false},
		{"next, no skew", 1, 0, false},
		{"previous, default skew", -1, DefaultSkew, true},
		{"next, default skew", 1, DefaultSkew, true},
		{"two back, default skew", -2, DefaultSkew, false},
		{"two ahead, default skew", 2, DefaultSkew, false},
		{"two back, skew 2", -2, 2, true},
		{"ten back, huge skew", -10, 1 << 40, true},
		{"eleven back, huge skew capped at MaxSkew", -11, 1 << 40, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := codeFor(cur + tt.offset)
			// Another step of the window could give the same code by
			// chance; the RFC secret at this time does not.
			step, ok := Validate(c, rfcSecret, now, tt.skew)
			if ok != tt.ok || (ok && step != cur+tt.offset) {
				t.Errorf("Validate(code of step %+d, skew %d) = %d, %v; want %d, %v", tt.offset, tt.skew, step-cur, ok, tt.offset, tt.ok)
			}
		})
	}
	// The window follows the clock within a step.
	first, last := time.Unix(cur*30, 0), time.Unix(cur*30+29, 0)
	for _, at := range []time.Time{first, last} {
		if _, ok := Validate(codeFor(cur), rfcSecret, at, 0); !ok {
			t.Errorf("Validate(code of step %d) at %d = false, want true", cur, at.Unix())
		}
	}
	if _, ok := Validate(codeFor(cur), rfcSecret, last.Add(time.Second), 0); ok {
		t.Error("Validate() one second after its step ended = true, want false")
	}
}

func TestValidateNearEpoch(t *testing.T) {
	c, _ := Code(rfcSecret, 0)
	if step, ok := Validate(c, rfcSecret, time.Unix(10, 0), 5); !ok || step != 0 {
		t.Errorf("Validate(code of step 0) at 10 s = %d, %v; want 0, true", step, ok)
	}
	if _, ok := Validate(c, rfcSecret, time.Unix(-3600, 0), 1); ok {
		t.Error("Validate() before 1970 = true, want false")
	}
	if _, err := Code(rfcSecret, -1); err == nil {
		t.Error("Code(step -1) = nil error")
	}
}

// TestReplay plays the portal and the store: each login validates, then
// records the step only if it is fresh, as UseTOTPStep does.
func TestReplay(t *testing.T) {
	var lastUsed int64 // never used
	login := func(code string, now time.Time) bool {
		step, ok := Validate(code, rfcSecret, now, DefaultSkew)
		if !ok || !Fresh(step, lastUsed) {
			return false
		}
		lastUsed = step
		return true
	}
	t0 := time.Unix(1111111109, 0)
	c0, _ := Code(rfcSecret, Step(t0))
	if !login(c0, t0) {
		t.Fatal("first login with a good code failed")
	}
	if login(c0, t0) {
		t.Error("the same code worked twice in its step")
	}
	if login(c0, t0.Add(Period)) {
		t.Error("the same code worked again in the next step, still inside the window")
	}
	prev, _ := Code(rfcSecret, Step(t0)-1)
	if _, ok := Validate(prev, rfcSecret, t0, DefaultSkew); !ok {
		t.Fatal("the previous step's code is not inside the window")
	}
	if login(prev, t0) {
		t.Error("an older code worked after a newer one")
	}
	t1 := t0.Add(Period)
	c1, _ := Code(rfcSecret, Step(t1))
	if !login(c1, t1) {
		t.Error("the next step's code was refused")
	}

	tests := []struct {
		step, lastUsed int64
		want           bool
	}{
		{5, 0, true}, {5, 4, true}, {5, 5, false}, {5, 6, false}, {0, 0, false},
	}
	for _, tt := range tests {
		if got := Fresh(tt.step, tt.lastUsed); got != tt.want {
			t.Errorf("Fresh(%d, %d) = %v, want %v", tt.step, tt.lastUsed, got, tt.want)
		}
	}
}

var malformedCodes = []string{
	"", "12345", "1234567", "12345a", "12 345", " 123456", "123456 ", "123456\n",
	"+12345", "-12345", "12345.", "１２３４５６", "١٢٣٤٥٦", "12\x0056", "0x1234",
}

func TestValidateMalformedCode(t *testing.T) {
	now := time.Unix(1234567890, 0)
	good, _ := Code(rfcSecret, Step(now))
	if _, ok := Validate(good, rfcSecret, now, 0); !ok {
		t.Fatalf("Validate(%q) = false for the right code", good)
	}
	for _, c := range append(malformedCodes, good+"0", " "+good, good[:5]+" "+good[5:]) {
		if WellFormed(c) {
			t.Errorf("WellFormed(%q) = true, want false", c)
		}
		if step, ok := Validate(c, rfcSecret, now, MaxSkew); ok {
			t.Errorf("Validate(%q) = %d, true; want false", c, step)
		}
	}
}

func TestValidateBadSecret(t *testing.T) {
	now := time.Unix(1234567890, 0)
	// HMAC with an empty key is computable by anyone.
	emptyKeyCode, err := otptotp.GenerateCode("", now)
	if err != nil {
		t.Fatal(err)
	}
	short := base32.StdEncoding.EncodeToString([]byte("0123456789abcde")) // 15 bytes
	shortCode, _ := otptotp.GenerateCode(short, now)
	tests := []struct{ name, secret, code string }{
		{"empty", "", emptyKeyCode},
		{"15 bytes", short, shortCode},
		{"not base32", "not base32 at all!", "123456"},
		{"lower case", strings.ToLower(rfcSecret), "005924"},
		{"too long", strings.Repeat("A", 2000), "123456"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := Validate(tt.code, tt.secret, now, 0); ok {
				t.Errorf("Validate(%q, %q) = true, want false", tt.code, tt.secret)
			}
			if _, err := Code(tt.secret, 1); err == nil {
				t.Errorf("Code(%q) = nil error", tt.secret)
			}
		})
	}
}

func TestGenerate(t *testing.T) {
	k, err := Generate("Example Corp", "alice@example.com")
	if err != nil {
		t.Fatalf("Generate() = %v", err)
	}
	b, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(k.Secret)
	if err != nil || len(b) != SecretSize || len(k.Secret) != 32 {
		t.Errorf("Generate().Secret = %d characters, %d bytes, %v; want 32 characters of base32 for %d bytes", len(k.Secret), len(b), err, SecretSize)
	}
	u, err := url.Parse(k.URL)
	if err != nil {
		t.Fatalf("url.Parse(Generate().URL) = %v", err)
	}
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Example Corp:alice@example.com" {
		t.Errorf("Generate().URL = %s; want otpauth://totp/Example%%20Corp:alice@example.com?...", k.URL)
	}
	q := u.Query()
	for key, want := range map[string]string{
		"secret": k.Secret, "issuer": "Example Corp", "algorithm": "SHA1", "digits": "6", "period": "30",
	} {
		if got := q.Get(key); got != want {
			t.Errorf("Generate().URL %s = %q, want %q", key, got, want)
		}
	}
	now := time.Unix(1700000000, 0)
	c, _ := otptotp.GenerateCode(k.Secret, now) // as an authenticator app computes it
	if step, ok := Validate(c, k.Secret, now, DefaultSkew); !ok || step != Step(now) {
		t.Errorf("Validate(app's code) = %d, %v; want %d, true", step, ok, Step(now))
	}

	k2, _ := Generate("Example Corp", "alice@example.com")
	if k2.Secret == k.Secret {
		t.Error("two Generate() calls gave the same secret")
	}
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v %#v %s", k, k, k)} {
		if strings.Contains(s, k.Secret) {
			t.Errorf("formatted Key shows the secret: %s", s)
		}
	}
}

func TestGenerateErrors(t *testing.T) {
	tests := []struct{ name, issuer, account, want string }{
		{"no issuer", "", "alice", "issuer is empty"},
		{"no account", "Example", "", "account is empty"},
		{"colon in issuer", "Example:Corp", "alice", "colon"},
		{"colon in account", "Example", "a:lice", "colon"},
		{"newline", "Example", "alice\nbob", "control character"},
		{"long", "Example", strings.Repeat("a", 300), "300 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Generate(tt.issuer, tt.account)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Generate(%q, %q) = %v; want an error containing %q", tt.issuer, tt.account, err, tt.want)
			}
		})
	}
}

// FuzzValidate checks that only six ASCII digits can pass, and that what
// passes is the code of the step returned, inside the window.
func FuzzValidate(f *testing.F) {
	for _, c := range malformedCodes {
		f.Add(c, int64(1234567890), uint8(1))
	}
	for _, v := range rfcVectors {
		f.Add(v.code8[2:], v.unix, uint8(0))
		f.Add(v.code8, v.unix, uint8(1))
	}
	f.Fuzz(func(t *testing.T, code string, unix int64, skew uint8) {
		if len(code) > 64 {
			return
		}
		now := time.Unix(unix, 0)
		step, ok := Validate(code, rfcSecret, now, uint(skew))
		if !ok {
			return
		}
		if !WellFormed(code) {
			t.Fatalf("Validate(%q) = true for a malformed code", code)
		}
		if d := step - Step(now); d < -int64(min(uint(skew), MaxSkew)) || d > int64(min(uint(skew), MaxSkew)) {
			t.Errorf("Validate(%q, skew %d) = step %+d from now's", code, skew, d)
		}
		if want, err := Code(rfcSecret, step); err != nil || want != code {
			t.Errorf("Validate(%q) = step %d whose code is %q, %v", code, step, want, err)
		}
	})
}
