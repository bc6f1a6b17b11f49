package password

import (
	"errors"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// cheap are parameters fast enough for tests that hash many times.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func mustHasher(tb testing.TB, p Params) *Hasher {
	tb.Helper()
	h, err := NewHasher(p)
	if err != nil {
		tb.Fatalf("NewHasher(%+v): %v", p, err)
	}
	return h
}

func mustHash(tb testing.TB, h *Hasher, pw string) string {
	tb.Helper()
	enc, err := h.Hash(pw)
	if err != nil {
		tb.Fatalf("Hash(%q): %v", pw, err)
	}
	return enc
}

func TestDefaultParamsAreOWASP(t *testing.T) {
	want := Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	if DefaultParams != want {
		t.Errorf("DefaultParams = %+v, want %+v", DefaultParams, want)
	}
	if err := DefaultParams.Validate(); err != nil {
		t.Errorf("DefaultParams.Validate() = %v", err)
	}
}

func TestHashFormat(t *testing.T) {
	h := mustHasher(t, DefaultParams)
	enc := mustHash(t, h, "correct horse battery staple")
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(enc) {
		t.Errorf("Hash() = %q, want a match for %s", enc, re)
	}
	if enc2 := mustHash(t, h, "correct horse battery staple"); enc2 == enc {
		t.Errorf("two hashes of one password are equal (%q): the salt is not random", enc)
	}
}

func TestHashVerify(t *testing.T) {
	h := mustHasher(t, cheap)
	for _, pw := range []string{"correct horse battery staple", "", "pässwörd ✓", strings.Repeat("long ", 200), "nul\x00inside"} {
		enc := mustHash(t, h, pw)
		ok, rehash, err := h.Verify(pw, enc)
		if !ok || rehash || err != nil {
			t.Errorf("Verify(%q, Hash(%[1]q)) = %v, %v, %v; want true, false, nil", pw, ok, rehash, err)
		}
		for _, wrong := range []string{pw + "x", strings.ToUpper(pw) + "!", "nul"} {
			if wrong == pw {
				continue
			}
			ok, _, err := h.Verify(wrong, enc)
			if ok || err != nil {
				t.Errorf("Verify(%q, Hash(%q)) = %v, _, %v; want false, _, nil", wrong, pw, ok, err)
			}
		}
	}
}

// TestVerifyKnownAnswers checks hashes made by the argon2 reference
// implementation's command-line tool (argon2 from the Debian package):
//
//	echo -n 'correct horse battery staple' | argon2 rampart-kat-salt -id -t 2 -k 64 -p 1 -l 32 -e
func TestVerifyKnownAnswers(t *testing.T) {
	tests := []struct {
		name, pw, enc string
		params        Params // the Hasher's
		rehash        bool
	}{
		{
			"argon2id", "correct horse battery staple",
			"$argon2id$v=19$m=64,t=2,p=1$cmFtcGFydC1rYXQtc2FsdA$NCHTnYaN4gCOKRJiBDba53h/Q0dH6OysZjFzyoDshNw",
			Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, false,
		},
		{
			"argon2id defaults", "correct horse battery staple",
			"$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$gy5SuVm5Z7Vw7keB9se9p87QGcomaseB/S2U1OhTsM0",
			DefaultParams, false,
		},
		{
			"argon2i two lanes", "pässwörd ✓",
			"$argon2i$v=19$m=128,t=3,p=2$cmFtcGFydC1zYWx0LWkh$VdEf27U0fOQUMOpsHlo2pGVv330Xd6vt",
			cheap, true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := mustHasher(t, tt.params)
			ok, rehash, err := h.Verify(tt.pw, tt.enc)
			if !ok || rehash != tt.rehash || err != nil {
				t.Errorf("Verify(%q, %q) = %v, %v, %v; want true, %v, nil", tt.pw, tt.enc, ok, rehash, err, tt.rehash)
			}
			if ok, _, _ := h.Verify(tt.pw+" ", tt.enc); ok {
				t.Errorf("Verify(%q, %q) = true, want false", tt.pw+" ", tt.enc)
			}
		})
	}
}

