package tlsaudit

import (
	"slices"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		id    uint16
		class class
		kx    string
		bits  int
		fs    bool
	}{
		{0x0001, classNull, "RSA", 0, false},          // TLS_RSA_WITH_NULL_MD5
		{0x0003, classExport, "RSA", 40, false},       // TLS_RSA_EXPORT_WITH_RC4_40_MD5
		{0x0008, classExport, "RSA", 40, false},       // TLS_RSA_EXPORT_WITH_DES40_CBC_SHA
		{0x0062, classExport, "RSA", 56, false},       // TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA
		{0x0005, classRC4, "RSA", 128, false},         // TLS_RSA_WITH_RC4_128_SHA
		{0xC011, classRC4, "ECDHE", 128, true},        // TLS_ECDHE_RSA_WITH_RC4_128_SHA
		{0x0009, classLowBits, "RSA", 56, false},      // TLS_RSA_WITH_DES_CBC_SHA
		{0x000A, class64Bit, "RSA", 112, false},       // TLS_RSA_WITH_3DES_EDE_CBC_SHA
		{0xC012, class64Bit, "ECDHE", 112, true},      // TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA
		{0x0007, class64Bit, "RSA", 128, false},       // TLS_RSA_WITH_IDEA_CBC_SHA
		{0x0018, classAnon, "DHE", 128, true},         // TLS_DH_anon_WITH_RC4_128_MD5
		{0xC018, classAnon, "ECDHE", 128, true},       // TLS_ECDH_anon_WITH_AES_128_CBC_SHA
		{0x002F, classNoFS, "RSA", 128, false},        // TLS_RSA_WITH_AES_128_CBC_SHA
		{0x009C, classNoFS, "RSA", 128, false},        // TLS_RSA_WITH_AES_128_GCM_SHA256
		{0xC02D, classNoFS, "ECDH", 128, false},       // TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256
		{0x00A8, classNoFS, "PSK", 128, false},        // TLS_PSK_WITH_AES_128_GCM_SHA256
		{0xC013, classNoAEAD, "ECDHE", 128, true},     // TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
		{0x0039, classNoAEAD, "DHE", 256, true},       // TLS_DHE_RSA_WITH_AES_256_CBC_SHA
		{0xC02F, classStrong, "ECDHE", 128, true},     // TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
		{0xCCA9, classStrong, "ECDHE", 256, true},     // TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
		{0x009F, classStrong, "DHE", 256, true},       // TLS_DHE_RSA_WITH_AES_256_GCM_SHA384
		{0xC0AC, classStrong, "ECDHE", 128, true},     // TLS_ECDHE_ECDSA_WITH_AES_128_CCM
		{0xD001, classStrong, "ECDHE_PSK", 128, true}, // TLS_ECDHE_PSK_WITH_AES_128_GCM_SHA256
		{0x1301, classStrong, "", 128, true},          // TLS_AES_128_GCM_SHA256
		{0x1303, classStrong, "", 256, true},          // TLS_CHACHA20_POLY1305_SHA256
		{0xC0B4, classNull, "", 0, true},              // TLS_SHA256_SHA256
		{0xCC13, classStrong, "ECDHE", 256, true},     // draft ChaCha20
	}
	for _, tt := range tests {
		s := lookupSuite(tt.id)
		t.Run(s.name, func(t *testing.T) {
			if got := s.class(); got != tt.class {
				t.Errorf("class = %d, want %d", got, tt.class)
			}
			if s.kx != tt.kx || s.bits != tt.bits || s.fs != tt.fs {
				t.Errorf("kx %q bits %d fs %v, want %q %d %v", s.kx, s.bits, s.fs, tt.kx, tt.bits, tt.fs)
			}
		})
	}
}

// TestSuiteTable checks every row: codes ascending and unique, names
// unique, every real suite with a known strength and MAC.
func TestSuiteTable(t *testing.T) {
	names := map[string]bool{}
	for i, row := range suiteTable {
		if i > 0 && row.id <= suiteTable[i-1].id {
			t.Errorf("%s (%s) out of order", row.name, hex16(row.id))
		}
		if names[row.name] {
			t.Errorf("%s listed twice", row.name)
		}
		names[row.name] = true
		s := suiteByID[row.id]
		if s.scsv {
			continue
		}
		if !s.null && s.bits == 0 {
			t.Errorf("%s: no key size", row.name)
		}
		if !s.aead && !s.null && s.mac == "" && !strings.Contains(row.name, "GOST") {
			t.Errorf("%s: no MAC", row.name)
		}
		if s.tls13 != (row.id>>8 == 0x13 || row.id == 0x00C6 || row.id == 0x00C7 || row.id == 0xC0B4 || row.id == 0xC0B5) {
			t.Errorf("%s: tls13 = %v", row.name, s.tls13)
		}
	}
	if n := len(offerable(false)); n < 330 {
		t.Errorf("offerable(false) has %d suites, want the whole registry", n)
	}
	if got := offerable(true); !slices.Contains(got, 0x1301) || slices.Contains(got, 0x002F) {
		t.Errorf("offerable(true) = %v", got)
	}
	for _, scsv := range []uint16{0x0000, 0x00FF, 0x5600} {
		if slices.Contains(offerable(false), scsv) {
			t.Errorf("%s offered", hex16(scsv))
		}
	}
	if got := suiteName(0xFAFA); got != "0xFAFA" {
		t.Errorf("suiteName(0xFAFA) = %q", got)
	}
	if got := sslv2Name(0x0A0B0C); got != "0x0A0B0C" {
		t.Errorf("sslv2Name(0x0A0B0C) = %q", got)
	}
}

func TestStripes(t *testing.T) {
	ids := offerable(false)
	groups := stripes(ids, chunkSize)
	if want := (len(ids) + chunkSize - 1) / chunkSize; len(groups) != want {
		t.Fatalf("stripes gave %d groups, want %d", len(groups), want)
	}
	var all []uint16
	for _, g := range groups {
		if len(g) > chunkSize {
			t.Errorf("group of %d suites, want at most %d", len(g), chunkSize)
		}
		all = append(all, g...)
	}
	slices.Sort(all)
	if !slices.Equal(all, ids) {
		t.Error("stripes lost or repeated suites")
	}
	if got := stripes(nil, chunkSize); len(got) != 0 {
		t.Errorf("stripes(nil) = %v", got)
	}
}
