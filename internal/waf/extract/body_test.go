package extract

import (
	"strings"
	"testing"
)

func TestBodies(t *testing.T) {
	tests := []struct {
		name, ctype, body string
		cfg               *Config
		want              []string
		facts             Facts
	}{
		{name: "form", ctype: "application/x-www-form-urlencoded", body: "comment=%3Cb%3Ehi&tags[]=a&tags[]=b",
			want: []string{"argname|comment|argname:comment|comment", "form|comment|form:comment|%3Cb%3Ehi",
				"argname|tags[]|argname:tags[]|tags[]", "form|tags[]|form:tags[]|a", "form|tags[]|form:tags[]|b"}},
		{name: "form with charset", ctype: "Application/X-WWW-Form-Urlencoded; charset=UTF-8", body: "a=1",
			want: []string{"argname|a|argname:a|a", "form|a|form:a|1"}},
		{name: "json nested", ctype: "application/json", body: `{"user":{"name":"x","roles":["a",{"id":7}]},"weird key":"v","":"e"}`,
			want: []string{
				"argname|user|argname:$.user|user",
				"argname|name|argname:$.user.name|name", "json|name|json:$.user.name|x",
				"argname|roles|argname:$.user.roles|roles", "json|roles|json:$.user.roles[0]|a",
				"argname|id|argname:$.user.roles[1].id|id", "json|id|json:$.user.roles[1].id|7",
				"argname|weird key|argname:$['weird key']|weird key", "json|weird key|json:$['weird key']|v",
				"json||json:$['']|e"}},
		{name: "json escapes", ctype: "application/json", body: `{"q":"\u003cscript\u003e \"x\" \ud83d\ude00 \ud800"}`,
			want: []string{"argname|q|argname:$.q|q", "json|q|json:$.q|<script> \"x\" 😀 \ufffd"}},
		{name: "json top-level array", ctype: "application/json", body: ` [1, "a", [true, null], -2.5e3] `,
			want: []string{"json||json:$[0]|1", "json||json:$[1]|a", "json||json:$[3]|-2.5e3"}},
		{name: "json scalar", ctype: "application/vnd.api+json", body: `"' or 1=1 --"`,
			want: []string{"json||json:$|' or 1=1 --"}},
		{name: "json repeated keys once", ctype: "application/json", body: `[{"a":1},{"a":2}]`,
			want: []string{"argname|a|argname:$[0].a|a", "json|a|json:$[0].a|1", "json|a|json:$[1].a|2"}},
		{name: "json malformed", ctype: "application/json", body: `{"a":"<script>",}`,
			want:  []string{"argname|a|argname:$.a|a", "json|a|json:$.a|<script>", `body||body|{"a":"<script>",}`},
			facts: Facts{Malformed: true}},
		{name: "json not json", ctype: "application/json", body: `' or 1=1 --`,
			want: []string{"body||body|' or 1=1 --"}, facts: Facts{Malformed: true}},
		{name: "json depth", ctype: "application/json", body: `{"a":{"b":{"c":{"d":"deep"}}}}`, cfg: &Config{MaxDepth: 2},
			want: []string{"argname|a|argname:$.a|a", "argname|b|argname:$.a.b|b", "argname|c|argname:$.a.b|c",
				"argname|d|argname:$.a.b|d", "json|d|json:$.a.b|deep"},
			facts: Facts{TooDeep: true}},
		{name: "xml", ctype: "application/xml", body: `<?xml version="1.0"?><order id="7"><item sku="A&amp;B">2 &lt; 3</item><note><![CDATA[<x>]]></note></order>`,
			want: []string{"xml|id|xml:/order/@id|7", "xml|sku|xml:/order/item/@sku|A&B", "xml|item|xml:/order/item|2 < 3",
				"xml|note|xml:/order/note|<x>"}},
		{name: "soap", ctype: "application/soap+xml; charset=utf-8", body: `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><m:Get xmlns:m="urn:x"><m:Id>1 OR 1=1</m:Id></m:Get></soap:Body></soap:Envelope>`,
			want: []string{"xml|soap|xml:/soap:Envelope/@xmlns:soap|http://www.w3.org/2003/05/soap-envelope",
				"xml|m|xml:/soap:Envelope/soap:Body/m:Get/@xmlns:m|urn:x", "xml|Id|xml:/soap:Envelope/soap:Body/m:Get/m:Id|1 OR 1=1"}},
		{name: "xxe", ctype: "text/xml", body: `<!DOCTYPE foo [ <!ELEMENT foo ANY ><!ENTITY xxe SYSTEM "file:///etc/passwd" >]><foo>&xxe;</foo>`,
			want:  []string{`xml||xml:doctype|<!DOCTYPE foo [ <!ELEMENT foo ANY ><!ENTITY xxe SYSTEM "file:///etc/passwd" >]>`, "xml|foo|xml:/foo|&xxe;"},
			facts: Facts{XMLDoctype: true, XMLExternal: true}},
		{name: "xml doctype only", ctype: "application/xml", body: `<!DOCTYPE html><a>b</a>`,
			want:  []string{"xml||xml:doctype|<!DOCTYPE html>", "xml|a|xml:/a|b"},
			facts: Facts{XMLDoctype: true}},
		{name: "xml processing instruction", ctype: "application/xml", body: `<?xml-stylesheet href="http://evil/x.xsl"?><a/>`,
			want: []string{`xml|xml-stylesheet|xml:?xml-stylesheet|href="http://evil/x.xsl"`}},
		{name: "xml malformed", ctype: "application/xml", body: `<a><b>x</b>`,
			want: []string{"xml|b|xml:/a/b|x", "body||body|<a><b>x</b>"}, facts: Facts{Malformed: true}},
		{name: "xml not xml", ctype: "application/xml", body: `' or 1=1`,
			want: []string{"xml||xml:|' or 1=1", "body||body|' or 1=1"}, facts: Facts{Malformed: true}},
		{name: "xml include element", ctype: "text/xml", body: `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:include schemaLocation="http://x/a.xsd"/></xs:schema>`,
			want: []string{`xml|xs|xml:/xs:schema/@xmlns:xs|http://www.w3.org/2001/XMLSchema`,
				`xml|include|xml:/xs:schema/xs:include|<xs:include schemaLocation="http://x/a.xsd"/>`,
				`xml|schemaLocation|xml:/xs:schema/xs:include/@schemaLocation|http://x/a.xsd`}},
		{name: "xml other charset", ctype: "application/xml", body: `<?xml version="1.0" encoding="ISO-8859-1"?><a>x</a>`,
			want: []string{"xml|a|xml:/a|x"}},
		{name: "xml depth", ctype: "application/xml", body: `<a><b><c q="1">x</c></b></a>`, cfg: &Config{MaxDepth: 2},
			want: []string{"xml|q|xml:/a/b/@q|1", "xml|b|xml:/a/b|x"}, facts: Facts{TooDeep: true}},
		{name: "graphql body", ctype: "application/graphql", body: `{ user(name: "admin' --", bio: """a "quoted" <b>""") { id } } # "comment"`,
			want: []string{`body||graphql|{ user(name: "admin' --", bio: """a "quoted" <b>""") { id } } # "comment"`,
				"json|name|graphql:name|admin' --", `json|bio|graphql:bio|a "quoted" <b>`},
			facts: Facts{GraphQL: true}},
		{name: "graphql in json", ctype: "application/json", body: `{"query":"query Q { search(q: \"<script>\") { id } }","variables":{"v":"x"}}`,
			want: []string{"argname|query|argname:$.query|query", `json|query|json:$.query|query Q { search(q: "<script>") { id } }`,
				"json|q|graphql:q|<script>", "argname|variables|argname:$.variables|variables", "argname|v|argname:$.variables.v|v", "json|v|json:$.variables.v|x"},
			facts: Facts{GraphQL: true}},
		{name: "text", ctype: "text/plain", body: "just ' text",
			want: []string{"body||body|just ' text"}},
		{name: "text that is json", ctype: "text/plain", body: `{"a":"b"}`,
			want: []string{`body||body|{"a":"b"}`, "argname|a|argname:$.a|a", "json|a|json:$.a|b"}},
		{name: "text that is almost json", ctype: "text/plain", body: `{"a":"b"`,
			want: []string{`body||body|{"a":"b"`}},
		{name: "unknown", ctype: "", body: `<!DOCTYPE x [<!ENTITY e SYSTEM "http://x">]>`,
			want:  []string{`body||body|<!DOCTYPE x [<!ENTITY e SYSTEM "http://x">]>`},
			facts: Facts{UnknownType: true, XMLDoctype: true, XMLExternal: true}},
		{name: "binary", ctype: "image/png", body: "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa",
			facts: Facts{Binary: true}},
		{name: "text labelled binary", ctype: "application/octet-stream", body: "1' union select password from users --",
			want: []string{"body||body|1' union select password from users --"}, facts: Facts{UnknownType: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := newRequest(t, "POST", "/", tt.ctype, tt.body)
			got, facts := Request(r, body, tt.cfg, nil)
			check(t, "targets of "+tt.body, shorts(got[1:]), tt.want)
			if facts != tt.facts {
				t.Errorf("facts = %+v, want %+v", facts, tt.facts)
			}
		})
	}
}

