package traversal

import (
	"testing"

	"rampart/internal/waf/detect"
	"rampart/internal/waf/detect/detecttest"
)

func TestCorpusAttacks(t *testing.T) {
	ds := []detect.Detector{New()}
	for _, v := range detecttest.ReadLines(t, "testdata/attack.txt") {
		if !detecttest.Detected(ds, v) {
			_, ms := detecttest.Sum(ds[0], detect.Input{Value: v})
			t.Errorf("Detect(%q) = %+v, want a total >= 5 in some decoded variant", v, ms)
		}
	}
}

func TestCorpusBenign(t *testing.T) {
	ds := []detect.Detector{New()}
	for _, v := range detecttest.ReadLines(t, "testdata/benign.txt") {
		if detecttest.Detected(ds, v) {
			_, ms := detecttest.Sum(ds[0], detect.Input{Value: v})
			t.Errorf("Detect(%q) = %+v, want a total < 5 in every decoded variant", v, ms)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		in    detect.Input
		class detect.Class
		rule  string // "" means no paranoia-1 match
	}{
		{"climb to passwd", detect.Input{Value: "../../../etc/passwd"}, detect.Traversal, ruleSensitive},
		{"deep climb", detect.Input{Value: "../../../../x"}, detect.Traversal, ruleClimb},
		{"relative link", detect.Input{Value: "../images/logo.png"}, "", ""},
		{"link in html body", detect.Input{Value: `<img src="../../../../img/a.png">`, Kind: detect.KindBody}, "", ""},
		{"encoded", detect.Input{Value: "..%2f..%2fx", Kind: detect.KindJSON}, detect.Traversal, ruleEncoded},
		{"encoded dots", detect.Input{Value: "%2e%2e%2f%2e%2e%2fx"}, detect.Traversal, ruleEncoded},
		{"form-encoded slash", detect.Input{Value: "..%2F+meaning+in+file+paths"}, "", ""},
		{"overlong", detect.Input{Value: "%c0%ae%c0%ae/x"}, detect.Traversal, ruleEncoded},
		{"filter evasion", detect.Input{Value: "....//....//x"}, detect.Traversal, ruleEncoded},
		{"tomcat", detect.Input{Value: "..;/x"}, detect.Traversal, ruleEncoded},
		{"absolute climb", detect.Input{Value: "/var/www/../../x"}, detect.Traversal, ruleClimb},
		{"windows file", detect.Input{Value: `C:\Windows\win.ini`}, detect.Traversal, ruleSensitive},
		{"file url", detect.Input{Value: "file:///etc/shadow"}, detect.Traversal, ruleSensitive},
		{"null byte", detect.Input{Value: "x.php\x00.jpg"}, detect.Traversal, ruleNull},
		{"path dot segment", detect.Input{Value: "/a/../b", Kind: detect.KindPath}, detect.Traversal, ruleDotSegment},
		{"path git config", detect.Input{Value: "/.git/config", Kind: detect.KindPath}, detect.Traversal, ruleSensitive},
		{"path normal", detect.Input{Value: "/static/app.js", Kind: detect.KindPath}, "", ""},
		{"path dotfile name", detect.Input{Value: "/.env", Kind: detect.KindPath}, detect.Traversal, ruleSensitive},
		{"upload name climbs", detect.Input{Value: "../shell.php", Kind: detect.KindFilename}, detect.Traversal, ruleClimb},
		{"upload htaccess", detect.Input{Value: ".htaccess", Kind: detect.KindFilename}, detect.Traversal, ruleSensitive},
		{"htaccess in prose", detect.Input{Value: "edit your .htaccess file"}, "", ""},
		{"php filter", detect.Input{Value: "php://filter/resource=index.php"}, detect.RFI, ruleWrapper},
		{"expect", detect.Input{Value: "expect://id"}, detect.RFI, ruleWrapper},
		{"remote with ?", detect.Input{Value: "http://attacker.example/x.txt?"}, detect.RFI, ruleRemote},
		{"remote in include parameter", detect.Input{Value: "https://attacker.example/x", Name: "include"}, detect.RFI, ruleRemote},
		{"url parameter", detect.Input{Value: "https://example.com/page", Name: "url"}, "", ""},
		{"question ending in a url", detect.Input{Value: "did you see https://example.com/docs?"}, "", ""},
		{"loopback callback", detect.Input{Value: "http://127.0.0.1:8080/callback", Name: "redirect_uri"}, "", ""},
		{"raw ip script", detect.Input{Value: "http://203.0.113.9/x.php"}, detect.RFI, ruleRemote},
		{"remote trailing &", detect.Input{Value: "http://evil.example/inc.php?cmd=id&", Name: "q", Kind: detect.KindForm}, detect.RFI, ruleRemote},
		{"remote trailing #", detect.Input{Value: "http://evil.example/x.txt#", Name: "url", Kind: detect.KindJSON}, detect.RFI, ruleRemote},
		{"remote extension query", detect.Input{Value: "http://evil.example/shell.jpg?.php", Name: "q"}, detect.RFI, ruleRemote},
		{"ftp script", detect.Input{Value: "ftp://evil.example/pub/x.php", Name: "q", Kind: detect.KindForm}, detect.RFI, ruleRemote},
		{"smb script", detect.Input{Value: "smb://evil.example/s/x.txt", Name: "url", Kind: detect.KindJSON}, detect.RFI, ruleRemote},
		{"mixed case scheme", detect.Input{Value: "hTtP://evil.example/x", Name: "url", Kind: detect.KindJSON}, detect.RFI, ruleRemote},
		{"query with &", detect.Input{Value: "http://example.com/search?q=a&b=c", Name: "url", Kind: detect.KindJSON}, "", ""},
		{"fragment", detect.Input{Value: "https://example.com/faq#top", Name: "url", Kind: detect.KindForm}, "", ""},
		{"ftp directory", detect.Input{Value: "ftp://ftp.example.org/pub/linux/", Name: "q"}, "", ""},
		{"upper case scheme", detect.Input{Value: "HTTP://EXAMPLE.COM/", Name: "url"}, "", ""},
		{"text file for url", detect.Input{Value: "https://cdn.example/docs/readme.txt", Name: "url", Kind: detect.KindJSON}, "", ""},
		{"unc admin share", detect.Input{Value: `\\10.0.0.1\c$\x`}, detect.Traversal, ruleSensitive},
		{"unc script", detect.Input{Value: `\\198.51.100.9\share\x.php`}, detect.RFI, ruleRemote},
		{"unc share", detect.Input{Value: `\\fileserver\shared\plan.xlsx`}, "", ""},
	}
	d := New()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, ms := detecttest.Sum(d, tt.in)
			if tt.rule == "" {
				if s >= 5 {
					t.Errorf("Detect(%q) = %+v, want a total < 5", tt.in.Value, ms)
				}
				return
			}
			for _, m := range ms {
				if m.Rule == tt.rule && m.Class == tt.class && m.Score == 5 && m.Paranoia == 1 {
					if m.Off < 0 || m.Len <= 0 || m.Off+m.Len > len(tt.in.Value) {
						t.Errorf("Detect(%q) = %+v: location out of the value", tt.in.Value, m)
					}
					return
				}
			}
			t.Errorf("Detect(%q) = %+v, want %s %s with score 5", tt.in.Value, ms, tt.class, tt.rule)
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		evasion  bool
	}{
		{"a/b", "a/b", false},
		{`..\..\x`, "../../x", false},
		{"%2e%2e%2f", "../", true},
		{"%2E%2E%5C", "../", true},
		{"%c0%ae%c0%af", "./", true},
		{"%e0%80%ae", ".", true},
		{"\xc0\xae\xc1\x9c", "./", true},
		{"%u002e%u2215", "./", true},
		{"．／", "./", true},
		{"0x2e0x2e0x2f", "../", true},
		{"%41%2", "%41%2", false},
		{"café", "café", false},
		{"x%00y", "x\x00y", false},
	}
	for _, tt := range tests {
		var p norm
		p.normalize(tt.in)
		if got := string(p.buf[:p.n]); got != tt.want || p.evasion != tt.evasion {
			t.Errorf("normalize(%q) = %q, evasion %v; want %q, %v", tt.in, got, p.evasion, tt.want, tt.evasion)
		}
	}
}
