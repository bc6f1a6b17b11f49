package scan

import (
	"fmt"
	"net/url"
	"testing"
)

func TestJSVulnTable(t *testing.T) {
	tbl, err := loadJSLibTable()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for lib, vs := range tbl.byLib {
		if _, ok := libDisplay[lib]; !ok {
			t.Errorf("library %q in the table has no fingerprint", lib)
		}
		ids := map[string]bool{}
		for _, v := range vs {
			n++
			if ids[v.ID] {
				t.Errorf("%s: %s listed twice", lib, v.ID)
			}
			ids[v.ID] = true
			if v.Summary == "" || v.sev < SeverityLow {
				t.Errorf("%s %s: no summary or severity", lib, v.ID)
			}
			for _, r := range v.Ranges {
				if r.AtOrAbove != "" && r.Below != "" && r.from.cmp(r.below) >= 0 {
					t.Errorf("%s %s: empty range %+v", lib, v.ID, r)
				}
			}
		}
	}
	if n < 40 {
		t.Errorf("the table has %d entries, want at least 40", n)
	}
}

func TestVersionCompare(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1.12.4", "3.5.0", -1},
		{"3.5.0", "3.5", 0},
		{"1.10.0", "1.9.9", 1},
		{"3.0.0-beta.1", "3.0.0", -1},
		{"3.0.0-beta.1", "3.0.0-rc.1", -1},
		{"1.6.0.2", "1.6.0.1", 1},
		{"v2.1", "2.1.0", 0},
	}
	for _, tt := range tests {
		a, ok1 := parseVersion(tt.a)
		b, ok2 := parseVersion(tt.b)
		if !ok1 || !ok2 {
			t.Fatalf("parseVersion(%q, %q) failed", tt.a, tt.b)
		}
		if got := a.cmp(b); got != tt.want {
			t.Errorf("cmp(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	for _, bad := range []string{"", "1", "a.b", "1.2.3.4.5", "1..2"} {
		if _, ok := parseVersion(bad); ok {
			t.Errorf("parseVersion(%q) succeeded", bad)
		}
	}
}

func TestFingerprintURL(t *testing.T) {
	tests := []struct{ u, want string }{
		{"https://code.jquery.com/jquery-1.12.4.min.js", "jquery@1.12.4"},
		{"https://code.jquery.com/jquery-3.4.1.slim.min.js", "jquery@3.4.1"},
		{"https://code.jquery.com/ui/1.12.1/jquery-ui.min.js", "jquery-ui@1.12.1"},
		{"/js/jquery-ui-1.10.4.custom.min.js", "jquery-ui@1.10.4"},
		{"/js/jquery-migrate-1.4.1.js", "jquery-migrate@1.4.1"},
		{"https://cdnjs.cloudflare.com/ajax/libs/jquery/2.2.4/jquery.min.js", "jquery@2.2.4"},
		{"https://cdnjs.cloudflare.com/ajax/libs/twitter-bootstrap/3.3.7/js/bootstrap.min.js", "bootstrap@3.3.7"},
		{"https://cdn.jsdelivr.net/npm/bootstrap@4.1.1/dist/js/bootstrap.bundle.min.js", "bootstrap@4.1.1"},
		{"https://ajax.googleapis.com/ajax/libs/angularjs/1.5.8/angular.min.js", "angularjs@1.5.8"},
		{"/static/angular-1.4.3.min.js", "angularjs@1.4.3"},
		{"https://unpkg.com/react-dom@16.4.0/umd/react-dom.production.min.js", "react-dom@16.4.0"},
		{"https://unpkg.com/react@16.4.0/umd/react.production.min.js", "react@16.4.0"},
		{"https://cdn.jsdelivr.net/npm/vue@2.6.14/dist/vue.js", "vue@2.6.14"},
		{"/lib/lodash-4.17.4.min.js", "lodash@4.17.4"},
		{"https://cdnjs.cloudflare.com/ajax/libs/moment.js/2.18.1/moment.min.js", ""},
		{"/js/moment-2.18.1.min.js", "moment@2.18.1"},
		{"/js/purify-2.0.0.min.js", "dompurify@2.0.0"},
		{"https://cdn.ckeditor.com/4.16.0/standard/ckeditor.js", "ckeditor@4.16.0"},
		{"/js/app.min.js", ""},
		{"/js/jquery.min.js", ""},
		{"/js/jquery.cookie-1.4.1.js", ""},
	}
	for _, tt := range tests {
		got := ""
		if f := fingerprintURL(mustURL(t, tt.u)); f != nil {
			got = f.lib + "@" + f.ver
		}
		if got != tt.want {
			t.Errorf("fingerprintURL(%q) = %q, want %q", tt.u, got, tt.want)
		}
	}
}

func TestFingerprintBody(t *testing.T) {
	tests := []struct{ name, body, want string }{
		{"jquery banner", "/*! jQuery v1.8.3 jquery.com | jquery.org/license */", "jquery@1.8.3"},
		{"jquery full banner", "/*!\n * jQuery JavaScript Library v1.11.1\n * http://jquery.com/", "jquery@1.11.1"},
		{"jquery ui", "/*! jQuery UI - v1.11.4 - 2015-03-11\n* http://jqueryui.com", "jquery-ui@1.11.4"},
		{"jquery migrate", "/*! jQuery Migrate v1.2.1 | (c) 2005, 2013 jQuery Foundation", "jquery-migrate@1.2.1"},
		{"bootstrap", "/*!\n * Bootstrap v3.3.7 (http://getbootstrap.com)\n */", "bootstrap@3.3.7"},
		{"angularjs", "/*\n AngularJS v1.6.4\n (c) 2010-2017 Google, Inc. http://angularjs.org\n License: MIT\n*/", ""},
		{"angularjs license", "/**\n * @license AngularJS v1.6.4\n * (c) 2010-2017 Google, Inc.", "angularjs@1.6.4"},
		{"react-dom", "/** @license React v16.4.1\n * react-dom.production.min.js\n *", "react-dom@16.4.1"},
		{"vue", "/*!\n * Vue.js v2.5.16\n * (c) 2014-2018 Evan You", "vue@2.5.16"},
		{"lodash min", ";(function(){function n(){}var u,i=\"4.17.15\",o=200,f=\"Unsupported core-js use. Try https://npms.io/search?q=ponyfill.\"", "lodash@4.17.15"},
		{"lodash source", "/**\n * @license\n * Lodash <https://lodash.com/>\n */\n  var VERSION = '4.17.10';", "lodash@4.17.10"},
		{"underscore", "//     Underscore.js 1.8.3\n//     http://underscorejs.org\n", "underscore@1.8.3"},
		{"lodash banner does not make underscore", "/**\n * @license\n * Lodash lodash.com/license | Underscore.js 1.8.3 underscorejs.org/LICENSE\n */", ""},
		{"moment", "//! moment.js\n//! version : 2.18.1\n//! authors", "moment@2.18.1"},
		{"handlebars", "/**!\n\n @license\n handlebars v4.0.11\n", "handlebars@4.0.11"},
		{"dompurify", "/*! @license DOMPurify 2.0.7 | (c) Cure53", "dompurify@2.0.7"},
		{"prototype", "/*  Prototype JavaScript framework, version 1.7.1\n *  (c) 2005-2010 Sam Stephenson", "prototype@1.7.1"},
		{"ember", "/*!\n * @overview  Ember - JavaScript Application Framework\n * @copyright Copyright 2011-2018 Tilde Inc.\n * @license   Licensed under MIT license\n * @version   3.1.0\n */", "ember@3.1.0"},
		{"knockout", "/*!\n * Knockout JavaScript library v3.4.2\n", "knockout@3.4.2"},
		{"backbone", "//     Backbone.js 1.1.2\n", "backbone@1.1.2"},
		{"tinymce banner", "/**\n * TinyMCE version 5.10.2 (2021-11-17)\n */", "tinymce@5.10.2"},
		{"tinymce 4 fields", `tinymce={majorVersion:"4",minorVersion:"9.11",releaseDate:"2020-07-13"}`, "tinymce@4.9.11"},
		{"ckeditor", `window.CKEDITOR||(window.CKEDITOR=function(){var a={timestamp:"L0HD",version:"4.16.0 (Standard)",revision:"x"}`, "ckeditor@4.16.0"},
		{"no library", "function hello() { return 'jQuery v is great' }", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			for _, f := range fingerprintBody(&url.URL{Path: "/x.js"}, []byte(tt.body)) {
				if got != "" {
					got += ","
				}
				got += fmt.Sprintf("%s@%s", f.lib, f.ver)
			}
			if got != tt.want {
				t.Errorf("fingerprintBody = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestJSLibAffected(t *testing.T) {
	tbl, err := loadJSLibTable()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lib, ver string
		want     int // entries affecting it, -1 for "some"
	}{
		{"jquery", "3.7.1", 0},
		{"jquery", "3.4.1", 2},
		{"jquery", "1.12.4", 4},
		{"bootstrap", "3.4.1", 3}, // CVE-2024-6484, CVE-2024-6485, CVE-2025-1647: no fixed 3.x release
		{"bootstrap", "4.3.1", 1},
		{"bootstrap", "5.3.3", 0},
		{"react-dom", "16.4.1", 1},
		{"react-dom", "16.4.2", 0},
		{"angularjs", "1.8.3", -1},
		{"lodash", "4.17.21", 3}, // CVE-2025-13465, CVE-2026-2950, CVE-2026-4800
		{"lodash", "4.18.1", 0},
	}
	for _, tt := range tests {
		v, _ := parseVersion(tt.ver)
		got := len(tbl.affecting(tt.lib, v))
		if (tt.want >= 0 && got != tt.want) || (tt.want < 0 && got == 0) {
			t.Errorf("affecting(%s %s) = %d entries, want %d", tt.lib, tt.ver, got, tt.want)
		}
	}
}