const boundary = "XyZ"

// multipartBody joins parts (each headers, blank line, content) into a
// multipart body.
func multipartBody(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--" + boundary + "\r\n" + strings.ReplaceAll(p, "\n", "\r\n") + "\r\n")
	}
	b.WriteString("--" + boundary + "--\r\n")
	return b.String()
}

func TestMultipart(t *testing.T) {
	body := multipartBody(
		"Content-Disposition: form-data; name=\"comment\"\n\n<script>alert(1)</script>",
		"Content-Disposition: form-data; name=\"upload\"; filename=\"../../shell.php\"\nContent-Type: text/plain\n\n<?php system($_GET['c']); ?>",
		"Content-Disposition: form-data; name=\"pic\"; filename=\"a.png\"\nContent-Type: image/png\n\n\x89PNG",
		"Content-Disposition: form-data; name=\"\\\\::1\\c$\\users\"\n\nTest",
		"Content-Disposition: form-data; name=\"intl\"; filename*=UTF-8''%E2%82%AC.txt\n\nx",
		"Content-Disposition: form-data; name=\"empty\"\n\n",
	)
	tests := []struct {
		name string
		cfg  *Config
		want []string
	}{
		{"file names only", nil, []string{
			"argname|comment|argname:comment|comment", "form|comment|form:comment|<script>alert(1)</script>",
			"argname|upload|argname:upload|upload", "filename|upload|filename:upload|../../shell.php",
			"argname|pic|argname:pic|pic", "filename|pic|filename:pic|a.png",
			`argname|\\::1\c$\users|argname:\\::1\c$\users|\\::1\c$\users`, `form|\\::1\c$\users|form:\\::1\c$\users|Test`,
			"argname|intl|argname:intl|intl", "filename|intl|filename:intl|UTF-8''%E2%82%AC.txt",
			"argname|empty|argname:empty|empty",
		}},
		{"text files", &Config{FileTypes: []string{"text/*"}}, []string{
			"argname|comment|argname:comment|comment", "form|comment|form:comment|<script>alert(1)</script>",
			"argname|upload|argname:upload|upload", "filename|upload|filename:upload|../../shell.php",
			"body|upload|file:upload|<?php system($_GET['c']); ?>",
			"argname|pic|argname:pic|pic", "filename|pic|filename:pic|a.png",
			`argname|\\::1\c$\users|argname:\\::1\c$\users|\\::1\c$\users`, `form|\\::1\c$\users|form:\\::1\c$\users|Test`,
			"argname|intl|argname:intl|intl", "filename|intl|filename:intl|UTF-8''%E2%82%AC.txt",
			"body|intl|file:intl|x",
			"argname|empty|argname:empty|empty",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := newRequest(t, "POST", "/", "multipart/form-data; boundary="+boundary, body)
			got, facts := Request(r, b, tt.cfg, nil)
			check(t, "multipart targets", shorts(got[1:]), tt.want)
			if facts != (Facts{}) {
				t.Errorf("facts = %+v", facts)
			}
		})
	}
}

