package scan

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSitemap(t *testing.T) {
	tests := []struct {
		name, xml       string
		pages, sitemaps []string
		wantErr         bool
	}{
		{"urlset", `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://e.com/a </loc><lastmod>2024-01-01</lastmod></url><url><loc>https://e.com/b?x=1&amp;y=2</loc></url></urlset>`,
			[]string{"https://e.com/a", "https://e.com/b?x=1&y=2"}, nil, false},
		{"index", `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://e.com/s1.xml</loc></sitemap><sitemap><loc>https://e.com/s2.xml</loc></sitemap></sitemapindex>`,
			nil, []string{"https://e.com/s1.xml", "https://e.com/s2.xml"}, false},
		{"loc outside url ignored", `<urlset><loc>https://e.com/x</loc><url><loc>https://e.com/y</loc></url></urlset>`, []string{"https://e.com/y"}, nil, false},
		{"not a sitemap", `<html><body>404</body></html>`, nil, nil, true},
		{"garbage", `not xml at all`, nil, nil, false},
		{"cut short keeps what was read", `<urlset><url><loc>https://e.com/1</loc></url><url><loc>https://e.com/2`, []string{"https://e.com/1"}, nil, false},
		{"other charset", `<?xml version="1.0" encoding="ISO-8859-1"?><urlset><url><loc>https://e.com/c</loc></url></urlset>`, []string{"https://e.com/c"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pages, maps, err := parseSitemap([]byte(tt.xml))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseSitemap error = %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(pages, tt.pages) || !slices.Equal(maps, tt.sitemaps) {
				t.Errorf("parseSitemap = %q, %q; want %q, %q", pages, maps, tt.pages, tt.sitemaps)
			}
		})
	}
}

func TestParseSitemapBounds(t *testing.T) {
	var b strings.Builder
	b.WriteString("<urlset>")
	for range maxSitemapURLs + 100 {
		b.WriteString("<url><loc>https://e.com/p</loc></url>")
	}
	pages, _, err := parseSitemap([]byte(b.String()))
	if err != nil || len(pages) != maxSitemapURLs {
		t.Errorf("parseSitemap of %d URLs = %d, %v; want %d", maxSitemapURLs+100, len(pages), err, maxSitemapURLs)
	}
	deep := "<urlset>" + strings.Repeat("<a>", maxSitemapDepth+5)
	if _, _, err := parseSitemap([]byte(deep)); err == nil {
		t.Error("a deeply nested document parsed without error")
	}
}

func FuzzParseSitemap(f *testing.F) {
	f.Add(`<urlset><url><loc>https://e.com/a</loc></url></urlset>`)
	f.Add(`<sitemapindex><sitemap><loc>/s.xml</loc></sitemap></sitemapindex>`)
	f.Add(`<urlset><url><loc><![CDATA[https://e.com/x]]></loc></url><!-- c --></urlset>`)
	f.Fuzz(func(t *testing.T, in string) {
		if len(in) > maxFuzzInput {
			return
		}
		pages, maps, err := parseSitemap([]byte(in))
		if err != nil && len(pages)+len(maps) > 0 && !strings.Contains(err.Error(), "deep") {
			t.Fatalf("error %v with %d results", err, len(pages)+len(maps))
		}
		if len(pages)+len(maps) > maxSitemapURLs {
			t.Fatalf("%d URLs", len(pages)+len(maps))
		}
		for _, u := range append(pages, maps...) {
			if u == "" || len(u) > maxURLLen {
				t.Fatalf("URL %q", u)
			}
		}
	})
}
