package tlsaudit

import "testing"

func TestParseHSTS(t *testing.T) {
	tests := []struct {
		name    string
		values  []string
		maxAge  int64
		sub     bool
		preload bool
	}{
		{"missing", nil, -1, false, false},
		{"one year", []string{"max-age=31536000"}, 31536000, false, false},
		{"all directives", []string{"max-age=63072000; includeSubDomains; preload"}, 63072000, true, true},
		{"case and spaces", []string{" Max-Age = 300 ;INCLUDESUBDOMAINS"}, 300, true, false},
		{"quoted", []string{`max-age="15552000"`}, 15552000, false, false},
		{"zero", []string{"max-age=0"}, 0, false, false},
		{"no max-age", []string{"includeSubDomains"}, -1, false, false},
		{"bad number", []string{"max-age=soon"}, -1, false, false},
		{"negative", []string{"max-age=-1"}, -1, false, false},
		{"repeated directive", []string{"max-age=1; max-age=31536000"}, -1, false, false},
		{"first header wins", []string{"max-age=10", "max-age=31536000"}, 10, false, false},
		{"empty directives", []string{";;max-age=5;;"}, 5, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := parseHSTS("HTTP/1.1 200 OK", tt.values)
			if h.maxAge != tt.maxAge || h.includeSubDomains != tt.sub || h.preload != tt.preload || !h.checked {
				t.Errorf("parseHSTS(%q) = max-age %d sub %v preload %v, want %d %v %v",
					tt.values, h.maxAge, h.includeSubDomains, h.preload, tt.maxAge, tt.sub, tt.preload)
			}
		})
	}
}
