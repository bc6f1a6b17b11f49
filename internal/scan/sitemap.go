package scan

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Bounds on sitemaps: the protocol allows 50 000 URLs and 50 MiB per
// file; a scan needs far fewer, and the client reads at most maxBody.
const (
	maxSitemapBytes = 4 << 20
	maxSitemapURLs  = 5000
	maxSitemapDepth = 32
	maxSitemapFiles = 10
)

// parseSitemap reads a sitemap: the page URLs of a <urlset> and the
// sitemap URLs of a <sitemapindex>, at most maxSitemapURLs in all.
// Input beyond maxSitemapBytes is ignored; a document cut short yields
// what was read before the cut.
func parseSitemap(body []byte) (pages, sitemaps []string, err error) {
	if len(body) > maxSitemapBytes {
		body = body[:maxSitemapBytes]
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	// The element a <loc> belongs to ("url" or "sitemap"), and the text
	// of the <loc> being read.
	var parent string
	var inLoc bool
	var loc strings.Builder
	depth := 0
	root := ""
	for len(pages)+len(sitemaps) < maxSitemapURLs {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			if len(pages)+len(sitemaps) > 0 {
				break
			}
			return nil, nil, fmt.Errorf("parse sitemap: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxSitemapDepth {
				return pages, sitemaps, errors.New("parse sitemap: nested too deep")
			}
			name := strings.ToLower(t.Name.Local)
			if root == "" {
				root = name
				if root != "urlset" && root != "sitemapindex" {
					return nil, nil, fmt.Errorf("parse sitemap: root element <%s> is neither urlset nor sitemapindex", t.Name.Local)
				}
			}
			switch name {
			case "url", "sitemap":
				parent = name
			case "loc":
				inLoc = parent != ""
				loc.Reset()
			}
		case xml.EndElement:
			depth--
			switch strings.ToLower(t.Name.Local) {
			case "loc":
				if inLoc {
					u := strings.TrimSpace(loc.String())
					if u != "" && len(u) <= maxURLLen {
						if parent == "sitemap" && root == "sitemapindex" {
							sitemaps = append(sitemaps, u)
						} else if parent == "url" {
							pages = append(pages, u)
						}
					}
				}
				inLoc = false
			case "url", "sitemap":
				parent = ""
			}
		case xml.CharData:
			if inLoc && loc.Len() <= maxURLLen {
				loc.Write(t)
			}
		}
	}
	return pages, sitemaps, nil
}
