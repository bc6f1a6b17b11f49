package recovery

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"regexp"
	"strings"
	"testing"
)

var codeRE = regexp.MustCompile(`^[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}$`)

func TestAlphabet(t *testing.T) {
	if len(Alphabet) != 31 {
		t.Errorf("len(Alphabet) = %d, want 31", len(Alphabet))
	}
	if strings.ContainsAny(Alphabet, "01oli") {
		t.Errorf("Alphabet %q has an ambiguous character", Alphabet)
	}
	seen := map[rune]bool{}
	for _, c := range Alphabet {
		if seen[c] {
			t.Errorf("Alphabet repeats %q", c)
		}
		seen[c] = true
	}
	if bits := Length * math.Log2(float64(len(Alphabet))); bits < 50 {
		t.Errorf("a code has %.1f bits of entropy, want at least 50", bits)
	}
}

func TestGenerate(t *testing.T) {
	codes, hashes, err := Generate("u1", DefaultCount)
	if err != nil {
		t.Fatalf("Generate(u1, %d) = %v", DefaultCount, err)
	}
	if len(codes) != DefaultCount || len(hashes) != DefaultCount {
		t.Fatalf("Generate(u1, %d) = %d codes, %d hashes", DefaultCount, len(codes), len(hashes))
	}
	for i, c := range codes {
		if !codeRE.MatchString(c) {
			t.Errorf("code %q is not three groups of four from the alphabet", c)
		}
		norm, ok := Normalize(c)
		if !ok || norm != strings.ReplaceAll(c, "-", "") {
			t.Errorf("Normalize(%q) = %q, %v", c, norm, ok)
		}
		if hashes[i] != Hash("u1", norm) {
			t.Errorf("hash %d = %s, want Hash(u1, %q) = %s", i, hashes[i], norm, Hash("u1", norm))
		}
		if strings.Contains(hashes[i], norm) {
			t.Errorf("hash %s contains its code", hashes[i])
		}
	}
	for _, n := range []int{0, -1, MaxCount + 1} {
		if _, _, err := Generate("u1", n); err == nil {
			t.Errorf("Generate(u1, %d) = nil error", n)
		}
	}
	if codes, _, err := Generate("u1", MaxCount); err != nil || len(codes) != MaxCount {
		t.Errorf("Generate(u1, %d) = %d codes, %v", MaxCount, len(codes), err)
	}
}

func TestGenerateUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 200 {
		codes, hashes, err := Generate("u1", DefaultCount)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range codes {
			if seen[c] || seen[hashes[i]] {
				t.Fatalf("code %q or its hash came up twice", c)
			}
			seen[c], seen[hashes[i]] = true, true
		}
	}
}

// TestGenerateUniform checks that every character of the alphabet turns up
// at every position about as often as the others: 24 000 codes give about
// 774 of each character per position, and a character missing or twice as
// common would fall far outside 600..950.
func TestGenerateUniform(t *testing.T) {
	counts := make([][31]int, Length)
	for range 2400 {
		codes, _, err := Generate("u1", DefaultCount)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range codes {
			norm, _ := Normalize(c)
			for pos := range len(norm) {
				counts[pos][strings.IndexByte(Alphabet, norm[pos])]++
			}
		}
	}
	for pos, row := range counts {
		for i, n := range row {
			if n < 600 || n > 950 {
				t.Errorf("%q at position %d: %d times in 24 000 codes, want about 774", Alphabet[i], pos, n)
			}
		}
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"as shown", "abcd-efgh-jkmn", "abcdefghjkmn"},
		{"upper case with space and dash", "ABCD EFGH-IJKM", "abcdefghijkm"},
		{"no separators", "x7kqm2vp9hta", "x7kqm2vp9hta"},
		{"spaces around", "  x7kq-m2vp-9hta ", "x7kqm2vp9hta"},
		{"mixed case, odd grouping", "X7-kQm 2vP9h--ta", "x7kqm2vp9hta"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Normalize(tt.in)
			if !ok || got != tt.want {
				t.Errorf("Normalize(%q) = %q, %v; want %q, true", tt.in, got, ok, tt.want)
			}
		})
	}
}

var malformed = []string{
	"", "-", "abcd-efgh-jkm", "abcd-efgh-jkmnp", "abcd_efgh_jkmn", "abcd.efgh.jkmn",
	"abcd\tefgh\tjkmn", "abcd-efgh-jkmn\n", "abcd-efgh-jkm\x00", "abcd-efgh-jkmé",
	"ａｂｃｄ-efgh-jkmn", "abcd-efgh-jkmn; drop table", strings.Repeat(" ", 60) + "abcd-efgh-jkmn",
}

func TestNormalizeMalformed(t *testing.T) {
	for _, in := range malformed {
		if got, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, true; want false", in, got)
		}
	}
}

func TestHash(t *testing.T) {
	sum := sha256.Sum256([]byte("u1\x00abcdefghjkmn"))
	if got, want := Hash("u1", "abcdefghjkmn"), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("Hash(u1, %q) = %s, want %s", "abcdefghjkmn", got, want)
	}
	if Hash("u1", "abcdefghjkmn") == Hash("u2", "abcdefghjkmn") {
		t.Error("the same code hashes alike for two users")
	}
	a, _ := Normalize("ABCD EFGH-JKMN")
	b, _ := Normalize("abcd-efgh-jkmn")
	if Hash("u1", a) != Hash("u1", b) {
		t.Error("two spellings of one code hash differently")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range malformed {
		f.Add(s)
	}
	f.Add("ABCD EFGH-IJKM")
	f.Add("x7kq-m2vp-9hta")
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > 4*maxInput {
			return
		}
		got, ok := Normalize(in)
		if !ok {
			if got != "" {
				t.Errorf("Normalize(%q) = %q, false; want \"\"", in, got)
			}
			return
		}
		if len(got) != Length || strings.Trim(got, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Fatalf("Normalize(%q) = %q: not 12 lower-case letters and digits", in, got)
		}
		// The reference: strip the separators and lower the case.
		if want := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(in)); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
		if again, ok := Normalize(got); !ok || again != got {
			t.Errorf("Normalize(Normalize(%q)) = %q, %v; want %q", in, again, ok, got)
		}
		if again, ok := Normalize(format(got)); !ok || again != got {
			t.Errorf("Normalize(format(%q)) = %q, %v", got, again, ok)
		}
	})
}
