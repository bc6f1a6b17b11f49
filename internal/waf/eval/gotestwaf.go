package main

// GoTestWAF's requests, rebuilt. Each test-case file lists payloads, the
// encoders to apply to each and the placeholders to put each encoded
// payload in; GoTestWAF sends payload × encoder × placeholder, with the
// headers of its config.yaml on every request. What follows mirrors its
// internal/payload/encoder and internal/payload/placeholder packages and
// its HTTP client (github.com/wallarm/gotestwaf); where we could not follow
// it exactly the comment says what we guessed.

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"

	"gopkg.in/yaml.v3"

	"rampart/internal/waf/dataset"
)

// encode applies a GoTestWAF encoder.
func encode(name, payload string) (string, error) {
	switch name {
	case "Plain":
		return payload, nil
	case "URL":
		return url.QueryEscape(payload), nil
	case "Base64":
		return base64.StdEncoding.EncodeToString([]byte(payload)), nil
	case "Base64Flat":
		return strings.ReplaceAll(base64.StdEncoding.EncodeToString([]byte(payload)), "=", ""), nil
	case "JSUnicode":
		return jsUnicode(payload), nil
	case "XMLEntity":
		return xmlEntity(payload)
	}
	return "", fmt.Errorf("unknown GoTestWAF encoder %q", name)
}

// jsUnicode writes every UTF-16 code unit as \uXXXX (lower-case hex), as
// GoTestWAF's JSUnicode encoder does.
func jsUnicode(s string) string {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, `\u%04x`, u)
	}
	return b.String()
}

// xmlEntity is GoTestWAF's XMLEntity encoder: encoding/xml's encoding of a
// string value, which wraps it in <string>…</string> and escapes markup
// characters as entities.
func xmlEntity(s string) (string, error) {
	var b bytes.Buffer
	if err := xml.NewEncoder(&b).Encode(s); err != nil {
		return "", fmt.Errorf("xml-encode payload: %w", err)
	}
	return b.String(), nil
}

// soapEnvelope is GoTestWAF's SOAPBody wrapper; the payload goes, XMLEntity
// encoded, into an element named "ab" + a random hex name.
const soapEnvelope = `<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
	xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
	<soapenv:Header>
		<ns1:RequestHeader soapenv:actor="http://schemas.xmlsoap.org/soap/actor/next"
			soapenv:mustUnderstand="0" xmlns:ns1="https://www.google.com/apis/ads/publisher/v202002">
		</ns1:RequestHeader>
	</soapenv:Header>
	<soapenv:Body>
		<getAdUnitsByStatement xmlns="https://www.google.com/apis/ads/publisher/v202002">
			<filterStatement>
				<%s>%s</%s>
			</filterStatement>
		</getAdUnitsByStatement>
	</soapenv:Body>
</soapenv:Envelope>`

