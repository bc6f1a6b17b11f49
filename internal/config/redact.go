package config

import (
	"bytes"
	"fmt"

	"gopkg.in/yaml.v3"
)

// redactedText replaces secret values in output.
const redactedText = "[redacted]"

// Redacted returns the effective config c as YAML, every route with its
// inherited blocks filled in, and every value that came from a secret
// reference or is of type Secret replaced by "[redacted]". It is what
// rampart config check --print shows.
func Redacted(c *Config) ([]byte, error) {
	var n yaml.Node
	if err := n.Encode(c); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	redactNode(&n, "", c.Secrets)
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode config: %w", err)
	}
	return buf.Bytes(), nil
}

// redactNode replaces the values under n whose dotted keys are secret.
func redactNode(n *yaml.Node, key string, secrets map[string]bool) {
	if key != "" && secrets[key] {
		*n = yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: redactedText}
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			redactNode(n.Content[i+1], joinKey(key, n.Content[i].Value), secrets)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			redactNode(c, fmt.Sprintf("%s[%d]", key, i), secrets)
		}
	}
}
