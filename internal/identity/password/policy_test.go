package password

import (
	"errors"
	"strings"
	"testing"
)

// mustBeCommon fails unless pw is on the embedded list, so that tests which
// expect a Common refusal say why when the list changes.
func mustBeCommon(tb testing.TB, pw string) {
	tb.Helper()
	l, err := loadCommon()
	if err != nil {
		tb.Fatal(err)
	}
	if !l.contains(pw) {
		tb.Fatalf("%q is not on the common password list; pick another entry for this test", pw)
	}
}

func TestPolicyCheck(t *testing.T) {
	for _, pw := range []string{"password1234", "123456789012", "qwertyuiop12", "1q2w3e4r5t6y", "abcdefghijkl", "passwordpassword"} {
		mustBeCommon(t, pw)
	}
	long := strings.Repeat("Zq8#mK2$", 16) // 128 characters
	tests := []struct {
		name    string
		policy  Policy
		pw      string
		context []string
		want    Reason // 0: accepted
	}{
		{"11 characters", DefaultPolicy, "Zq8#mK2$wL9", nil, TooShort},
		{"12 characters", DefaultPolicy, "Zq8#mK2$wL9!", nil, 0},
		{"12 letters, no digits or symbols", DefaultPolicy, "tangerinebox", nil, 0},
		{"empty", DefaultPolicy, "", nil, TooShort},
		{"11 code points in 22 bytes", DefaultPolicy, strings.Repeat("é", 11), nil, TooShort},
		{"12 code points", DefaultPolicy, strings.Repeat("é", 12), nil, 0},
		{"spaces count", DefaultPolicy, "a b c d e f ", nil, 0},
		{"128 characters", DefaultPolicy, long, nil, 0},
		{"129 characters", DefaultPolicy, long + "x", nil, 0},
		{"256 characters", DefaultPolicy, long + long, nil, 0},
		{"257 characters", DefaultPolicy, long + long + "x", nil, TooLong},
		{"256 code points in 512 bytes", DefaultPolicy, strings.Repeat("é", 256), nil, 0},
		{"257 code points", DefaultPolicy, strings.Repeat("é", 257), nil, TooLong},
		{"a megabyte", DefaultPolicy, strings.Repeat("a", 1<<20), nil, TooLong},
		{"129 characters, maximum 128", Policy{MaxLength: 128}, long + "x", nil, TooLong},
		{"invalid UTF-8", DefaultPolicy, "Zq8#mK2$wL9!\xff", nil, NotText},
		{"common", DefaultPolicy, "password1234", nil, Common},
		{"common in upper case", DefaultPolicy, "PASSWORD1234", nil, Common},
		{"common capitalised", DefaultPolicy, "Qwertyuiop12", nil, Common},
		{"common digits", DefaultPolicy, "123456789012", nil, Common},
		{"common keyboard walk", DefaultPolicy, "1q2w3e4r5t6y", nil, Common},
		{"common, list not checked", Policy{}, "password1234", nil, 0},
		{"common but too short first", DefaultPolicy, "password", nil, TooShort},
		{"username", DefaultPolicy, "alice.wonderland", []string{"alice.wonderland", "alice@example.com"}, SameAsUser},
		{"username in other case", DefaultPolicy, "Alice.Wonderland", []string{"alice.wonderland"}, SameAsUser},
		{"e-mail address", DefaultPolicy, "alice@example.com", []string{"alice", "alice@example.com"}, SameAsUser},
		{"e-mail local part", DefaultPolicy, "alice.liddell1865", []string{"alice", "Alice.Liddell1865@example.com"}, SameAsUser},
		{"contains the username", DefaultPolicy, "alice.wonderland.rabbit", []string{"alice.wonderland"}, 0},
		{"empty context", DefaultPolicy, "Zq8#mK2$wL9!", []string{"", "  "}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.Check(tt.pw, tt.context...)
			if tt.want == 0 {
				if err != nil {
					t.Errorf("%+v.Check(%.40q, %q) = %v, want nil", tt.policy, tt.pw, tt.context, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) || pe.Reason != tt.want {
				t.Errorf("%+v.Check(%.40q, %q) = %v, want a PolicyError with reason %d", tt.policy, tt.pw, tt.context, err, tt.want)
			}
		})
	}
}

func TestPolicyErrorMessages(t *testing.T) {
	tests := []struct {
		err  *PolicyError
		want string
	}{
		{&PolicyError{Reason: TooShort, Limit: 12}, "password must be at least 12 characters long"},
		{&PolicyError{Reason: TooLong, Limit: 256}, "password must be at most 256 characters long"},
		{&PolicyError{Reason: NotText}, "password contains bytes that are not valid text"},
		{&PolicyError{Reason: Common}, "password is on a list of common or breached passwords; choose another"},
		{&PolicyError{Reason: SameAsUser}, "password must not be your username or e-mail address"},
		{&PolicyError{}, "password is not allowed"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%+v.Error() = %q, want %q", *tt.err, got, tt.want)
		}
	}
	err := DefaultPolicy.Check("short")
	var pe *PolicyError
	if !errors.As(err, &pe) || pe.Limit != 12 {
		t.Errorf("DefaultPolicy.Check(short) = %#v, want TooShort with Limit 12", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Policy
		ok   bool
	}{
		{"zero", Policy{}, true},
		{"default", DefaultPolicy, true},
		{"NIST minimum", Policy{MinLength: 8, MaxLength: 128}, true},
		{"single factor", Policy{MinLength: 15}, true},
		{"minimum 7", Policy{MinLength: 7}, false},
		{"negative minimum", Policy{MinLength: -1}, false},
		{"maximum 127", Policy{MaxLength: 127}, false},
		{"minimum above maximum", Policy{MinLength: 200, MaxLength: 128}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("%+v.Validate() = %v, want ok=%v", tt.p, err, tt.ok)
			}
			// An invalid policy refuses every password, with its own error,
			// not one meant for the user.
			cerr := tt.p.Check("Zq8#mK2$wL9!xx")
			var pe *PolicyError
			if !tt.ok && (cerr == nil || errors.As(cerr, &pe)) {
				t.Errorf("%+v.Check() = %v, want the Validate error", tt.p, cerr)
			}
		})
	}
}

func BenchmarkCommonCheck(b *testing.B) {
	if _, err := loadCommon(); err != nil {
		b.Fatal(err)
	}
	for _, bm := range []struct{ name, pw string }{
		{"accepted", "Zq8#mK2$wL9!"},
		{"common", "password1234"},
		{"common upper case", "PASSWORD1234"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = DefaultPolicy.Check(bm.pw, "alice", "alice@example.com")
			}
		})
	}
}