func TestMultipartMalformed(t *testing.T) {
	tests := []struct{ name, ctype, body string }{
		{"no boundary parameter", "multipart/form-data", multipartBody("Content-Disposition: form-data; name=\"a\"\n\nx")},
		{"no parts", "multipart/form-data; boundary=" + boundary, "' or 1=1 --"},
		{"truncated", "multipart/form-data; boundary=" + boundary, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"},
		{"bad content type", "multipart/form-data; boundary", "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := newRequest(t, "POST", "/", tt.ctype, tt.body)
			got, facts := Request(r, b, nil, nil)
			if !facts.Malformed {
				t.Errorf("facts.Malformed = false for %q", tt.body)
			}
			if last := got[len(got)-1]; last.Loc != "body" || last.Value != tt.body {
				t.Errorf("last target = %s, want the raw body", short(last))
			}
		})
	}
}

func TestGraphQLQueryArg(t *testing.T) {
	r, _ := newRequest(t, "GET", `/graphql?query=%7Buser(id%3A%22'%20or%201%3D1%22)%7Bname%7D%7D`, "", "")
	got, facts := Request(r, nil, nil, nil)
	if !facts.GraphQL {
		t.Error("facts.GraphQL = false")
	}
	check(t, "graphql targets", only(got, "graphql"), []string{"query|id|graphql:id|' or 1=1"})
}

func TestGraphQLIntrospection(t *testing.T) {
	tests := []struct {
		name, method, target, ctype, body string
		want                              bool
	}{
		{"schema in json", "POST", "/graphql", "application/json", `{"query":"query IntrospectionQuery { __schema { queryType { name } } }"}`, true},
		{"type in body", "POST", "/graphql", "application/graphql", `{ __type(name: "User") { fields { name } } }`, true},
		{"schema in query arg", "GET", "/graphql?query=%7B__schema%7Btypes%7Bname%7D%7D%7D", "", "", true},
		{"encoded twice", "GET", "/graphql?query=%257B__schema%257Btypes%257Bname%257D%257D%257D", "", "", true},
		{"typename only", "POST", "/graphql", "application/json", `{"query":"{ user(id: 1) { name __typename } }"}`, false},
		{"word in a value", "POST", "/api", "application/json", `{"note":"the __schema field"}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := newRequest(t, tt.method, tt.target, tt.ctype, tt.body)
			_, facts := Request(r, body, nil, nil)
			if facts.GraphQLIntrospection != tt.want {
				t.Errorf("GraphQLIntrospection = %v, want %v", facts.GraphQLIntrospection, tt.want)
			}
		})
	}
}