func TestVerifyRehash(t *testing.T) {
	h := mustHasher(t, cheap)
	others := map[string]Params{
		"more memory":  {Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32},
		"more time":    {Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32},
		"more threads": {Memory: 64, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32},
		"longer salt":  {Memory: 64, Time: 1, Threads: 1, SaltLen: 32, KeyLen: 32},
		"shorter key":  {Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 16},
	}
	for name, p := range others {
		t.Run(name, func(t *testing.T) {
			enc := mustHash(t, mustHasher(t, p), "hunter2 hunter2")
			ok, rehash, err := h.Verify("hunter2 hunter2", enc)
			if !ok || !rehash || err != nil {
				t.Errorf("Verify(pw, hash with %+v) = %v, %v, %v; want true, true, nil", p, ok, rehash, err)
			}
			// The upgraded hash no longer asks for one.
			up := mustHash(t, h, "hunter2 hunter2")
			if ok, rehash, err := h.Verify("hunter2 hunter2", up); !ok || rehash || err != nil {
				t.Errorf("Verify(pw, rehashed) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
		})
	}
}

func TestVerifyDummyDoesTheWorkOfVerify(t *testing.T) {
	h := mustHasher(t, cheap)
	enc := mustHash(t, h, "the real password")

	before := h.Computations()
	if _, _, err := h.Verify("a wrong password", enc); err != nil {
		t.Fatal(err)
	}
	real := h.Computations() - before

	before = h.Computations()
	h.VerifyDummy("a wrong password")
	dummy := h.Computations() - before

	if real != 1 || dummy != real {
		t.Errorf("Verify computed %d hashes and VerifyDummy %d; want 1 and 1", real, dummy)
	}
	// Counting is not doing: both fill the argon2 memory, and so allocate it.
	allocated := func(f func()) uint64 {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		f()
		runtime.ReadMemStats(&m1)
		return m1.TotalAlloc - m0.TotalAlloc
	}
	realBytes := allocated(func() { _, _, _ = h.Verify("a wrong password", enc) })
	dummyBytes := allocated(func() { h.VerifyDummy("a wrong password") })
	if memory := uint64(h.p.Memory) << 10; realBytes < memory || dummyBytes < memory || dummyBytes > realBytes+realBytes/10 || realBytes > dummyBytes+dummyBytes/10 {
		t.Errorf("Verify allocated %d bytes and VerifyDummy %d; want both about %d", realBytes, dummyBytes, memory)
	}
	// The dummy hash has the Hasher's own parameters, so its work is the
	// same as for a user whose hash is current.
	if d, err := parse(h.dummy); err != nil || d.format != FormatArgon2id || !d.argon.hasParams(h.p) {
		t.Errorf("dummy hash parses as %v, %+v, %v; want argon2id with %+v", d.format, d.argon.params, err, h.p)
	}
	for _, pw := range []string{"", "the real password", "x"} {
		if ok, _, _ := h.Verify(pw, h.dummy); ok {
			t.Errorf("Verify(%q, dummy) = true; no password may match the dummy hash", pw)
		}
	}
}

func TestComputationsCountEveryHash(t *testing.T) {
	h := mustHasher(t, cheap)
	enc := mustHash(t, h, "pw")
	_, _, _ = h.Verify("pw", enc)
	_, _, _ = h.Verify("pw", "$argon2id$v=19$m=64,t=1,p=1$bad") // malformed: no work
	if got := h.Computations(); got != 2 {
		t.Errorf("Computations() = %d after Hash, Verify and a malformed Verify; want 2", got)
	}
}

func TestParamsValidate(t *testing.T) {
	tests := []struct {
		name string
		p    Params
		ok   bool
	}{
		{"defaults", DefaultParams, true},
		{"cheap", cheap, true},
		{"at the limits", Params{Memory: 1 << 20, Time: 32, Threads: 64, SaltLen: 64, KeyLen: 128}, true},
		{"zero", Params{}, false},
		{"no time", Params{Memory: 64, Time: 0, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"too much time", Params{Memory: 64, Time: 33, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"no threads", Params{Memory: 64, Time: 1, Threads: 0, SaltLen: 16, KeyLen: 32}, false},
		{"too many threads", Params{Memory: 1024, Time: 1, Threads: 65, SaltLen: 16, KeyLen: 32}, false},
		{"memory below 8 KiB a lane", Params{Memory: 15, Time: 1, Threads: 2, SaltLen: 16, KeyLen: 32}, false},
		{"memory above 1 GiB", Params{Memory: 1<<20 + 1, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, false},
		{"short salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 32}, false},
		{"long salt", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 65, KeyLen: 32}, false},
		{"short key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 8}, false},
		{"long key", Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 129}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if (err == nil) != tt.ok {
				t.Errorf("%+v.Validate() = %v, want ok=%v", tt.p, err, tt.ok)
			}
			if _, err := NewHasher(tt.p); (err == nil) != tt.ok {
				t.Errorf("NewHasher(%+v) = %v, want ok=%v", tt.p, err, tt.ok)
			}
		})
	}
}

// TestVerifyBounds checks that hashes asking for too much are refused before
// any memory is allocated or any hash computed.
func TestVerifyBounds(t *testing.T) {
	const salt, key = "c29tZXNhbHRzb21lc2FsdA", "NCHTnYaN4gCOKRJiBDba53h/Q0dH6OysZjFzyoDshNw"
	tests := []struct {
		name, enc string
	}{
		{"huge memory", "$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"memory just above 1 GiB", "$argon2id$v=19$m=1048577,t=1,p=1$" + salt + "$" + key},
		{"huge time", "$argon2id$v=19$m=64,t=4294967295,p=1$" + salt + "$" + key},
		{"time 33", "$argon2id$v=19$m=64,t=33,p=1$" + salt + "$" + key},
		{"huge parallelism", "$argon2id$v=19$m=65536,t=1,p=255$" + salt + "$" + key},
		{"parallelism 65", "$argon2id$v=19$m=65536,t=1,p=65$" + salt + "$" + key},
		{"salt of 65 bytes", "$argon2id$v=19$m=64,t=1,p=1$" + strings.Repeat("A", 87) + "$" + key},
		{"key of 129 bytes", "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + strings.Repeat("A", 172)},
		{"django argon2 huge memory", "argon2$argon2id$v=19$m=4294967295,t=1,p=1$" + salt + "$" + key},
		{"pbkdf2 11 million rounds", "$pbkdf2-sha256$11000000$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"},
		{"pbkdf2 huge rounds", "$pbkdf2-sha256$4294967295$AAECAwQFBgcICQoLDA0ODw$ppsXnjrdPB4KryJ6DrOqKqhkWrhv7PbKAMF1Eml8cZ4"},
		{"django pbkdf2 huge iterations", "pbkdf2_sha256$9999999999$Xq3kPz9LmN2wRtY7aB4cDe$SnsCePWE+kfUt20NDx80blalDqYVoiqADgnFMZuhiV8="},
		{"bcrypt cost 17", "$2b$17$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG"},
		{"bcrypt cost 31", "$2b$31$abcdefghijklmnopqrstuu7EJV7kdjBBQxyb0HjTh9KS7.Lah/6CG"},
	}
	h := mustHasher(t, cheap)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			const runs = 50
			for range runs {
				ok, rehash, err := h.Verify("pw", tt.enc)
				if ok || rehash || !errors.Is(err, ErrUnsupported) {
					t.Fatalf("Verify(pw, %q) = %v, %v, %v; want false, false, ErrUnsupported", tt.enc, ok, rehash, err)
				}
			}
			runtime.ReadMemStats(&m1)
			if per := (m1.TotalAlloc - m0.TotalAlloc) / runs; per > 8<<10 {
				t.Errorf("Verify(pw, %q) allocated %d bytes a call; want a few hundred", tt.enc, per)
			}
			if n := h.Computations(); n != 0 {
				t.Errorf("Verify(pw, %q) computed %d hashes; want none", tt.enc, n)
			}
			if err := Importable(tt.enc); !errors.Is(err, ErrUnsupported) {
				t.Errorf("Importable(%q) = %v, want ErrUnsupported", tt.enc, err)
			}
		})
	}
}

func TestVerifyErrorsDoNotRepeatTheHash(t *testing.T) {
	h := mustHasher(t, cheap)
	for _, enc := range []string{
		"$argon2id$v=19$m=64,t=1,p=1$c2VjcmV0c2FsdHNlY3JldA$!!!!secretsecret",
		"$argon2id$v=19$m=64,t=1,p=1$!!!!secretsecret$c2VjcmV0c2FsdHNlY3JldA",
		"$2b$04$secretsecretsecretsecretsecretsecret",
		"pbkdf2_sha256$1000$secretsalt$secret!!",
		"$pbkdf2-sha256$1000$secret$secret",
		"md5$secretsalt$secrethash",
	} {
		_, _, err := h.Verify("pw", enc)
		if err == nil {
			t.Errorf("Verify(pw, %q) = nil error, want one", enc)
			continue
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Verify(pw, %q) error %q repeats part of the hash", enc, err)
		}
	}
}

func TestHasherConcurrent(t *testing.T) {
	h := mustHasher(t, cheap)
	enc := mustHash(t, h, "shared")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				if ok, _, err := h.Verify("shared", enc); !ok || err != nil {
					t.Errorf("Verify(shared, hash) = %v, %v", ok, err)
				}
				h.VerifyDummy("shared")
			}
		})
	}
	wg.Wait()
	if got := h.Computations(); got != 1+8*10*2 {
		t.Errorf("Computations() = %d, want %d", got, 1+8*10*2)
	}
}

func BenchmarkHash(b *testing.B) {
	h := mustHasher(b, DefaultParams)
	b.ReportAllocs()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	n := 0
	for b.Loop() {
		if _, err := h.Hash("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
		n++
	}
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(n), "ms/op")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/(1<<20)/float64(n), "MiB/op")
}

func BenchmarkVerify(b *testing.B) {
	h := mustHasher(b, DefaultParams)
	enc := mustHash(b, h, "correct horse battery staple")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if ok, _, err := h.Verify("correct horse battery staple", enc); !ok || err != nil {
			b.Fatalf("Verify = %v, %v", ok, err)
		}
		n++
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(n), "ms/op")
}
