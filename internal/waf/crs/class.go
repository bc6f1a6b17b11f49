package crs

import (
	"github.com/corazawaf/coraza/v3/types"

	"rampart/internal/waf/detect"
)

// ruleClass overrides the tag mapping for CRS rules whose tag is broader
// than what they find.
var ruleClass = map[int]detect.Class{
	// REQUEST-921 response splitting and header injection are tagged
	// attack-protocol; rampart calls them CRLF injection.
	921120: detect.CRLF, 921130: detect.CRLF, 921140: detect.CRLF, 921150: detect.CRLF,
	921151: detect.CRLF, 921160: detect.CRLF, 921190: detect.CRLF,
	// PHP wrapper schemes (php://, data:, expect://) are file inclusion.
	933200: detect.RFI,
	934170: detect.RFI,
	// Log4Shell lookups are tagged attack-rce.
	944150: detect.JNDI, 944151: detect.JNDI, 944152: detect.JNDI,
	// LDAP injection has no attack tag (only language-ldap).
	921200: detect.LDAPi,
}

// tagClass maps CRS attack tags to rampart classes. CRS has no class for
// code injection in an interpreter (PHP, Node.js, Ruby, Perl, Java
// deserialisation): rampart counts it as command injection, since what it
// buys the attacker is execution. Session fixation, which rampart has no
// class for, is custom.
//
//	attack-sqli                 sqli
//	attack-xss                  xss
//	attack-rce                  cmdi
//	attack-injection-php        cmdi (rfi for 933200, wrapper schemes)
//	attack-injection-generic    cmdi (Node.js, Ruby, Perl injection)
//	attack-injection-java       cmdi
//	attack-lfi                  path-traversal
//	attack-rfi                  rfi
//	attack-ssrf                 ssrf (rfi for 934170, the data: scheme)
//	attack-ssti                 ssti
//	attack-reputation-scanner   scanner
//	attack-protocol             protocol (crlf for 921120-921190)
//	attack-multipart-header     protocol
//	attack-deprecated-header    protocol
//	attack-generic              protocol (911100, method not allowed)
//	attack-fixation             custom
//	attack-* (user rules)       custom
//
// Rule-specific overrides (ruleClass) come first; then the first tag in
// this table, in the order the rule lists its tags; then the CRS file the
// rule ID belongs to (idClass); anything else (the user's rules) is custom.
var tagClass = map[string]detect.Class{
	"attack-sqli":               detect.SQLi,
	"attack-xss":                detect.XSS,
	"attack-rce":                detect.Cmdi,
	"attack-injection-php":      detect.Cmdi,
	"attack-injection-generic":  detect.Cmdi,
	"attack-injection-java":     detect.Cmdi,
	"attack-lfi":                detect.Traversal,
	"attack-rfi":                detect.RFI,
	"attack-ssrf":               detect.SSRF,
	"attack-ssti":               detect.SSTI,
	"attack-reputation-scanner": detect.Scanner,
	"attack-protocol":           detect.Protocol,
	"attack-multipart-header":   detect.Protocol,
	"attack-deprecated-header":  detect.Protocol,
	"attack-generic":            detect.Protocol,
	"attack-fixation":           detect.Custom,
}

// classOf maps a matched rule to a class.
func classOf(md types.RuleMetadata) detect.Class {
	if c, ok := ruleClass[md.ID()]; ok {
		return c
	}
	for _, t := range md.Tags() {
		if c, ok := tagClass[t]; ok {
			return c
		}
	}
	return idClass(md.ID())
}

// idClass classes a rule by the CRS file its ID range belongs to
// (REQUEST-942-APPLICATION-ATTACK-SQLI.conf holds 942000-942999), for
// rules whose tags say nothing rampart knows.
func idClass(id int) detect.Class {
	switch id / 1000 {
	case 200: // Coraza's recommended configuration: body parsing errors
		return detect.Protocol
	case 911, 920, 921, 922:
		return detect.Protocol
	case 913:
		return detect.Scanner
	case 930:
		return detect.Traversal
	case 931:
		return detect.RFI
	case 932, 933, 934, 944:
		return detect.Cmdi
	case 941:
		return detect.XSS
	case 942:
		return detect.SQLi
	}
	return detect.Custom
}