// place builds the sample for an encoded payload in a placeholder. key
// stands in for GoTestWAF's random hex names.
func place(s *sample, placeholder, enc, key string, raw map[string]any) error {
	s.Method = http.MethodGet
	s.Target = "/"
	switch placeholder {
	case "URLPath":
		s.Target = "/" + enc
	case "URLParam":
		s.Target = "/?" + key + "=" + enc
	case "Header":
		s.Headers = append(s.Headers, header{"X-" + key, enc})
	case "UserAgent":
		s.Headers = append(s.Headers, header{"User-Agent", enc})
	case "HTMLForm":
		s.Method = http.MethodPost
		s.Headers = append(s.Headers, header{"Content-Type", "application/x-www-form-urlencoded"})
		s.Body = []byte(key + "=" + enc)
	case "HTMLMultipartForm":
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		// GoTestWAF lets mime/multipart pick a random boundary; a fixed
		// one keeps runs reproducible.
		if err := w.SetBoundary("rampartEval" + key); err != nil {
			return fmt.Errorf("multipart boundary: %w", err)
		}
		fw, err := w.CreateFormField(key)
		if err == nil {
			_, err = fw.Write([]byte(enc))
		}
		if err == nil {
			err = w.Close()
		}
		if err != nil {
			return fmt.Errorf("multipart body: %w", err)
		}
		s.Method = http.MethodPost
		s.Headers = append(s.Headers, header{"Content-Type", w.FormDataContentType()})
		s.Body = b.Bytes()
	case "JSONRequest":
		// GoTestWAF JSUnicode-encodes the (already encoded) payload
		// into a string value next to "test": true.
		s.Method = http.MethodPost
		s.Headers = append(s.Headers, header{"Content-Type", "application/json"})
		s.Body = []byte(fmt.Sprintf(`{"test":true, "%s": "%s"}`, key, jsUnicode(enc)))
	case "JSONBody":
		s.Method = http.MethodPost
		s.Headers = append(s.Headers, header{"Content-Type", "application/json"})
		s.Body = []byte(enc)
	case "XMLBody":
		s.Method = http.MethodPost
		s.Headers = append(s.Headers, header{"Content-Type", "text/xml"})
		s.Body = []byte(enc)
	case "SOAPBody":
		x, err := xmlEntity(enc)
		if err != nil {
			return err
		}
		s.Method = http.MethodPost
		s.Headers = append(s.Headers,
			header{"SOAPAction", `"http://schemas.xmlsoap.org/soap/actor/next"`},
			header{"Content-Type", "text/xml"})
		s.Body = []byte(fmt.Sprintf(soapEnvelope, "ab"+key, x, "ab"+key))
	case "GraphQL":
		// GoTestWAF sends GraphQL to the endpoint it discovered
		// (/graphql first); GET puts the payload in ?query= through
		// url.Values (so a URL-encoded payload is encoded twice), POST
		// sends it as the body. Guess: the POST body is sent as
		// application/json, as GraphQL clients do.
		s.Target = "/graphql"
		method, _ := raw["method"].(string)
		switch method {
		case http.MethodGet, "":
			s.Target += "?" + url.Values{"query": {enc}}.Encode()
		case http.MethodPost:
			s.Method = http.MethodPost
			s.Headers = append(s.Headers, header{"Content-Type", "application/json"})
			s.Body = []byte(enc)
		default:
			return fmt.Errorf("GraphQL placeholder: method %q", method)
		}
	case "gRPC":
		// GoTestWAF calls encoder.ServiceFooBar/foo over gRPC (HTTP/2)
		// when the target speaks it, with the payload as field 1 of the
		// request message. Guess: the same call as a gRPC frame over
		// HTTP/1.1, which is what a WAF in front would have to read.
		s.Method = http.MethodPost
		s.Target = "/encoder.ServiceFooBar/foo"
		s.Headers = append(s.Headers, header{"Content-Type", "application/grpc"}, header{"TE", "trailers"})
		s.Body = grpcFrame(enc)
	case "RawRequest":
		// {{payload}} is replaced in the path, header values and body.
		method, _ := raw["method"].(string)
		path, _ := raw["path"].(string)
		body, _ := raw["body"].(string)
		if method == "" {
			return fmt.Errorf("RawRequest placeholder without a method")
		}
		s.Method = method
		s.Target = "/" + strings.ReplaceAll(strings.TrimPrefix(path, "/"), "{{payload}}", enc)
		if hs, ok := raw["headers"].(map[string]any); ok {
			names := make([]string, 0, len(hs))
			for k := range hs {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				v, _ := hs[k].(string)
				s.Headers = append(s.Headers, header{k, strings.ReplaceAll(v, "{{payload}}", enc)})
			}
		}
		s.Body = []byte(strings.ReplaceAll(body, "{{payload}}", enc))
	default:
		return fmt.Errorf("unknown GoTestWAF placeholder %q", placeholder)
	}
	return nil
}

// grpcFrame is a length-prefixed gRPC message holding one protobuf field 1
// (string) with v.
func grpcFrame(v string) []byte {
	msg := []byte{0x0a}
	msg = binary.AppendUvarint(msg, uint64(len(v)))
	msg = append(msg, v...)
	frame := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(frame[1:], uint32(len(msg))) // #nosec G115 -- payloads are far below 4 GiB
	return append(frame, msg...)
}

// gotestwafHeaders reads the headers of GoTestWAF's config.yaml, which
// its client sets on every request that does not already carry them.
// Connection is left out: "close" would open a new loopback connection per
// request in gateway mode and run out of ports; it changes nothing an
// inspector sees.
func gotestwafHeaders(dir string) ([]header, error) {
	b, err := os.ReadFile(filepath.Join(dir, "gotestwaf", "config.yaml")) // #nosec G304 G703 -- the data set folder the user named
	if err != nil {
		return nil, fmt.Errorf("read gotestwaf config: %w", err)
	}
	var cfg struct {
		Headers map[string]string `yaml:"headers"`
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("read gotestwaf config: %w", err)
	}
	names := make([]string, 0, len(cfg.Headers))
	for k := range cfg.Headers {
		if !strings.EqualFold(k, "Connection") {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	out := make([]header, 0, len(names))
	for _, k := range names {
		out = append(out, header{k, cfg.Headers[k]})
	}
	return out, nil
}

// gotestwafSamples expands every GoTestWAF payload over its encoders and
// placeholders.
func gotestwafSamples(dir string) ([]sample, error) {
	ss, err := dataset.GoTestWAF(dir)
	if err != nil {
		return nil, err
	}
	defaults, err := gotestwafHeaders(dir)
	if err != nil {
		return nil, err
	}
	var out []sample
	for i, s := range ss {
		for _, encName := range s.Encoders {
			enc, err := encode(encName, s.Payload)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.Source, err)
			}
			for _, ph := range s.Placeholders {
				smp := sample{Set: s.Set, Class: s.Class, Where: ph + "/" + encName, Group: ph + "/" + encName, Source: s.Source, Payload: s.Payload}
				key := randomKey(s.Source, fmt.Sprint(i), ph, encName)
				if err := place(&smp, ph, enc, key, s.Raw[ph]); err != nil {
					return nil, fmt.Errorf("%s: %w", s.Source, err)
				}
				for _, h := range defaults {
					if strings.EqualFold(h.Name, "User-Agent") && ph == "UserAgent" {
						continue
					}
					if !hasHeaderList(smp.Headers, h.Name) {
						smp.Headers = append(smp.Headers, h)
					}
				}
				out = append(out, smp)
			}
		}
	}
	return out, nil
}

func hasHeaderList(hs []header, name string) bool {
	for _, h := range hs {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}
